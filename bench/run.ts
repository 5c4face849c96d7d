/**
 * `npm run bench`: side-by-side measurements, printed as figures and ratios (nothing asserted:
 * these machines are noisy).
 *   1. plan: 1,000 managed projects on the fake Label Studio with 20 ms per request, against a
 *      loop that GETs each project.
 *   2. validate: 200 manifests, in process.
 *   3. tasks import of 100,000 tasks into a real Label Studio, on SQLite and on PostgreSQL:
 *      labelform against the Label Studio SDK's `import_tasks`, one call with the whole file and
 *      batches of 2,500, three rounds each, interleaved, with peak memory and the server's CPU
 *      time (LABELFORM_BENCH_DB=sqlite or postgresql for one of them).
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
 *   8. 10,000 managed projects: `plan`, `plan --prune` and `validate` as whole processes
 *      (requests, wall time, peak RSS), on the fake with 20 ms per request.
 *   9. apply of 1,000 creates into a real Label Studio (SQLite and PostgreSQL;
 *      LABELFORM_BENCH_DB for one): `labelform apply` as whole processes (its plan's reads, the
 *      POSTs, the checks after each create, the last look) against a loop of raw
 *      `POST /api/projects/` with the same bodies and no checks, in interleaved rounds on one server.
 *  10. `plan --prune` and `drift` of 1,000 managed projects beside 300 others on a real Label
 *      Studio (SQLite): requests and time, against reading each project's ML backends, import and
 *      export storages (what they cost before the marker recorded children); then with ML
 *      backends declared under 3 projects, and their deletion planned once git drops them.
 *  11. `watch` soak on a real Label Studio (SQLite): 100 managed projects, a person-like editor
 *      changing titles at random for a few minutes (LABELFORM_BENCH_SOAK_MINUTES, default 3), two
 *      watchers side by side: `--listen` (webhooks) and polling alone, the same interval (30 s);
 *      detection latency percentiles of each, requests per cycle, memory at start and end.
 * Pass section numbers to run only some: `npm run bench -- 1 2`.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '../src/api/client.ts';
import { loadRepository } from '../src/state/load-repository.ts';
import { LOOKUP_INCLUDE, readAllProjects } from '../src/kinds/project/project-list.ts';
import { runCli } from '../test/helpers/cli.ts';
import { startFakeLabelStudio } from '../test/fake/label-studio-fake.ts';
import { thousandManagedProjects } from '../test/helpers/scale.ts';
import { startFaultProxy } from '../test/helpers/fault-proxy.ts';
import { parseMarker, stripMarker, withMarker } from '../src/kinds/project/marker.ts';
import { startLabelStudio, VENV_DIR } from '../scripts/local-label-studio.ts';
import { startPostgres } from '../scripts/local-postgres.ts';

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
  // Which databases: LABELFORM_BENCH_DB=sqlite|postgresql|both (both when PostgreSQL is installed).
  const dbs =
    (process.env.LABELFORM_BENCH_DB ?? 'both') === 'both'
      ? ['sqlite', 'postgresql']
      : [process.env.LABELFORM_BENCH_DB!];
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  const file = join(dir, 'big.jsonl');
  const fileBytes = await writeTasks(file, 100_000);
  for (const db of dbs) {
    if (db === 'postgresql' && !existsSync('/usr/lib/postgresql')) {
      say(`\n(PostgreSQL is not installed: section 3 ran on SQLite only)`);
      continue;
    }
    await benchImport(db as 'sqlite' | 'postgresql', file, fileBytes);
  }
  await rm(dir, { recursive: true, force: true });
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
      'labelform apply: POST; what is new read only after an id that leaves a gap (settled)',
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

if (want('8')) {
  say('\n## 8. 10,000 managed projects: plan (fake Label Studio, 20 ms per request) and validate');
  const ls = await startFakeLabelStudio();
  // Markers as this version's apply writes them: each records the kinds of children it carries (none here).
  const dir = await thousandManagedProjects(ls, 10_000, { record: true });
  ls.setLatency(20);
  const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token, LABELFORM_REPORT_MAXRSS: '1' };
  say('| command | requests | wall time (whole process) | peak RSS |\n|---|---|---|---|');
  const run = async (name: string, args: readonly string[]) => {
    ls.resetRequestCount();
    const r = await timeProcess(`${ROOT}bin/labelform.js`, [...args], env);
    if (r.code !== 0) throw new Error(`${name}: exit ${r.code}: ${r.stderr.slice(0, 400)}`);
    const rss = Number(/labelform-maxrss-kib=(\d+)/.exec(r.stderr)?.[1] ?? 0);
    say(`| ${name} | ${ls.requestCount} | ${(r.ms / 1000).toFixed(2)} s | ${(rss / 1024).toFixed(0)} MiB |`);
  };
  await run('plan', ['plan', '--json', '-C', dir]);
  await run('plan --prune', ['plan', '--prune', '--json', '-C', dir]);
  await run('validate', ['validate', dir]);
  // The same projects with markers older than the record of children (or written by `labelform
  // import`): --prune reads ML backends, import and export storages of each, as before.
  for (const p of ls.state.projects.values()) {
    const description = String(p.fields.description ?? '');
    const marker = parseMarker(description);
    if (marker) p.fields.description = withMarker(stripMarker(description), marker);
  }
  await run('plan --prune, older markers', ['plan', '--prune', '--json', '-C', dir]);
  await ls.stop();
  await rm(dir, { recursive: true, force: true });
  say('(the list pages alone: 100 requests of 100 projects)');
}

if (want('9')) {
  say('\n## 9. apply: 1,000 creates on a real Label Studio, against a loop of raw POSTs');
  const dbs = (process.env.LABELFORM_BENCH_DB ? [process.env.LABELFORM_BENCH_DB] : ['sqlite', 'postgresql']) as Array<
    'sqlite' | 'postgresql'
  >;
  for (const db of dbs) await benchCreates(db, Number(process.env.LABELFORM_BENCH_CREATES ?? 1000));
}

if (want('10')) {
  say('\n## 10. plan --prune and drift of 1,000 managed projects on a real Label Studio (SQLite)');
  await benchPruneReads(Number(process.env.LABELFORM_BENCH_PROJECTS ?? 1000));
}

if (want('11')) {
  say('\n## 11. watch soak: a person-like editor, --listen against polling alone, on a real Label Studio (SQLite)');
  await benchWatchSoak(Number(process.env.LABELFORM_BENCH_SOAK_MINUTES ?? 3));
}

console.log('\n(figures above; paste them into docs/behaviour.md (Measured) when they change)');

/**
 * Section 3: `labelform tasks import` of 100,000 tasks against the Label Studio SDK's
 * `projects.import_tasks` (the release the pinned server installs, label-studio-sdk 2.1.2, run
 * from the server's own virtual environment), once with the whole file and in batches of 2,500:
 * each approach three times, interleaved (the order turns every round), on one server, every run
 * into a fresh project that is deleted afterwards. Whole processes are timed (interpreter start,
 * reading the file, sending), with their peak RSS and the CPU time the server spent, which the
 * other processes on the machine disturb far less than the wall time.
 */
