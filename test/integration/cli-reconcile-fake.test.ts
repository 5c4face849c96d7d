/**
 * plan and apply through the CLI (in-process) against the in-repo fake Label Studio: exit codes,
 * confirmation, prune safety, partial failure, saved plans, output formats, secrets, and
 * convergence (apply, then plan: no changes).
 */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { formatMarker, parseMarker, withMarker } from '../../src/kinds/project/marker.ts';
import { validateAgainstSchema } from '../../src/manifest/schemas.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { hasStackTrace, projectYaml, removeTree, runCli, writeTree, type CliResult } from '../helpers/cli.ts';

const NS = 'test';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>';

let ls: FakeLabelStudio;
let client: LabelStudioClient;
const trees: string[] = [];

test.before(async () => {
  ls = await startFakeLabelStudio();
  client = createClient({ baseUrl: ls.url, token: ls.token });
});
test.before.each(() => {
  // Every test starts from an empty server.
  ls.state.projects.clear();
  ls.state.tasks.clear();
});
test.after(async () => {
  await ls.stop();
  await Promise.all(trees.map((d) => removeTree(d)));
});

async function repo(files: Record<string, string>, namespace = NS): Promise<string> {
  const dir = await writeTree({
    'labelform.yaml': `apiVersion: labelform/v1\nkind: Config\nnamespace: ${namespace}\n`,
    ...files,
  });
  trees.push(dir);
  return dir;
}

function cli(
  dir: string,
  args: string[],
  opts: { env?: Record<string, string>; interactive?: boolean; answers?: string[] } = {},
): Promise<CliResult> {
  return runCli([...args, '-C', dir], {
    env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token, ...opts.env },
    cwd: dir,
    ...(opts.interactive !== undefined ? { interactive: opts.interactive } : {}),
    ...(opts.answers ? { answers: opts.answers } : {}),
  });
}

/** The fake's projects as [id, title, marker key] rows, by id. */
function serverProjects(): Array<[number, string, string | null]> {
  return [...ls.state.projects.values()].map((p) => [
    p.id,
    String(p.fields.title),
    parseMarker(String(p.fields.description ?? ''))?.key ?? null,
  ]);
}

/** A project managed by this namespace, made directly on the server (an orphan unless a manifest names it). */
async function managedOnServer(key: string, title: string, annotations = 0): Promise<number> {
  const p = await client.createProject({
    title,
    description: withMarker('', { namespace: NS, key }),
    label_config: CONFIG,
  });
  if (annotations > 0) {
    const result = [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Positive'] } }];
    await client.importTasks(
      p.id,
      Array.from({ length: annotations }, (_, i) => ({ data: { text: `t${i}` }, annotations: [{ result }] })),
    );
  }
  return p.id;
}

const simple = (name: string, title: string, extra = '') => projectYaml(name, `  title: ${title}\n${extra}`);

// ---- plan exit codes ----

test('plan --detailed-exitcode: 2 with changes, 0 after apply, 1 with an error', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project', '  color: "#112233"\n') });
  const first = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(first.code, 2, first.stderr);
  assert.match(first.stdout, /\+ create alpha "Alpha project"/);
  assert.match(
    first.stdout,
    /Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged\. Read the server in \d+ API requests?, \d+\.\d\d s\./,
  );
  assert.equal(serverProjects(), [], 'plan writes nothing');
  assert.is((await cli(dir, ['plan'])).code, 0, 'without the flag, changes exit 0');
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /✔ alpha created as id \d+/);
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout);
  assert.match(again.stdout, /No changes\. Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged\./);
  // An unmanaged project with the title of a planned create: an error, exit 1.
  await client.createProject({ title: 'Beta project' });
  const dirB = await repo({ 'b.yaml': simple('beta', 'Beta project') });
  const blocked = await cli(dirB, ['plan', '--detailed-exitcode']);
  assert.is(blocked.code, 1);
  assert.match(blocked.stdout, /adopt\? an unmanaged project already has the title "Beta project"/);
  assert.not.ok(hasStackTrace(blocked.stdout + blocked.stderr));
  assert.is((await cli(dirB, ['plan', '--detailed-exitcode', '--allow-duplicate-title'])).code, 2);
});

test('convergence: the examples apply, then plan --detailed-exitcode exits 0 and drift finds nothing', async () => {
  const dir = await writeTree({});
  trees.push(dir);
  await cp(join(ROOT, 'examples/projects'), dir, { recursive: true });
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply complete: 5 created, 0 updated, 0 adopted, 0 deleted\./);
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout);
  assert.is((await cli(dir, ['drift'])).code, 0);
});

