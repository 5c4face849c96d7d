/**
 * How `validate` reports: the text lines and summary, `--json`, and GitHub Actions annotations.
 */
import { basename, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDiagnostic, formatGithubAnnotation } from '../../src/util/diagnostics.ts';
import { hasStackTrace, runCli } from '../helpers/cli.ts';
import {
  blockXml,
  cleanupTrees,
  projectYaml,
  ROOT_CONFIG,
  tree,
  VALID_XML,
} from '../unit/support/validate-fixtures.ts';

test.after(cleanupTrees);

/**
 * Two errors (schema in p.yaml, label config in q.yaml) and one warning (unset env). They sit in
 * two files because a manifest with schema errors is not cross-checked further.
 */
const BROKEN = {
  'labelform.yaml': ROOT_CONFIG,
  'p.yaml': projectYaml('p1', '  title: Hi\n  task_data_password: ${env:TASK_PW}\n'),
  'q.yaml': projectYaml(
    'q1',
    blockXml(
      '<View>\n  <Text name="t" value="$t"/>\n  <Labels name="l" toName="x"><Label value="A"/></Labels>\n</View>',
    ),
  ),
};

const CLEAN = {
  'labelform.yaml': ROOT_CONFIG,
  'b.yaml': projectYaml('beta', '  title: Second\n  label_config:\n    ref: shared\n'),
  'a.yaml': projectYaml('alpha', '  title: First\n  label_config:\n    ref: shared\n'),
  'shared.yaml':
    'apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: shared\nspec:\n  label_config:\n    file: shared.xml\n',
  'shared.xml': VALID_XML,
};

test('text: one `file:line:col: severity: message (where)` line per problem, then a summary', async () => {
  const dir = await tree(BROKEN);
  const r = await runCli(['validate', dir], { cwd: dir });
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.is(
    r.stderr,
    [
      'p.yaml:6:10: error: spec.title must be at least 3 characters, got 2 (at /spec/title)',
      'p.yaml:7:23: warning: TASK_PW is not set; this value is not checked offline and plan will need it (at /spec/task_data_password)',
      'q.yaml:9:7: error: toName="x" names no tag; object tags here: t (in <Labels name="l">)',
      '✖ 2 errors, 1 warning in 3 manifest files',
      '',
    ].join('\n'),
  );
});

test('text: a clean run prints one line to stdout and exits 0', async () => {
  const dir = await tree(CLEAN);
  const r = await runCli(['validate', dir], { cwd: dir });
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /^✔ 4 manifest files valid: 2 projects, 1 label config, namespace "test" \(\d+ ms\)\n$/);
  // Warnings alone do not fail validation, and are counted.
  const warn = await tree({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p1', '  task_data_password: ${env:TASK_PW}\n'),
  });
  const w = await runCli(['validate', warn], { cwd: warn });
  assert.is(w.code, 0);
  assert.match(
    w.stdout,
    /^✔ 2 manifest files valid: 1 project, 0 label configs, namespace "test", 1 warning \(\d+ ms\)\n$/,
  );
  assert.match(w.stderr, /^p\.yaml:6:23: warning: TASK_PW is not set/);
});

test('--json: the diagnostics as data, on stdout only', async () => {
  const dir = await tree(BROKEN);
  const r = await runCli(['validate', dir, '--json'], { cwd: dir });
  assert.is(r.code, 1);
  assert.is(r.stderr, '');
  assert.equal(JSON.parse(r.stdout), {
    valid: false,
    files: 3,
    errors: 2,
    warnings: 1,
    projects: [],
    labelConfigs: [],
    diagnostics: [
      {
        severity: 'error',
        code: 'schema',
        message: 'spec.title must be at least 3 characters, got 2',
        file: 'p.yaml',
        line: 6,
        col: 10,
        pointer: '/spec/title',
      },
      {
        severity: 'warning',
        code: 'env-unset',
        message: 'TASK_PW is not set; this value is not checked offline and plan will need it',
        file: 'p.yaml',
        line: 7,
        col: 23,
        pointer: '/spec/task_data_password',
      },
      {
        severity: 'error',
        code: 'config-toname',
        message: 'toName="x" names no tag; object tags here: t',
        file: 'q.yaml',
        line: 9,
        col: 7,
        element: '<Labels name="l">',
      },
    ],
  });
});

test('--json: a clean run lists what was loaded', async () => {
  const dir = await tree(CLEAN);
  const r = await runCli(['validate', dir, '--json'], { cwd: dir });
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  assert.equal(JSON.parse(r.stdout), {
    valid: true,
    files: 4,
    errors: 0,
    warnings: 0,
    projects: ['alpha', 'beta'],
    labelConfigs: ['shared'],
    diagnostics: [],
  });
});

test('--json: bad input is still JSON, without a stack trace', async () => {
  const dir = await tree({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': Buffer.concat([Buffer.from('apiVersion: labelform/v1\n'), Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a])]),
  });
  const r = await runCli(['validate', dir, '--json'], { cwd: dir });
  assert.is(r.code, 1);
  assert.is(hasStackTrace(r.stdout + r.stderr), false);
  const out = JSON.parse(r.stdout) as { diagnostics: Array<{ code: string; line: number; col: number }> };
  assert.equal(
    out.diagnostics.map((d) => [d.code, d.line, d.col]),
    [['not-utf8', 2, 4]],
  );
});

