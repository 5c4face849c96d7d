/**
 * The newcomer's first run (`npm run demo`): starts a local, real Label Studio, applies
 * examples/projects, shows a second plan has no changes, changes a project through the API the
 * way a person in the UI would, shows `drift` catching it and `apply` putting it back.
 * The server keeps running at the end (URL and login printed) until Ctrl-C; `--stop` stops it.
 */
import { main } from '../src/cli/main.ts';
import { processIo } from '../src/util/io.ts';
import { startLabelStudio, writeEnvFile } from './local-label-studio.ts';

const stopAtEnd = process.argv.includes('--stop');
const say = (text: string) => process.stdout.write(`\n\u001b[1m▶ ${text}\u001b[22m\n`);
const dir = 'examples/projects';

say('Starting a local Label Studio 1.23.2 (installed into .venv/ on the first run)');
const ls = await startLabelStudio({ log: (m) => console.log(`  ${m}`), keepData: !stopAtEnd });
const env = { ...process.env, LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
const io = { ...processIo(), env, interactive: false };
let failed = false;

async function step(title: string, args: string[], expect: number[]): Promise<number> {
  say(`${title}\n  $ labelform ${args.join(' ')}`);
  const code = await main(args, io);
  console.log(`  (exit code ${code})`);
  if (!expect.includes(code)) {
    failed = true;
    throw new Error(`expected exit ${expect.join(' or ')}, got ${code}`);
  }
  return code;
}

try {
  await step('Check the manifests offline', ['validate', dir], [0]);
  await step('Check the connection', ['status', '-C', dir], [0]);
  await step('Plan: everything is new', ['plan', '-C', dir], [0]);
  await step(
    'Apply (in CI you would apply a saved plan; here --auto-approve)',
    ['apply', '-C', dir, '--auto-approve'],
    [0],
  );
  await step(
    'Plan again: nothing to do (exit 0 with --detailed-exitcode)',
    ['plan', '-C', dir, '--detailed-exitcode'],
    [0],
  );

  say('Someone edits a project in the Label Studio UI (done here through the same API the UI uses)');
  const headers = { Authorization: `Token ${ls.token}`, 'Content-Type': 'application/json' };
  const list = (await (await fetch(`${ls.url}/api/projects/?page_size=100&include=id,title`, { headers })).json()) as {
    results: Array<{ id: number; title: string }>;
  };
  const victim = list.results.find((p) => p.title.startsWith('Product images'))!;
  await fetch(`${ls.url}/api/projects/${victim.id}/`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ color: '#000000', maximum_annotations: 5 }),
  });
  console.log(`  PATCH /api/projects/${victim.id}/ {"color": "#000000", "maximum_annotations": 5}`);

  await step('Drift catches it (exit 2)', ['drift', '-C', dir], [2]);
  await step('Apply puts git back', ['apply', '-C', dir, '--auto-approve'], [0]);
  await step('No drift any more', ['drift', '-C', dir], [0]);
} catch (err) {
  console.error(`\ndemo failed: ${(err as Error).message}`);
  failed = true;
}

if (stopAtEnd || failed) {
  await ls.stop();
  console.log('\nLabel Studio stopped.');
  process.exit(failed ? 1 : 0);
}
const envFile = writeEnvFile(ls);
console.log(`
Label Studio keeps running so you can look around:
  URL:    ${ls.url}
  login:  ${ls.username} / ${ls.password}
  token:  in ${envFile} (load it with: set -a; . ${envFile}; set +a)
Press Ctrl-C to stop it (its data directory ${ls.dataDir} is kept).`);
const shutdown = () => void ls.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
await new Promise(() => {});