test('convergence: values the server rewrites (comments in expert_instruction, a trailing U+FEFF, padding) plan no change after apply', async () => {
  const spec =
    '  title: "  Rewritten \\u0085"\n' +
    '  description: "Notes kept verbatim\\uFEFF"\n' +
    '  expert_instruction: "<!-- for reviewers --><p onclick=\\"x()\\">Read <a href=\\"javascript:alert(1)\\">this</a></p><table><tr><td>1</td></tr></table>"\n' +
    '  pinned_at: "2024-05-01T12:00:00+02:00"\n' +
    `  label_config: "\\n${CONFIG.replace(/"/g, '\\"')}\\n"\n`;
  const dir = await repo({ 'p.yaml': projectYaml('rewritten', spec) });
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const stored = [...ls.state.projects.values()][0]!.fields;
  assert.is(stored.expert_instruction, '<p>Read <a>this</a></p><table><tbody><tr><td>1</td></tr></tbody></table>');
  assert.ok(
    String(stored.description).startsWith(
      `Notes kept verbatim\ufeff\n\n${formatMarker({ namespace: NS, key: 'rewritten' })} [lf1 `,
    ),
    String(stored.description),
  );
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout);
});

// ---- confirmation ----

test('apply without --auto-approve in a non-interactive shell refuses and creates nothing', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project') });
  const r = await cli(dir, ['apply']);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /Error: refusing to apply without confirmation in a non-interactive shell\nPass --auto-approve/,
  );
  assert.not.ok(hasStackTrace(r.stderr));
  assert.equal(serverProjects(), []);
});

test('interactive apply asks; anything but "yes" cancels, "yes" applies', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project') });
  for (const answer of ['no', 'y', '']) {
    const r = await cli(dir, ['apply'], { interactive: true, answers: [answer] });
    assert.is(r.code, 1, answer);
    assert.match(r.stderr, new RegExp(`Apply 1 change to ${ls.url.replace(/\./g, '\\.')}\\? Only "yes" is accepted: `));
    assert.match(r.stdout, /Apply cancelled; nothing was changed\./);
    assert.equal(serverProjects(), [], answer);
  }
  const yes = await cli(dir, ['apply'], { interactive: true, answers: ['yes'] });
  assert.is(yes.code, 0, yes.stdout + yes.stderr);
  assert.equal(
    serverProjects().map(([, title, key]) => [title, key]),
    [['Alpha project', 'alpha']],
  );
});

// ---- prune ----

test('apply --prune deletes an orphan without annotations; one with annotations only with --allow-data-loss', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project') });
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const empty = await managedOnServer('empty-orphan', 'Empty orphan');
  const busy = await managedOnServer('busy-orphan', 'Busy orphan', 2);
  const other = await client.createProject({
    title: 'Other team',
    description: withMarker('', { namespace: 'other-team', key: 'busy-orphan' }),
  });

  const plain = await cli(dir, ['apply', '--auto-approve']);
  assert.is(plain.code, 0);
  assert.match(plain.stdout, /Orphans: marked with namespace "test" but no manifest/);
  assert.is(ls.state.projects.size, 4, 'no --prune, no deletes');

  const pruned = await cli(dir, ['apply', '--auto-approve', '--prune']);
  assert.is(pruned.code, 1, pruned.stdout);
  assert.match(pruned.stdout, new RegExp(`✔ empty-orphan \\(id ${empty}\\) deleted`));
  assert.match(
    pruned.stdout,
    new RegExp(
      `✖ busy-orphan \\(id ${busy}\\) delete failed: has 2 annotations; deleting would lose them \\(pass --allow-data-loss to delete anyway\\)`,
    ),
  );
  assert.match(pruned.stdout, /Apply finished with failures: 0 created, 0 updated, 0 adopted, 1 deleted, 1 failed\./);
  assert.ok(ls.state.projects.has(busy));
  assert.not.ok(ls.state.projects.has(empty));
  assert.ok(ls.state.projects.has(other.id), 'another namespace is never pruned');

  const forced = await cli(dir, ['apply', '--auto-approve', '--prune', '--allow-data-loss']);
  assert.is(forced.code, 0, forced.stdout);
  assert.not.ok(ls.state.projects.has(busy));
  assert.ok(ls.state.projects.has(other.id));
});