async function benchImport(db: 'sqlite' | 'postgresql', file: string, fileBytes: number): Promise<void> {
  const pg = db === 'postgresql' ? await startPostgres({ log: (m) => console.log(`  ${m}`) }) : undefined;
  const ls = await startLabelStudio({ log: (m) => console.log(`  ${m}`), env: { ...(pg?.env ?? {}) } });
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const serverCpu = () => {
    const fields = readFileSync(`/proc/${ls.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const python = join(VENV_DIR, 'bin', 'python');
  const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
  // LABELFORM_BENCH_IMPORT_SIZES=a,b: labelform's two batch sizes (default 2,500 and 10,000);
  // LABELFORM_BENCH_ROUNDS: rounds (default 3).
  const importSizes = (process.env.LABELFORM_BENCH_IMPORT_SIZES ?? '2500,10000').split(',').map(Number).slice(0, 2);
  const rounds = Number(process.env.LABELFORM_BENCH_ROUNDS ?? 3);
  const approaches: Array<{
    label: string;
    run: (project: number) => Promise<{ code: number | null; ms: number; rssKiB: number; tasks: number; note: string }>;
  }> = [
    ...importSizes.map((size) => ({
      label: `labelform tasks import (batches of ${size.toLocaleString('en')})`,
      run: async (project: number) => {
        const r = await timeProcess(
          `${ROOT}bin/labelform.js`,
          ['tasks', 'import', String(project), file, '--quiet', '--batch-size', String(size)],
          { ...env, LABELFORM_REPORT_MAXRSS: '1' },
        );
        await rm(`${file}.labelform-import.json`, { force: true });
        return {
          code: r.code,
          ms: r.ms,
          rssKiB: Number(/labelform-maxrss-kib=(\d+)/.exec(r.stderr)?.[1] ?? 0),
          tasks: Number(/Imported (\d+) tasks/.exec(r.stdout)?.[1] ?? 0),
          note: r.code === 0 ? '' : r.stderr.slice(0, 300),
        };
      },
    })),
    ...[0, 2500].map((batch) => ({
      label:
        batch === 0
          ? 'SDK import_tasks, one call with the whole file'
          : `SDK import_tasks, batches of ${batch.toLocaleString('en')}`,
      run: async (project: number) => {
        const r = await timeProcess(python, [
          `${ROOT}bench/sdk-import.py`,
          ls.url,
          ls.token,
          String(project),
          file,
          String(batch),
        ]);
        const out = JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as {
          tasks?: number;
          sdk?: string;
          maxRssKiB?: number;
        };
        return {
          code: r.code,
          ms: r.ms,
          rssKiB: out.maxRssKiB ?? 0,
          tasks: out.tasks ?? 0,
          note: r.code === 0 ? `SDK ${out.sdk}` : r.stderr.slice(-300),
        };
      },
    })),
  ];
  const results = approaches.map(() => [] as Array<{ ms: number; rssKiB: number; cpu: number }>);
  // Deleting a project of 100,000 tasks takes PostgreSQL past the client's usual 30 s.
  const client = createClient({ baseUrl: ls.url, token: ls.token, timeoutMs: 1_800_000 });
  const config =
    '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/></Choices></View>';
  const loadBefore = load();
  let sdkVersion = '';
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < approaches.length; k++) {
        const i = (k + round) % approaches.length;
        const a = approaches[i]!;
        const project = (await client.createProject({ title: `bench import ${round} ${i}`, label_config: config })).id;
        const cpu0 = serverCpu();
        const r = await a.run(project);
        const cpu = serverCpu() - cpu0;
        const stored = Number((await client.getProject(project)).task_number ?? 0);
        if (r.code !== 0 || r.tasks !== 100_000 || stored !== 100_000)
          throw new Error(`${a.label}: exit ${r.code}, ${r.tasks} tasks reported, ${stored} on the server ${r.note}`);
        if (r.note.startsWith('SDK ')) sdkVersion = r.note.slice(4);
        results[i]!.push({ ms: r.ms, rssKiB: r.rssKiB, cpu });
        console.log(
          `  round ${round + 1}: ${a.label}: ${(r.ms / 1000).toFixed(1)} s, ${(r.rssKiB / 1024).toFixed(0)} MiB, server CPU ${cpu.toFixed(1)} s`,
        );
        await client.deleteProject(project);
      }
    }
  } finally {
    await ls.stop();
    await pg?.stop();
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  say(
    `\n## 3. tasks import of 100,000 tasks (JSON Lines, ${(fileBytes / 1048576).toFixed(1)} MiB) into Label Studio ${ls.release} on ${db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: labelform against the SDK (label-studio-sdk ${sdkVersion}), ${rounds} round(s), interleaved`,
  );
  say(
    `load average before ${loadBefore}, after ${load()} (${cpus().length} cores, shared with other work; this run at nice ${getPriority()})`,
  );
  say('| approach | wall time, 3 rounds | median | peak RSS | server CPU, median |\n|---|---|---|---|---|');
  approaches.forEach((a, i) => {
    const r = results[i]!;
    say(
      `| ${a.label} | ${r.map((x) => `${(x.ms / 1000).toFixed(1)} s`).join(', ')} | **${(median(r.map((x) => x.ms)) / 1000).toFixed(1)} s** | ${(Math.max(...r.map((x) => x.rssKiB)) / 1024).toFixed(0)} MiB | ${median(r.map((x) => x.cpu)).toFixed(1)} s |`,
    );
  });
  const [lf, lf10k, single, batched] = results.map((r) => ({
    ms: median(r.map((x) => x.ms)),
    rss: Math.max(...r.map((x) => x.rssKiB)),
    cpu: median(r.map((x) => x.cpu)),
  }));
  say(
    `ratio (median wall time of the SDK / labelform's, above 1 is labelform faster): ${(single!.ms / lf!.ms).toFixed(2)}x the SDK's one call (${(single!.ms / lf10k!.ms).toFixed(2)}x with batches of ${importSizes[1]!.toLocaleString('en')}), ${(batched!.ms / lf!.ms).toFixed(2)}x its batches of 2,500; peak memory ${(lf!.rss / single!.rss).toFixed(2)} of the one call's, ${(lf!.rss / batched!.rss).toFixed(2)} of the batched calls'; server CPU ${(lf!.cpu / single!.cpu).toFixed(2)} of the one call's.`,
  );
}

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

/**
 * Section 9 on one server holding 300 projects nobody manages: `creates` projects made by
 * `labelform apply` (a whole process per round: the plan's reads, then each POST and the check
 * after it, then the last look) and by a loop of raw `POST /api/projects/` one at a time with the
 * same bodies (title and the marker in the description) and no checks: the server's own create,
 * the floor. Four rounds of a quarter each, in the order apply, loop, loop, apply, so that the
 * table growing under them weighs on both alike.
 */
async function benchCreates(db: 'sqlite' | 'postgresql', creates: number): Promise<void> {
  const pg = db === 'postgresql' ? await startPostgres({ log: (m) => console.log(`  ${m}`) }) : undefined;
  const ls = await startLabelStudio({ log: (m) => console.log(`  ${m}`), env: { ...(pg?.env ?? {}) } });
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  try {
    const client = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 1 });
    for (let i = 0; i < 300; i++) await client.createProject({ title: `Someone else's ${i}` });
    const quarter = Math.ceil(creates / 4);
    const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token, LABELFORM_REPORT_MAXRSS: '1' };
    const total = { apply: 0, loop: 0 };
    let made = 0;
    for (const [round, how] of (['apply', 'loop', 'loop', 'apply'] as const).entries()) {
      const namespace = `bench-${round}`;
      const title = (i: number) => `Round ${round} project ${i}`;
      if (how === 'apply') {
        const repo = join(dir, namespace);
        await rm(repo, { recursive: true, force: true });
        await mkdir(repo, { recursive: true });
        await writeFile(
          join(repo, 'labelform.yaml'),
          `apiVersion: labelform/v1\nkind: Config\nnamespace: ${namespace}\n`,
        );
        for (let i = 0; i < quarter; i++)
          await writeFile(
            join(repo, `p${i}.yaml`),
            `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: p${i}\nspec:\n  title: ${title(i)}\n`,
          );
        const r = await timeProcess(`${ROOT}bin/labelform.js`, ['apply', '--auto-approve', '-C', repo], env);
        if (r.code !== 0) throw new Error(`apply: exit ${r.code}: ${r.stderr.slice(0, 400)}`);
        total.apply += r.ms;
      } else {
        const t = Date.now();
        for (let i = 0; i < quarter; i++)
          await client.createProject({
            title: title(i),
            description: withMarker('', { namespace, key: `p${i}` }),
          });
        total.loop += Date.now() - t;
      }
      made += quarter;
      console.log(`  round ${round + 1} (${how}): ${made} made`);
    }
    const all = await readAllProjects(client, LOOKUP_INCLUDE);
    const carried = all.filter((p) => parseMarker(String(p.description ?? ''))?.namespace.startsWith('bench-')).length;
    if (carried !== quarter * 4) throw new Error(`expected ${quarter * 4} projects made, found ${carried}`);
    say(`\nreal Label Studio ${ls.release} on ${db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, 300 other projects:`);
    say(`| approach | ${2 * quarter} creates | per create |\n|---|---|---|`);
    say(
      `| labelform apply (2 processes: plan reads, POSTs, a read after any create whose id leaves a gap, last look) | ${(total.apply / 1000).toFixed(1)} s | ${(total.apply / (2 * quarter)).toFixed(0)} ms |`,
    );
    say(
      `| loop: raw POST /api/projects/, one at a time, no checks | ${(total.loop / 1000).toFixed(1)} s | ${(total.loop / (2 * quarter)).toFixed(0)} ms |`,
    );
    say(`ratio: labelform apply takes ${(total.apply / total.loop).toFixed(2)}x the time of the raw POST loop`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await ls.stop();
    await pg?.stop();
  }
}

