/**
 * `npm run bench`: side-by-side measurements, printed as figures and ratios (nothing asserted:
 * these machines are noisy).
 *   1. plan: 1,000 managed projects on the fake Label Studio with 20 ms per request, against a
 *      loop that GETs each project.
 *   2. validate: 200 manifests, in process.
 *   3. tasks import into a real Label Studio (upload limit lowered to 10 MiB): labelform's
 *      streaming batches against one request with the whole file (the naive way).
 *   4. apply: 200 creates on a server holding 1,000 other projects (fake, 20 ms per request):
 *      labelform's settled create (POST, then a read of what is new) against the lookup used
 *      before (a `search=` page, which the server ignores, then the POST) and against an exact
 *      lookup that reads the whole list before every create.
 *   5. preview: 10 changed label configs drawn before and after with one browser for the run,
 *      against starting a browser per config.
 *   6. preview of hostile configs (bench/preview-hostile.ts): time and peak PSS of the whole
 *      process tree per config; `--base` with 3,000 data files.
 *   7. label migration writes: the runner (read again, journal with fsync, PATCH; 4 at a time)
 *      against itself 1 at a time and a bare one-at-a-time loop of PATCHes, on the fake with 20 ms
 *      per request and on the real Label Studio on SQLite and on PostgreSQL.
 * Pass section numbers to run only some: `npm run bench -- 1 2`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '../src/api/client.ts';
import { loadRepository } from '../src/state/load-repository.ts';
import { LOOKUP_INCLUDE, readAllProjects } from '../src/kinds/project/project-list.ts';
import { runCli } from '../test/helpers/cli.ts';
import { startFakeLabelStudio } from '../test/fake/label-studio-fake.ts';
import { thousandManagedProjects } from '../test/helpers/scale.ts';
import { startLabelStudio } from '../scripts/local-label-studio.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const want = (n: string) => only.length === 0 || only.includes(n);
const rows: string[] = [];
const say = (s: string) => {
  console.log(s);
  rows.push(s);
};

if (want('1')) {
  say('\n## 1. plan: 1,000 managed projects, 20 ms latency per request (fake Label Studio)');
  const ls = await startFakeLabelStudio();
  const dir = await thousandManagedProjects(ls);
  ls.setLatency(20);
  const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
  ls.resetRequestCount();
  let t = Date.now();
  const plan = await runCli(['plan', '--json', '-C', dir], { env });
  const planMs = Date.now() - t;
  const planRequests = ls.requestCount;
  if (plan.code !== 0) throw new Error(plan.stderr);
  ls.resetRequestCount();
  t = Date.now();
  const client = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 1 });
  for (let id = 1; id <= 1000; id++) await client.getProject(id);
  const loopMs = Date.now() - t;
  const loopRequests = ls.requestCount;
  ls.resetRequestCount();
  t = Date.now();
  const parallel = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 4 });
  await Promise.all(Array.from({ length: 1000 }, (_, i) => parallel.getProject(i + 1)));
  const parallelMs = Date.now() - t;
  await ls.stop();
  await rm(dir, { recursive: true, force: true });
  say(`| approach | requests | wall time |\n|---|---|---|`);
  say(`| labelform plan (list, page_size=100, include=) | ${planRequests} | ${(planMs / 1000).toFixed(2)} s |`);
  say(`| loop: GET each project, one at a time | ${loopRequests} | ${(loopMs / 1000).toFixed(2)} s |`);
  say(`| loop: GET each project, 4 at a time | 1000 | ${(parallelMs / 1000).toFixed(2)} s |`);
  say(
    `ratio: ${(loopRequests / planRequests).toFixed(0)}x fewer requests; ${(loopMs / planMs).toFixed(1)}x faster than the sequential loop, ${(parallelMs / planMs).toFixed(1)}x faster than 4 at a time.`,
  );
}

if (want('2')) {
  say('\n## 2. validate: 200 manifests (190 projects, 10 shared label configs), in process');
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  await writeFile(join(dir, 'labelform.yaml'), 'apiVersion: labelform/v1\nkind: Config\nnamespace: bench\n');
  for (let i = 0; i < 10; i++) {
    await writeFile(
      join(dir, `lc-${i}.yaml`),
      `apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: lc-${i}\nspec:\n  label_config: |\n    <View>\n      <Text name="text" value="$text"/>\n      <Labels name="ner" toName="text">\n${Array.from({ length: 8 }, (_, k) => `        <Label value="L${k}"/>`).join('\n')}\n      </Labels>\n    </View>\n`,
    );
  }
  for (let i = 0; i < 190; i++) {
    await writeFile(
      join(dir, `p-${i}.yaml`),
      `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: p-${i}\nspec:\n  title: Project number ${i}\n  color: "#123456"\n  maximum_annotations: 2\n  label_config:\n    ref: lc-${i % 10}\n`,
    );
  }
  const times: number[] = [];
  for (let run = 0; run < 7; run++) {
    const t = performance.now();
    const r = await loadRepository(dir, { env: {}, requireEnv: false, checkAllEnvironments: true });
    times.push(performance.now() - t);
    if (!r.repository) throw new Error('bench repository does not validate');
  }
  times.sort((a, b) => a - b);
  const cli = await timeProcess(`${ROOT}bin/labelform.js`, ['validate', dir]);
  await rm(dir, { recursive: true, force: true });
  say(
    `in process: median ${times[3]!.toFixed(0)} ms (first run, cold: ${Math.max(...times).toFixed(0)} ms); whole \`labelform validate\` process: ${cli.ms} ms`,
  );
}

if (want('3')) {
  say('\n## 3. tasks import into a real Label Studio 1.23.2 with DATA_UPLOAD_MAX_MEMORY_SIZE=10 MiB');
  const ls = await startLabelStudio({
    log: (m) => console.log(`  ${m}`),
    env: { DATA_UPLOAD_MAX_MEMORY_SIZE: String(10 * 1024 * 1024) },
  });
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  try {
    const client = createClient({ baseUrl: ls.url, token: ls.token });
    const config =
      '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
    const big = join(dir, 'big.jsonl');
    const small = join(dir, 'small.jsonl');
    const bigBytes = await writeTasks(big, 100_000);
    const smallBytes = await writeTasks(small, 30_000);
    say(
      `files: big.jsonl 100,000 tasks (${(bigBytes / 1048576).toFixed(1)} MiB), small.jsonl 30,000 tasks (${(smallBytes / 1048576).toFixed(1)} MiB)`,
    );
    say('| file | approach | result | wall time | tasks/s | peak RSS |\n|---|---|---|---|---|---|');
    for (const [name, file, n] of [
      ['small', small, 30_000],
      ['big', big, 100_000],
    ] as const) {
      const p1 = (await client.createProject({ title: `bench labelform ${name}`, label_config: config })).id;
      const lf = await timeProcess(`${ROOT}bin/labelform.js`, ['tasks', 'import', String(p1), file, '--quiet'], {
        LABEL_STUDIO_URL: ls.url,
        LABEL_STUDIO_API_KEY: ls.token,
        LABELFORM_REPORT_MAXRSS: '1',
      });
      const lfRss = Number(/labelform-maxrss-kib=(\d+)/.exec(lf.stderr)?.[1] ?? 0);
      const lfCount = (await client.getProject(p1)).task_number;
      say(
        `| ${name} | labelform (batches of 2,500, streamed) | ${lf.code === 0 ? `ok, ${lfCount} tasks` : `exit ${lf.code}`} | ${(lf.ms / 1000).toFixed(1)} s | ${Math.round((n * 1000) / lf.ms)} | ${(lfRss / 1024).toFixed(0)} MiB |`,
      );
      const p2 = (await client.createProject({ title: `bench naive ${name}`, label_config: config })).id;
      const naive = await timeProcess(process.execPath, [
        `${ROOT}bench/naive-import.mjs`,
        ls.url,
        ls.token,
        String(p2),
        file,
      ]);
      const result = JSON.parse(naive.stdout.trim().split('\n').pop() ?? '{}') as {
        status: number;
        detail: string;
        maxRssKiB: number;
      };
      const naiveCount = (await client.getProject(p2)).task_number;
      say(
        `| ${name} | naive (one request, whole file) | ${result.status === 201 ? `ok, ${naiveCount} tasks` : `refused: HTTP ${result.status} ${JSON.stringify(result.detail).slice(0, 70)}, ${naiveCount} tasks`} | ${(naive.ms / 1000).toFixed(1)} s | ${result.status === 201 ? Math.round((n * 1000) / naive.ms) : '-'} | ${(result.maxRssKiB / 1024).toFixed(0)} MiB |`,
      );
      await client.deleteProject(p1);
      await client.deleteProject(p2);
    }
  } finally {
    await ls.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (want('4')) {
  say('\n## 4. apply: 200 creates beside 1,000 other projects, 20 ms latency per request (fake Label Studio)');
  const creates = 200;
  const manifests: Record<string, string> = {};
  for (let i = 0; i < creates; i++)
    manifests[`p${i}.yaml`] =
      `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: c${i}\nspec:\n  title: Created ${i}\n`;
  const fresh = async () => {
    const ls = await startFakeLabelStudio();
    const seed = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 8 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => seed.createProject({ title: `Someone else's ${i}` })));
    ls.setLatency(20);
    ls.resetRequestCount();
    return ls;
  };
  const rowsOut: Array<[string, number, number, number]> = [];
  // labelform apply
  {
    const ls = await fresh();
    const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
    await writeFile(join(dir, 'labelform.yaml'), 'apiVersion: labelform/v1\nkind: Config\nnamespace: bench\n');
    for (const [f, text] of Object.entries(manifests)) await writeFile(join(dir, f), text);
    const planOnly = await runCli(['plan', '-C', dir], {
      env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token },
    });
    if (planOnly.code !== 0) throw new Error(planOnly.stderr);
    const readRequests = ls.requestCount;
    ls.resetRequestCount();
    const t = Date.now();
    const r = await runCli(['apply', '--auto-approve', '-C', dir], {
      env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token },
    });
    if (r.code !== 0) throw new Error(r.stdout + r.stderr);
    rowsOut.push([
      'labelform apply: POST, then read what is new (settled)',
      ls.requestCount - readRequests,
      Date.now() - t - 0,
      readRequests,
    ]);
    await ls.stop();
    await rm(dir, { recursive: true, force: true });
  }
  // Before: one `search=` page (ignored by the server: it returns the 100 newest), then the POST.
  for (const [label, look] of [
    [
      'before: a search= page, then POST (misses older projects)',
      async (c: ReturnType<typeof createClient>, key: string) => {
        await c.http.request('GET', '/api/projects/', {
          params: { search: `(namespace: bench, key: ${key})`, page_size: 100, include: 'id,title,description' },
        });
      },
    ],
    [
      'exact lookup by reading the whole list, then POST',
      async (c: ReturnType<typeof createClient>) => {
        await readAllProjects(c, LOOKUP_INCLUDE);
      },
    ],
  ] as const) {
    const ls = await fresh();
    const c = createClient({ baseUrl: ls.url, token: ls.token });
    const t = Date.now();
    for (let i = 0; i < creates; i++) {
      await look(c, `c${i}`);
      await c.createProject({
        title: `Created ${i}`,
        description: `[labelform] Managed from git (namespace: bench, key: c${i}).`,
      });
    }
    rowsOut.push([label, ls.requestCount, Date.now() - t, 0]);
    await ls.stop();
  }
  say('| approach | requests for 200 creates | per create | wall time |\n|---|---|---|---|');
  for (const [label, requests, ms] of rowsOut)
    say(`| ${label} | ${requests} | ${(requests / creates).toFixed(2)} | ${(ms / 1000).toFixed(1)} s |`);
  const [mine, before, exact] = rowsOut;
  say(
    `ratio: labelform makes ${(mine![1] / before![1]).toFixed(2)}x the requests of the old lookup (which was wrong past 100 projects) and ${(exact![1] / mine![1]).toFixed(1)}x fewer than an exact whole-list lookup; the plan before the apply read the server in ${mine![3]} requests.`,
  );
}

if (want('5')) {
  say(
    "\n## 5. preview: 10 changed label configs, before and after (Debian Chromium, the pinned package's editor, offline)",
  );
  const { PreviewRenderer } = await import('../src/preview/renderer.ts');
  const { packageEditor } = await import('../src/preview/editor-source.ts');
  const { findBrowser } = await import('../src/preview/browser.ts');
  const { previewSubjects } = await import('../src/preview/run.ts');
  const { VENV_DIR } = await import('../scripts/local-label-studio.ts');
  const { readdirSync, existsSync } = await import('node:fs');
  const sitePackages = readdirSync(join(VENV_DIR, 'lib'))
    .map((py) => join(VENV_DIR, 'lib', py, 'site-packages'))
    .find((p) => existsSync(join(p, 'label_studio')))!;
  const browser = findBrowser(process.env);
  const config = (i: number, extra: boolean) =>
    `<View><Text name="text" value="$text"/><Labels name="ner" toName="text">${Array.from({ length: 4 + (i % 3) }, (_, k) => `<Label value="Entity ${i}-${k}"/>`).join('')}${extra ? '<Label value="Added"/>' : ''}</Labels></View>`;
  const subjects = Array.from({ length: 10 }, (_, i) => ({
    name: `p${i}`,
    slug: `p${i}`,
    file: `p${i}.xml`,
    xml: config(i, true),
    review: [],
  }));
  const base = new Map(subjects.map((s, i) => [s.name, config(i, false)]));
  const out = await mkdtemp(join(tmpdir(), 'lf-bench-preview-'));
  const timed: Array<[string, number]> = [];
  // labelform: the browser started once, a fresh context per page, two configs at a time.
  let t = Date.now();
  const r = await PreviewRenderer.open(browser, packageEditor(sitePackages));
  const results = await previewSubjects(r, subjects, { outDir: out, base });
  await r.close();
  timed.push(['labelform (one browser, 2 configs at a time)', Date.now() - t]);
  const changed = results.filter((x) => x.visual?.changed).length;
  t = Date.now();
  const serial = await PreviewRenderer.open(browser, packageEditor(sitePackages));
  await previewSubjects(serial, subjects, { outDir: out, base, concurrency: 1 });
  await serial.close();
  timed.push(['one browser, one config at a time', Date.now() - t]);
  // Naive: a browser per config, as a script that launches Chromium for each screenshot would.
  t = Date.now();
  for (const s of subjects) {
    const one = await PreviewRenderer.open(browser, packageEditor(sitePackages));
    await previewSubjects(one, [s], { outDir: out, base });
    await one.close();
  }
  timed.push(['a browser started per config', Date.now() - t]);
  await rm(out, { recursive: true, force: true });
  say('| approach | 10 configs, before + after + side by side | per config |\n|---|---|---|');
  for (const [label, ms] of timed) say(`| ${label} | ${(ms / 1000).toFixed(1)} s | ${(ms / 10000).toFixed(2)} s |`);
  say(
    `ratio: one config at a time takes ${(timed[1]![1] / timed[0]![1]).toFixed(2)}x labelform's time, a browser per config ${(timed[2]![1] / timed[0]![1]).toFixed(2)}x; ${changed} of 10 previews show the added label as a changed region.`,
  );
}

if (want('6')) {
  say("\n## 6. preview of hostile configs, one run each (Debian Chromium, the pinned package's editor, offline)");
  const { benchPreviewHostile } = await import('./preview-hostile.ts');
  await benchPreviewHostile(say);
}

if (want('7')) {
  say('\n## 7. label migration: annotations rewritten, writes per second');
  {
    const ls = await startFakeLabelStudio();
    ls.setLatency(20);
    await benchMigration('fake Label Studio, 20 ms per request', ls, 300);
    await ls.stop();
  }
  const ls = await startLabelStudio({ log: (m) => console.log(`  ${m}`) });
  try {
    await benchMigration(`real Label Studio ${ls.release} on SQLite`, ls, 200);
  } finally {
    await ls.stop();
  }
  const { startPostgres } = await import('../scripts/local-postgres.ts');
  const pg = await startPostgres({ log: (m) => console.log(`  ${m}`) });
  try {
    const lsPg = await startLabelStudio({ log: (m) => console.log(`  ${m}`), env: pg.env });
    try {
      await benchMigration(`real Label Studio ${lsPg.release} on PostgreSQL`, lsPg, 200);
    } finally {
      await lsPg.stop();
    }
  } finally {
    await pg.stop();
  }
}

console.log('\n(figures above; paste them into docs/behaviour.md (Measured) when they change)');

async function writeTasks(path: string, n: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const line = `${JSON.stringify({ text: `Task ${i}: the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.`, source: 'bench', n: i })}\n`;
    bytes += line.length;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return bytes;
}

function timeProcess(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const t = Date.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => res({ code, ms: Date.now() - t, stdout, stderr }));
  });
}

/**
 * Section 7 on one server: `n` imported annotations with `Org` renamed, by the runner 4, 8 and 1
 * at a time (read again, journal with fsync, PATCH), against a bare loop of PATCHes one at a
 * time (no re-read, no journal).
 */