test('interactive apply --prune asks for the title to be typed back; a wrong title skips the delete', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project') });
  assert.is((await cli(dir, ['apply', '--auto-approve'])).code, 0);
  const orphan = await managedOnServer('orphan', 'Orphan project');
  const wrong = await cli(dir, ['apply', '--prune'], { interactive: true, answers: ['yes', 'Orphan'] });
  assert.is(wrong.code, 0, wrong.stdout + wrong.stderr);
  assert.match(
    wrong.stderr,
    new RegExp(`Type the title of project orphan \\(id ${orphan}\\) to delete it \\("Orphan project"\\): `),
  );
  assert.match(wrong.stdout, /- orphan \(id \d+\) delete skipped: the title typed back did not match/);
  assert.match(wrong.stdout, /Apply complete: 0 created, 0 updated, 0 adopted, 0 deleted, 1 skipped\./);
  assert.ok(ls.state.projects.has(orphan));
  const right = await cli(dir, ['apply', '--prune'], { interactive: true, answers: ['yes', ' Orphan project '] });
  assert.is(right.code, 0, right.stdout + right.stderr);
  assert.not.ok(ls.state.projects.has(orphan));
});

// ---- partial failure ----

test('a failure on one project does not stop the others; exit 1 with a summary', async () => {
  const dir = await repo({
    'a.yaml': simple('a-first', 'First project'),
    'b.yaml': simple('b-broken', 'Broken project'),
    'c.yaml': simple('c-third', 'Third project'),
  });
  // The server refuses the second create (as it would, say, a model_version it does not know).
  const proxy = await startFaultProxy(ls.url);
  const refusal = JSON.stringify({
    id: 'x',
    status_code: 400,
    version: '1.23.2',
    detail: 'Validation error',
    validation_errors: {
      model_version: ["Model version doesn't exist either as live model or as static predictions."],
    },
    exc_info: null,
  });
  proxy.inject({
    method: 'POST',
    path: /^\/api\/projects\/$/,
    body: /b-broken/,
    times: 1,
    fault: { kind: 'status', status: 400, body: refusal, contentType: 'application/json' },
  });
  try {
    const r = await runCli(['apply', '--auto-approve', '-C', dir], {
      env: { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token },
      cwd: dir,
    });
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✔ a-first created as id \d+/);
    assert.match(
      r.stdout,
      /✖ b-broken create failed: POST \/api\/projects\/ failed with HTTP 400: model_version: Model version doesn't exist/,
    );
    assert.match(r.stdout, /✔ c-third created as id \d+/);
    assert.match(r.stdout, /Apply finished with failures: 2 created, 0 updated, 0 adopted, 0 deleted, 1 failed\./);
    assert.match(r.stderr, /Error: 1 project failed: b-broken\. The others were applied/);
    assert.not.ok(hasStackTrace(r.stdout + r.stderr));
    assert.equal(
      serverProjects()
        .map(([, , key]) => key)
        .sort(),
      ['a-first', 'c-third'],
    );
  } finally {
    await proxy.close();
  }
});

// ---- saved plans ----

test('plan --out, then apply PLANFILE applies it without asking; a stale one is refused naming project and field', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project', '  color: "#101010"\n') });
  const planFile = join(dir, 'plan.json');
  const planned = await cli(dir, ['plan', '--out', planFile]);
  assert.is(planned.code, 0, planned.stderr);
  assert.match(
    planned.stderr,
    new RegExp(`Saved the plan to ${planFile}; apply it with \`labelform apply ${planFile}\``),
  );
  const applied = await cli(dir, ['apply', planFile]);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const [[id]] = serverProjects() as [[number, string, string]];
  assert.is(ls.state.projects.get(id)!.fields.color, '#101010');
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);

  // Applying the same plan again: its create now finds the project.
  const twice = await cli(dir, ['apply', planFile]);
  assert.is(twice.code, 1);
  assert.match(twice.stderr, /alpha: the plan says create, a fresh plan has no such change/);
  assert.is(ls.state.projects.size, 1);

  const edited = await repo({ 'a.yaml': simple('alpha', 'Alpha project', '  color: "#202020"\n') });
  const file2 = join(edited, 'plan.json');
  assert.is((await cli(edited, ['plan', '--out', file2])).code, 0);
  await client.updateProject(id, { title: 'Renamed in the UI' });
  const stale = await cli(edited, ['apply', file2]);
  assert.is(stale.code, 1);
  assert.match(
    stale.stderr,
    new RegExp(
      `the saved plan .*plan\\.json does not match a fresh plan; nothing was applied:\\n  - alpha \\(id ${id}\\): field title changed on the server since the plan`,
    ),
  );
  assert.is(ls.state.projects.get(id)!.fields.color, '#101010', 'nothing applied');
});