/**
 * Section 10: 1,000 projects applied in one namespace beside 300 that nobody manages, on the real
 * Label Studio. `plan --prune` and `drift` (whole processes; requests from their JSON) against the
 * reads they made before the marker recorded children (ML backends, import and export storages of
 * every managed project, 4 at a time as the client allows); then 3 ML backends declared and
 * applied, measured again, and dropped from git: `plan --prune` must plan all 3 deletions.
 */
async function benchPruneReads(count: number): Promise<void> {
  const { startMlBackend } = await import('../test/helpers/ml-backend.ts');
  // The ML backends run on 127.0.0.1: the server's SSRF checks would refuse them (as in the tests).
  const ls = await startLabelStudio({
    log: (m) => console.log(`  ${m}`),
    env: { SSRF_PROTECTION_ENABLED: 'false', ML_BLOCK_LOCAL_IP: 'false' },
  });
  const ml = await startMlBackend();
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  const proxies: Array<{ close(): Promise<void> }> = [];
  try {
    const client = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 4 });
    for (let i = 0; i < 300; i++) await client.createProject({ title: `Someone else's ${i}` });
    await writeFile(join(dir, 'labelform.yaml'), 'apiVersion: labelform/v1\nkind: Config\nnamespace: scale\n');
    for (let i = 0; i < count; i++)
      await writeFile(
        join(dir, `p${i}.yaml`),
        `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: p${i}\nspec:\n  title: Scale ${i}\n`,
      );
    // Requests are counted by a pass-through proxy in front of the server.
    const proxy = await startFaultProxy(ls.url);
    proxies.push(proxy);
    const env = { LABEL_STUDIO_URL: proxy.url, LABEL_STUDIO_API_KEY: ls.token };
    const applied = await timeProcess(`${ROOT}bin/labelform.js`, ['apply', '--auto-approve', '-C', dir], env);
    if (applied.code !== 0) throw new Error(`apply: exit ${applied.code}: ${applied.stderr.slice(0, 400)}`);
    say(
      `(the ${count} projects made by one apply in ${(applied.ms / 1000).toFixed(1)} s, ${proxy.seen.length} requests)`,
    );
    const measure = async (args: string[]): Promise<[number, number, string]> => {
      proxy.clear();
      const r = await timeProcess(`${ROOT}bin/labelform.js`, [...args, '--json', '-C', dir], env);
      if (r.code !== 0 && r.code !== 2) throw new Error(`${args.join(' ')}: exit ${r.code}: ${r.stderr.slice(0, 400)}`);
      return [proxy.seen.length, r.ms, r.stdout];
    };
    const table: Array<[string, number, number]> = [];
    const row = async (label: string, args: string[]) => {
      const [requests, ms] = await measure(args);
      table.push([label, requests, ms]);
    };
    await row('plan', ['plan']);
    await row('plan --prune', ['plan', '--prune']);
    await row('drift', ['drift']);
    // Before the record of children: three reads for every managed project.
    const ids = (await readAllProjects(client, LOOKUP_INCLUDE))
      .filter((p) => parseMarker(String(p.description ?? ''))?.namespace === 'scale')
      .map((p) => p.id);
    const t = Date.now();
    await Promise.all(
      ids.flatMap((id) => [
        client.http.request('GET', '/api/ml/', { params: { project: id } }),
        client.http.request('GET', '/api/storages/', { params: { project: id } }),
        client.http.request('GET', '/api/storages/export', { params: { project: id } }),
      ]),
    );
    table.push([
      'naive: the per-project reads of ML backends and storages alone, 4 at a time',
      ids.length * 3,
      Date.now() - t,
    ]);
    for (let i = 0; i < 3; i++)
      await writeFile(
        join(dir, `ml${i}.yaml`),
        `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: model-${i}\nspec:\n  project: p${i * 7}\n  url: ${ml.url}\n  title: Model ${i}\n`,
      );
    const withMl = await timeProcess(`${ROOT}bin/labelform.js`, ['apply', '--auto-approve', '-C', dir], env);
    if (withMl.code !== 0) throw new Error(`apply: exit ${withMl.code}: ${withMl.stderr.slice(0, 400)}`);
    await row('plan --prune, 3 ML backends declared', ['plan', '--prune']);
    await row('drift, 3 ML backends declared', ['drift']);
    for (let i = 0; i < 3; i++) await rm(join(dir, `ml${i}.yaml`));
    const [requests, ms, out] = await measure(['plan', '--prune']);
    table.push(['plan --prune, the 3 ML backends gone from git', requests, ms]);
    const deletes = (JSON.parse(out) as { changes: Array<{ action: string; kind: string }> }).changes.filter(
      (c) => c.action === 'delete' && c.kind === 'MlBackend',
    ).length;
    if (deletes !== 3) throw new Error(`plan --prune planned ${deletes} of the 3 ML backend deletions`);
    say(`| command (${count} managed, 300 others) | requests | wall time (whole process) |\n|---|---|---|`);
    for (const [label, r, msTaken] of table) say(`| ${label} | ${r} | ${(msTaken / 1000).toFixed(2)} s |`);
    const pruneRow = table[1]!;
    const naive = table[3]!;
    say(
      `ratio: plan --prune sends ${(naive[1] / pruneRow[1]).toFixed(0)}x fewer requests than the per-project reads alone, in ${(pruneRow[2] / naive[2]).toFixed(2)}x their time; the 3 ML backends dropped from git: 3 deletions planned`,
    );
  } finally {
    for (const p of proxies) await p.close();
    await rm(dir, { recursive: true, force: true });
    await ml.stop();
    await ls.stop();
  }
}

