/**
 * Clean output channels in CI: for validate, plan and drift, in text, --markdown and --json, with
 * and without errors, under GITHUB_ACTIONS=true, stdout holds exactly the document asked for
 * (errors included in it) and the workflow commands go to stderr, one annotation per located
 * problem at its file and line. Against the in-repo fake Label Studio.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const fake = useFakeCli(test, { namespace: 'chan' });
const GHA = { GITHUB_ACTIONS: 'true' };

const GOOD = { 'p.yaml': projectYaml('good', '  title: Good project\n  color: "#112233"\n') };
/** A schema error at p.yaml:6:10 (the title is too short). */
const BROKEN = {
  'p.yaml': projectYaml('good', '  title: Good project\n  color: "#112233"\n'),
  'q.yaml': projectYaml('bad', '  title: x\n'),
};

const annotations = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('::'));

/** Asserts stdout is the document asked for, with no workflow command in it. */
function assertDocument(stdout: string, format: 'text' | 'markdown' | 'json'): unknown {
  assert.not.match(stdout, /^::/m, 'no workflow command in the document');
  if (format === 'json') return JSON.parse(stdout);
  if (format === 'markdown') assert.match(stdout, /^<!-- labelform:(plan|drift|validate) -->\n### /);
  return stdout;
}

const formats = [
  ['text', []],
  ['markdown', ['--markdown']],
  ['json', ['--json']],
] as const;

for (const command of ['plan', 'drift'] as const) {
  for (const [format, flags] of formats) {
    test(`${command} ${format}: manifests with an error — the document says it failed and why; one annotation at q.yaml:6:10`, async () => {
      const dir = await fake.repo(BROKEN);
      const r = await fake.cli(dir, [command, ...flags], { env: GHA });
      assert.is(r.code, 1);
      assert.not.ok(hasStackTrace(r.stdout + r.stderr));
      const doc = assertDocument(r.stdout, format);
      // plan prints the generic failure document; drift a drift report with status "error".
      if (format === 'json' && command === 'plan') {
        const j = doc as {
          ok: boolean;
          command: string;
          diagnostics: Array<{ file: string; line: number; col: number }>;
        };
        assert.equal([j.ok, j.command], [false, command]);
        assert.equal(
          j.diagnostics.map((d) => [d.file, d.line, d.col]),
          [['q.yaml', 6, 10]],
        );
      }
      if (format === 'json' && command === 'drift') {
        const j = doc as { status: string; drift: boolean; errors: Array<{ file: string; line: number; col: number }> };
        assert.equal([j.status, j.drift], ['error', false]);
        assert.equal(
          j.errors.map((d) => [d.file, d.line, d.col]),
          [['q.yaml', 6, 10]],
        );
      }
      if (format === 'markdown') {
        assert.match(r.stdout, new RegExp(`### ❌ labelform ${command}( check)? failed`));
        assert.match(r.stdout, /- `q\.yaml:6(:10)?` spec\.title must be at least 3 characters, got 1/);
        assert.not.match(r.stdout, /No drift/);
      }
      assert.equal(annotations(r.stderr), [
        '::error file=q.yaml,line=6,col=10,title=labelform schema::spec.title must be at least 3 characters, got 1',
      ]);
    });

    test(`${command} ${format}: a clean run — the document, and no annotation`, async () => {
      const dir = await fake.repo(GOOD);
      if (command === 'drift') assert.is((await fake.cli(dir, ['apply', '--auto-approve'])).code, 0);
      const r = await fake.cli(dir, [command, ...flags], { env: GHA });
      assert.is(r.code, 0, r.stdout + r.stderr);
      assertDocument(r.stdout, format);
      assert.equal(annotations(r.stderr), []);
    });
  }
}

for (const [format, flags] of formats) {
  test(`plan ${format}: an error found while planning (two projects carry one marker) — in the document, and annotated at the manifest`, async () => {
    const dir = await fake.repo(GOOD);
    const description = withMarker('', { namespace: 'chan', key: 'good' });
    await fake.client.createProject({ title: 'Good project', description, color: '#112233' });
    await fake.client.createProject({ title: 'Good project', description, color: '#112233' });
    await fake.client.importTasks([...fake.ls.state.projects.keys()].at(-1)!, [
      { text: 'keeps the copy a duplicate with data' },
    ]);
    const r = await fake.cli(dir, ['plan', ...flags], { env: GHA });
    assert.is(r.code, 1);
    const doc = assertDocument(r.stdout, format);
    if (format === 'json') assert.is((doc as { summary: { errors: number } }).summary.errors, 1);
    if (format === 'markdown') assert.match(r.stdout, /^<!-- labelform:plan -->\n### ❌ labelform plan failed/);
    assert.match(r.stdout, /2 projects carry the marker of \\?"good\\?"/);
    const [annotation, ...rest] = annotations(r.stderr);
    assert.match(
      annotation!,
      /^::error file=p\.yaml,line=4,col=\d+,title=labelform duplicate-marker::2 projects carry the marker of "good"/,
    );
    assert.equal(rest, []);
  });
}

test('validate: text, --json and GITHUB_ACTIONS — annotations only on stderr', async () => {
  const dir = await fake.repo(BROKEN);
  for (const flags of [[], ['--json']]) {
    const r = await fake.cli(dir, ['validate', ...flags], { env: GHA });
    assert.is(r.code, 1);
    if (flags.length) JSON.parse(r.stdout);
    else assert.is(r.stdout, '');
    assert.equal(annotations(r.stderr), [
      '::error file=q.yaml,line=6,col=10,title=labelform schema::spec.title must be at least 3 characters, got 1',
    ]);
  }
});

test('plan --json against an unreachable server: a JSON failure document, an unlocated error annotation', async () => {
  const dir = await fake.repo(GOOD);
  const r = await fake.cli(dir, ['plan', '--json'], { env: GHA, url: 'http://127.0.0.1:9' });
  assert.is(r.code, 1);
  const j = JSON.parse(r.stdout) as { ok: boolean; error: { message: string } };
  assert.is(j.ok, false);
  assert.match(j.error.message, /127\.0\.0\.1:9/);
  const [annotation] = annotations(r.stderr);
  assert.match(annotation!, /^::error title=labelform error::.*127\.0\.0\.1:9/);
});

test.run();