test('a saved plan applies from another working directory (declared task files included)', async () => {
  const dir = await repo({
    'a.yaml': simple('alpha', 'Alpha project') + 'tasks:\n  - file: ./data/tasks.jsonl\n',
    'data/tasks.jsonl': '{"text": "one"}\n{"text": "two"}\n',
  });
  const planFile = join(dir, 'plan.json');
  const planned = await runCli(['plan', '--out', planFile, '-C', dir], {
    env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token },
    cwd: dir,
  });
  assert.is(planned.code, 0, planned.stderr);
  const elsewhere = await runCli(['apply', planFile, '-C', dir], {
    env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token },
    cwd: ROOT,
  });
  assert.is(elsewhere.code, 0, elsewhere.stdout + elsewhere.stderr);
  assert.match(elsewhere.stdout, /✔ alpha created as id \d+ .*2 tasks imported from /);
  assert.is(ls.state.tasks.size, 2);
});

// ---- output formats and secrets ----

test('plan --json is a valid plan; --markdown is the PR comment; --out with --json writes the same plan', async () => {
  const dir = await repo({ 'a.yaml': simple('alpha', 'Alpha project') });
  const json = await cli(dir, ['plan', '--json']);
  assert.is(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.equal(validateAgainstSchema('plan', parsed), []);
  assert.equal([parsed.summary.create, parsed.server.url, parsed.namespace], [1, ls.url, NS]);
  const md = await cli(dir, ['plan', '--markdown']);
  assert.is(md.code, 0);
  assert.match(
    md.stdout,
    /^<!-- labelform:plan -->\n### labelform plan · `default` · namespace `test`\n\n\*\*Plan: 1 to create/,
  );
  assert.match(md.stdout, /<details><summary>🟢 create <code>alpha<\/code>/);
  const out = join(dir, 'saved.json');
  const both = await cli(dir, ['plan', '--json', '--out', out]);
  assert.is(both.code, 0);
  assert.is(both.stderr, '', 'with --json, stdout is the only output');
  const saved = JSON.parse(await readFile(out, 'utf8'));
  assert.equal({ ...saved, createdAt: 0, stats: 0 }, { ...JSON.parse(both.stdout), createdAt: 0, stats: 0 });
  assert.is((await cli(dir, ['plan', '--json', '--markdown'])).code, 1);
});

test('a ${env:X} secret never appears in plan text, JSON, Markdown, drift or a saved plan', async () => {
  const secret = 'pw-Zq81-never-print';
  const login = 'login-Kx77-never-print';
  const dir = await repo({
    'a.yaml': simple(
      'secretive',
      'Secretive project',
      '  task_data_login: ${env:TASK_LOGIN}\n  task_data_password: ${env:TASK_PASSWORD}\n',
    ),
  });
  const env = { TASK_LOGIN: login, TASK_PASSWORD: secret };
  const outputs: string[] = [];
  for (const args of [
    ['plan'],
    ['plan', '--json'],
    ['plan', '--markdown'],
    ['plan', '--debug'],
    ['plan', '--out', join(dir, 'plan.json')],
  ]) {
    const r = await cli(dir, args, { env });
    assert.is(r.code, 0, r.stderr);
    outputs.push(r.stdout, r.stderr);
  }
  const saved = await readFile(join(dir, 'plan.json'), 'utf8');
  outputs.push(saved);
  assert.match(saved, /"field": "task_data_password",\s+"sensitive": true/);
  const applied = await cli(dir, ['apply', join(dir, 'plan.json')], { env });
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  outputs.push(applied.stdout, applied.stderr);
  const stored = [...ls.state.projects.values()][0]!;
  assert.equal(
    [stored.fields.task_data_login, stored.fields.task_data_password],
    [login, secret],
    'the values reached the server',
  );
  stored.fields.task_data_password = 'changed-in-the-UI-42';
  const drift = await cli(dir, ['drift'], { env });
  assert.is(drift.code, 2);
  assert.match(drift.stdout, /task_data_password: server has \(sensitive\), git has \(sensitive, changed\)/);
  outputs.push(drift.stdout, drift.stderr);
  for (const args of [
    ['drift', '--json'],
    ['drift', '--markdown'],
    ['plan', '--json'],
  ]) {
    const r = await cli(dir, args, { env });
    outputs.push(r.stdout, r.stderr);
  }
  const all = outputs.join('\n');
  for (const s of [secret, login, 'changed-in-the-UI-42']) assert.not.ok(all.includes(s), `${s} appeared`);
});

test.run();