/**
 * Section 11: two `watch --json --metrics` processes on one checkout of 100 managed projects, one
 * with `--listen` and one polling, both every 30 s; an editor changes a random project's title
 * every 1-5 s (to an edited one, or back to git's), and each watcher's latency is the time from
 * the PATCH to its event naming that project (`drift` or `resolved`). At the end: percentiles, what
 * was never seen within 60 s, requests per cycle and the resident memory after the first cycle and
 * at the end (from each watcher's /metrics).
 */
async function benchWatchSoak(minutes: number): Promise<void> {
  const ls = await startLabelStudio({
    log: (m) => console.log(`  ${m}`),
    env: { SSRF_PROTECTION_ENABLED: 'false' },
  });
  const dir = await mkdtemp(join(tmpdir(), 'labelform-bench-'));
  const count = 100;
  const watchers: Array<ReturnType<typeof spawn>> = [];
  try {
    await writeFile(join(dir, 'labelform.yaml'), 'apiVersion: labelform/v1\nkind: Config\nnamespace: soak\n');
    for (let i = 0; i < count; i++)
      await writeFile(
        join(dir, `p${i}.yaml`),
        `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: p${i}\nspec:\n  title: Soak ${i}\n`,
      );
    const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token };
    const applied = await timeProcess(`${ROOT}bin/labelform.js`, ['apply', '--auto-approve', '-C', dir], env);
    if (applied.code !== 0) throw new Error(`apply: exit ${applied.code}: ${applied.stderr.slice(0, 400)}`);
    const client = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 4 });
    const ids = new Map<string, number>();
    for (const p of await readAllProjects(client, LOOKUP_INCLUDE)) {
      const m = parseMarker(String(p.description ?? ''));
      if (m?.namespace === 'soak') ids.set(m.key, p.id);
    }
    interface Watcher {
      readonly label: string;
      readonly seen: Array<{ key: string; at: number }>;
      metricsUrl: string;
      ready: boolean;
    }
    const start = (label: string, extra: string[]): Watcher => {
      const w: Watcher = { label, seen: [], metricsUrl: '', ready: false };
      const child = spawn(
        `${ROOT}bin/labelform.js`,
        ['watch', '--json', '--interval', '30s', '--metrics', '127.0.0.1:0', ...extra, '-C', dir],
        {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      watchers.push(child);
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
          const e = JSON.parse(out.slice(0, nl)) as { key?: string };
          out = out.slice(nl + 1);
          if (e.key) w.seen.push({ key: e.key, at: Date.now() });
        }
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        for (let nl = err.indexOf('\n'); nl >= 0; nl = err.indexOf('\n')) {
          const line = JSON.parse(err.slice(0, nl)) as { msg?: string; url?: string };
          err = err.slice(nl + 1);
          if (line.msg === 'serving /healthz and /metrics' && line.url) w.metricsUrl = line.url;
          // Ready: the listening one once its webhooks are on the projects, the other once it runs.
          const readyWhen = extra.length ? 'webhooks kept on the managed projects' : 'watching';
          if ((line.msg ?? '').startsWith(readyWhen)) w.ready = true;
        }
      });
      return w;
    };
    const listening = start('--listen (webhooks)', ['--listen', '127.0.0.1:0']);
    const polling = start('polling alone', []);
    const metric = async (w: Watcher, name: string) => {
      const text = await (await fetch(`${w.metricsUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    const deadline = Date.now() + 120_000;
    while (!(listening.ready && polling.ready && listening.metricsUrl && polling.metricsUrl)) {
      if (Date.now() > deadline) throw new Error('the watchers did not start within 2 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Let the polling watcher finish its first cycle too.
    await new Promise((r) => setTimeout(r, 3_000));
    const rss0 = [
      await metric(listening, 'process_resident_memory_bytes'),
      await metric(polling, 'process_resident_memory_bytes'),
    ];
    const edits: Array<{ key: string; at: number }> = [];
    const edited = new Set<string>();
    const end = Date.now() + minutes * 60_000;
    while (Date.now() < end) {
      const i = Math.floor(Math.random() * count);
      const key = `p${i}`;
      // Never the same project twice within 60 s: each edit gets an event of its own.
      if (edits.some((e) => e.key === key && Date.now() - e.at < 60_000)) continue;
      const back = edited.has(key);
      await client.updateProject(ids.get(key)!, { title: back ? `Soak ${i}` : `Soak ${i} (edited)` });
      if (back) edited.delete(key);
      else edited.add(key);
      edits.push({ key, at: Date.now() });
      await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 4_000));
    }
    await new Promise((r) => setTimeout(r, 60_000));
    const rss1 = [
      await metric(listening, 'process_resident_memory_bytes'),
      await metric(polling, 'process_resident_memory_bytes'),
    ];
    say(`${edits.length} edits in ${minutes} min on ${count} managed projects; interval 30 s for both`);
    say(
      '| watcher | p50 | p90 | p99 | max | not seen in 60 s | requests per cycle | RSS after the first cycle → end |',
    );
    say('|---|---|---|---|---|---|---|---|');
    for (const [k, w] of [listening, polling].entries()) {
      const lat = edits
        .map((e) => w.seen.find((s) => s.key === e.key && s.at >= e.at && s.at - e.at <= 60_000)?.at ?? Infinity)
        .map((at, j) => at - edits[j]!.at)
        .sort((a, b) => a - b);
      const q = (p: number) => {
        const v = lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
        return Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : '—';
      };
      const cycles = await metric(w, 'labelform_watch_cycles_total');
      const requests = await metric(w, 'labelform_watch_requests_total');
      say(
        `| ${w.label} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | ${q(1)} | ${lat.filter((v) => !Number.isFinite(v)).length} | ${(requests / cycles).toFixed(1)} (${cycles} cycles) | ${(rss0[k]! / 1048576).toFixed(0)} → ${(rss1[k]! / 1048576).toFixed(0)} MiB |`,
      );
    }
  } finally {
    for (const w of watchers) w.kill('SIGTERM');
    await ls.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
