/**
 * `${var.NAME}` (labelform.yaml variables of the selected environment) and `${env:NAME}` (process
 * environment), first as a pure function, then through the loader for the located errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectVariableReferences, interpolate, type InterpolationContext } from '../../src/manifest/interpolate.ts';
import { cleanupTrees, load, projectYaml } from './support/validate-fixtures.ts';
import { projectKind } from '../../src/kinds/project/kind.ts';
import { resourcesOf } from '../../src/kinds/kind.ts';

test.after(cleanupTrees);

const ctx = (over: Partial<InterpolationContext> = {}): InterpolationContext => ({
  variables: { team: 'ML', overlap: 3, strict: true },
  env: {},
  requireEnv: false,
  ...over,
});

// --- the pure function ---------------------------------------------------------------------------

test("${var.NAME} alone keeps the variable's type; inside text it becomes text", () => {
  const r = interpolate(
    {
      spec: {
        maximum_annotations: '${var.overlap}',
        is_draft: '${var.strict}',
        title: 'Team ${var.team} x${var.overlap}',
      },
    },
    ctx(),
  );
  assert.equal(r.value, { spec: { maximum_annotations: 3, is_draft: true, title: 'Team ML x3' } });
  assert.equal([r.issues, r.sensitive, r.unresolved], [[], [], []]);
});

test('strings without references, numbers, booleans and null pass through; the input is not changed', () => {
  const input = { a: 'plain $ text {x}', b: 1, c: false, d: null, e: ['${var.team}'] };
  const r = interpolate(input, ctx());
  assert.equal(r.value, { a: 'plain $ text {x}', b: 1, c: false, d: null, e: ['ML'] });
  assert.equal(input.e, ['${var.team}']);
});

test('${env:NAME} is read from the process environment and marks the value sensitive', () => {
  const r = interpolate(
    { spec: { task_data_password: '${env:TASK_PW}', title: 'at ${env:SITE}' } },
    ctx({ env: { TASK_PW: 's3cret', SITE: 'eu' } }),
  );
  assert.equal(r.value, { spec: { task_data_password: 's3cret', title: 'at eu' } });
  assert.equal(r.sensitive, ['/spec/task_data_password', '/spec/title']);
  assert.equal(r.issues, []);
});

test('an unset ${env:NAME}: left in place and noted offline; an error when required', () => {
  const value = { spec: { task_data_password: '${env:TASK_PW}' } };
  const offline = interpolate(value, ctx({ env: { TASK_PW: '' } }));
  assert.equal(offline.value, value);
  assert.equal([offline.issues, offline.unresolved], [[], ['/spec/task_data_password']]);
  const required = interpolate(value, ctx({ requireEnv: true }));
  assert.equal(required.issues, [
    {
      pointer: '/spec/task_data_password',
      kind: 'unset-env',
      message: 'environment variable TASK_PW is not set (referenced as ${env:TASK_PW})',
    },
  ]);
});

test('$${ writes a literal ${', () => {
  const r = interpolate({ a: 'cost $${HOME}', b: '$${var.team}', c: '$${env:X} and ${var.team}' }, ctx());
  assert.equal(r.value, { a: 'cost ${HOME}', b: '${var.team}', c: '${env:X} and ML' });
  assert.equal(r.issues, []);
  // The escape is not a reference either when every environment is checked.
  assert.equal(collectVariableReferences({ b: '$${var.team}', c: '$${x} ${var.overlap}' }), [
    { name: 'overlap', pointer: '/c' },
  ]);
});

test("an undefined variable is an issue at the value's pointer, naming the defined ones", () => {
  const r = interpolate({ spec: { color: '${var.colour}', title: 'x ${var.nope}' } }, ctx());
  assert.equal(r.issues, [
    {
      pointer: '/spec/color',
      kind: 'undefined-var',
      message: 'variable "colour" is not defined for this environment (defined: team, overlap, strict)',
    },
    {
      pointer: '/spec/title',
      kind: 'undefined-var',
      message: 'variable "nope" is not defined for this environment (defined: team, overlap, strict)',
    },
  ]);
  assert.equal(
    interpolate({ a: '${var.x}' }, ctx({ variables: {} })).issues[0]?.message,
    'variable "x" is not defined for this environment (it defines no variables)',
  );
});

test('bad syntax inside ${...} is an issue', () => {
  const help =
    'write ${var.NAME} (labelform.yaml variables) or ${env:NAME} (process environment); $${ writes a literal ${';
  for (const [text, inner] of [
    ['${oops}', 'oops'],
    ['${var.}', 'var.'],
    ['${env:1X}', 'env:1X'],
    ['${env.HOME}', 'env.HOME'],
    ['a ${} b', ''],
  ] as const) {
    const r = interpolate({ tasks: [{ file: text }] }, ctx());
    assert.equal(
      r.issues,
      [{ pointer: '/tasks/0/file', kind: 'bad-syntax', message: `cannot interpolate \${${inner}}: ${help}` }],
      text,
    );
  }
  // An unterminated `${` is not a reference at all.
  assert.equal(interpolate({ a: 'half ${var.team' }, ctx()).issues, []);
});

test('pointers escape "/" and "~" in keys', () => {
  const r = interpolate({ spec: { control_weights: { 'a/b~c': { type: '${var.missing}' } } } }, ctx());
  assert.is(r.issues[0]?.pointer, '/spec/control_weights/a~1b~0c/type');
  assert.equal(collectVariableReferences({ 'x/y': ['${ var.team }'] }), [{ name: 'team', pointer: '/x~1y/0' }]);
});

// --- through the loader: located errors -------------------------------------------------------------

const CONFIG =
  'apiVersion: labelform/v1\nkind: Config\nnamespace: acme\ndefaultEnvironment: local\nenvironments:\n' +
  '  local:\n    variables:\n      team: ML\n      overlap: 2\n' +
  '  prod:\n    variables:\n      team: ML Prod\n      overlap: 3\n      only_prod: x\n';

async function loadSpec(spec: string, opts: { env?: Record<string, string>; environment?: string } = {}) {
  return load({ 'labelform.yaml': CONFIG, 'p.yaml': projectYaml('p1', spec) }, opts);
}

test('variables come from the selected environment, typed', async () => {
  const local = await loadSpec('  title: Team ${var.team}\n  maximum_annotations: ${var.overlap}\n');
  assert.equal(local.lines, []);
  assert.equal(resourcesOf(local.result.repository, projectKind)[0]?.spec, {
    title: 'Team ML',
    maximum_annotations: 2,
  });
  const prod = await loadSpec('  title: Team ${var.team}\n  maximum_annotations: ${var.overlap}\n', {
    environment: 'prod',
  });
  assert.equal(resourcesOf(prod.result.repository, projectKind)[0]?.spec, {
    title: 'Team ML Prod',
    maximum_annotations: 3,
  });
});

test('an undefined variable is located at the value, and not also blamed by the schema', async () => {
  const { lines } = await loadSpec('  title: Hello\n  color: ${var.colour}\n');
  assert.equal(lines, [
    'p.yaml:7:10: interpolation-undefined-var: variable "colour" is not defined for environment "prod"',
    'p.yaml:7:10: interpolation-undefined-var: variable "colour" is not defined for this environment (defined: team, overlap)',
  ]);
});

test('bad syntax is located at the value', async () => {
  const { lines } = await loadSpec('  title: Hello\n  description: "Owner: ${team}"\n');
  assert.equal(lines, [
    'p.yaml:7:16: interpolation-bad-syntax: cannot interpolate ${team}: write ${var.NAME} (labelform.yaml variables) or ${env:NAME} (process environment); $${ writes a literal ${',
  ]);
});

test('a variable missing in another environment is an error at the value', async () => {
  const { lines } = await loadSpec('  title: Hello\n  description: Only ${var.only_prod}\n', { environment: 'prod' });
  assert.equal(lines, [
    'p.yaml:7:16: interpolation-undefined-var: variable "only_prod" is not defined for environment "local"',
  ]);
  // Defined everywhere: fine whichever environment is selected.
  assert.equal((await loadSpec('  title: ${var.team} team\n', { environment: 'prod' })).lines, []);
});

test('${env:NAME}: unset is a warning offline (exit stays clean); set, it is used and marked sensitive', async () => {
  const unset = await loadSpec('  title: Hello\n  task_data_password: ${env:TASK_PW}\n');
  assert.equal(unset.lines, [
    'p.yaml:7:23: warning env-unset: TASK_PW is not set; this value is not checked offline and plan will need it',
  ]);
  assert.ok(unset.result.repository, 'warnings do not block');
  const set = await loadSpec('  title: Hello ${env:SITE}\n  task_data_password: ${env:TASK_PW}\n', {
    env: { TASK_PW: 'pw-long-enough', SITE: 'eu-west-1' },
  });
  assert.equal(set.lines, []);
  const project = resourcesOf(set.result.repository, projectKind)[0];
  assert.equal(project?.spec, { title: 'Hello eu-west-1', task_data_password: 'pw-long-enough' });
  assert.equal([...(project?.sensitive ?? [])].sort(), ['task_data_password', 'title']);
});

test('an unset ${env:NAME} value is not schema-checked offline; a set one is', async () => {
  assert.equal((await loadSpec('  color: ${env:BRAND_COLOR}\n')).lines, [
    'p.yaml:6:10: warning env-unset: BRAND_COLOR is not set; this value is not checked offline and plan will need it',
  ]);
  // The value is a secret: the message does not quote it.
  assert.equal((await loadSpec('  color: ${env:BRAND_COLOR}\n', { env: { BRAND_COLOR: 'blue-green' } })).lines, [
    'p.yaml:6:10: schema: spec.color must be a color in #RRGGBB form, got a value from ${env:...} (not shown)',
  ]);
});

test('$${ in a manifest is a literal, in every environment', async () => {
  const { lines, result } = await loadSpec('  title: Hello\n  expert_instruction: Use $${var.team} literally\n');
  assert.equal(lines, []);
  assert.is(resourcesOf(result.repository, projectKind)[0]?.spec.expert_instruction, 'Use ${var.team} literally');
});

test.run();