const annotationsIn = (text: string) => text.split('\n').filter((l) => l.startsWith('::'));

test('GITHUB_ACTIONS=true: an ::error / ::warning annotation per problem on stderr (never in the stdout document), plus the usual lines', async () => {
  const dir = await tree(BROKEN);
  const r = await runCli(['validate', dir], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.equal(annotationsIn(r.stderr), [
    '::error file=p.yaml,line=6,col=10,title=labelform schema::spec.title must be at least 3 characters, got 2',
    '::error file=q.yaml,line=9,col=7,title=labelform config-toname::toName="x" names no tag; object tags here: t',
    '::warning file=p.yaml,line=7,col=23,title=labelform env-unset::TASK_PW is not set; this value is not checked offline and plan will need it',
  ]);
  assert.match(r.stderr, /^p\.yaml:6:10: error: spec\.title/);
  // Paths are the repository's (GITHUB_WORKSPACE), wherever the command ran from.
  const nested = await runCli(['validate', dir], {
    cwd: dir,
    env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: join(dir, '..') },
  });
  assert.match(annotationsIn(nested.stderr)[0]!, new RegExp(`^::error file=${basename(dir)}/p\\.yaml,line=6,col=10,`));
  // Outside Actions (or with any other value) there are no annotations.
  for (const env of [{}, { GITHUB_ACTIONS: 'false' }]) {
    const plain = await runCli(['validate', dir], { cwd: dir, env });
    assert.equal(annotationsIn(plain.stdout + plain.stderr), []);
  }
});

test('GITHUB_ACTIONS=true: 10 annotations per severity (GitHub shows no more), then one notice saying how many more are in the log', async () => {
  const files: Record<string, string> = { 'labelform.yaml': ROOT_CONFIG };
  for (let i = 0; i < 12; i++) files[`p${String(i).padStart(2, '0')}.yaml`] = projectYaml(`p${i}`, '  title: x\n');
  const dir = await tree(files);
  const r = await runCli(['validate', dir], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  const annotations = annotationsIn(r.stderr);
  assert.is(annotations.length, 11);
  assert.ok(
    annotations
      .slice(0, 10)
      .every((a) =>
        /^::error file=p\d\d\.yaml,line=6,col=10,title=labelform schema::spec\.title must be at least 3 characters, got 1$/.test(
          a,
        ),
      ),
  );
  assert.is(annotations[10], "::notice title=labelform::2 more errors than GitHub shows per step: see this step's log");
  assert.is(r.stderr.split('\n').filter((l) => /^p\d\d\.yaml:6:10: error:/.test(l)).length, 12, 'the log keeps all');
});

test('GITHUB_ACTIONS=true with --json: stdout stays pure JSON, the annotations go to stderr', async () => {
  const dir = await tree(BROKEN);
  const r = await runCli(['validate', dir, '--json'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
  assert.is(r.code, 1);
  assert.not.match(r.stdout, /::error/);
  assert.is((JSON.parse(r.stdout) as { errors: number }).errors, 2);
  assert.is(annotationsIn(r.stderr).length, 3);
});

test('annotation escaping: % CR LF in the message; also : and , in properties', () => {
  assert.is(
    formatGithubAnnotation({
      severity: 'error',
      code: 'schema',
      message: '50% done\r\nnext: a, b',
      file: 'dir,x/a:b.yaml',
      line: 3,
      col: 4,
    }),
    '::error file=dir%2Cx/a%3Ab.yaml,line=3,col=4,title=labelform schema::50%25 done%0D%0Anext: a, b',
  );
  assert.is(
    formatGithubAnnotation({ severity: 'warning', code: 'no-manifests', message: 'm', file: '.' }),
    '::warning file=.,title=labelform no-manifests::m',
  );
});

test('formatDiagnostic: location, severity, message, then pointer and/or element', () => {
  assert.is(
    formatDiagnostic({ severity: 'error', code: 'x', message: 'm', file: 'a.yaml', line: 2, col: 3, pointer: '/spec' }),
    'a.yaml:2:3: error: m (at /spec)',
  );
  assert.is(
    formatDiagnostic({ severity: 'error', code: 'x', message: 'm', file: 'c.xml', line: 2, col: 3, element: '<View>' }),
    'c.xml:2:3: error: m (in <View>)',
  );
  assert.is(formatDiagnostic({ severity: 'warning', code: 'x', message: 'm', file: '.' }), '.: warning: m');
  assert.is(formatDiagnostic({ severity: 'error', code: 'x', message: 'm' }), 'error: m');
});

test('usage mistakes exit 1 without a stack trace', async () => {
  const r = await runCli(['validate', '--frobnicate']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^labelform: Unknown argument: frobnicate\n/);
  assert.is(hasStackTrace(r.stderr), false);
});

test.run();