async function benchMigration(where: string, server: { url: string; token: string }, n: number): Promise<void> {
  const { runMigration } = await import('../src/kinds/project/migrate/io-run.ts');
  const { renameLabel } = await import('../test/helpers/label-rename.ts');
  const setup = createClient({ baseUrl: server.url, token: server.token });
  const config =
    '<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="Org"/><Label value="Organization"/></Labels></View>';
  const region = (label: string) =>
    `{"id":"r","from_name":"label","to_name":"text","type":"labels","value":{"start":0,"end":3.0,"labels":["${label}"]}}`;
  const project = async (name: string) => {
    const id = (await setup.createProject({ title: `bench migration ${name}`, label_config: config })).id;
    const tasks = Array.from(
      { length: n },
      (_, i) => `{"data":{"text":"t${i}"},"annotations":[{"result":[${region('Org')}]}]}`,
    );
    await setup.importTasks(id, `[${tasks.join(',')}]`);
    return id;
  };
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  const rows7: Array<[string, number]> = [];
  try {
    for (const concurrency of [4, 8, 1]) {
      const id = await project(`runner ${concurrency}`);
      const client = createClient({ baseUrl: server.url, token: server.token, concurrency });
      const t = Date.now();
      const report = await runMigration(client, {
        projectId: id,
        map: renameLabel('label', 'Org', 'Organization'),
        predictions: 'keep',
        deleteDrafts: false,
        journalPath: join(dir, `j${concurrency}.jsonl`),
        concurrency,
      });
      if (report.counts.annotations !== n || report.failed.length > 0)
        throw new Error(`the bench migration wrote ${report.counts.annotations} of ${n} annotations`);
      rows7.push([`labelform runner, ${concurrency} at a time (read again, journal + fsync, PATCH)`, Date.now() - t]);
      await setup.deleteProject(id);
    }
    const id = await project('loop');
    const client = createClient({ baseUrl: server.url, token: server.token, concurrency: 1 });
    const t = Date.now();
    const tasks = await client.exportAnnotationsAndDrafts(id);
    for (const a of tasks.flatMap((x) => x.annotations))
      await client.writeResult('annotation', a.id, `[${region('Organization')}]`);
    rows7.push(['loop: PATCH each annotation, one at a time (no re-read, no journal)', Date.now() - t]);
    await setup.deleteProject(id);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  say(`\n${where}, ${n} annotations:`);
  say(`| approach | ${n} writes | writes/s |\n|---|---|---|`);
  for (const [label, ms] of rows7) say(`| ${label} | ${(ms / 1000).toFixed(2)} s | ${((n * 1000) / ms).toFixed(1)} |`);
  say(
    `ratio: the runner 4 at a time (the default) writes ${(rows7[3]![1] / rows7[0]![1]).toFixed(2)}x as fast as the bare one-at-a-time loop, ${(rows7[2]![1] / rows7[0]![1]).toFixed(2)}x as fast as itself one at a time; 8 at a time ${(rows7[3]![1] / rows7[1]![1]).toFixed(2)}x the loop.`,
  );
}
