/**
 * Rules of schemas/labelform.schema.json and of the root config's own checks (environments,
 * defaultEnvironment, --env): a passing and a failing case each, with exact positions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanupTrees, load, projectYaml } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const HEADER = 'apiVersion: labelform/v1\nkind: Config\n';
const PROJECT = projectYaml('p1', '  title: Hello\n');

/** Diagnostics of a repository with this labelform.yaml and one valid project. */
async function rootLines(config: string, opts: { environment?: string } = {}): Promise<string[]> {
  return (await load({ 'labelform.yaml': config, 'p.yaml': PROJECT }, opts)).lines;
}

test('a minimal labelform.yaml: namespace only, implicit default environment', async () => {
  const { lines, result } = await load({ 'labelform.yaml': `${HEADER}namespace: team-a1\n`, 'p.yaml': PROJECT });
  assert.equal(lines, []);
  const repo = result.repository!;
  assert.is(repo.config.namespace, 'team-a1');
  assert.is(repo.config.implicitEnvironment, true);
  assert.is(repo.config.defaultEnvironment, 'default');
  assert.is(repo.environment, 'default');
});

test('a full labelform.yaml is valid and selects defaultEnvironment', async () => {
  const config =
    `${HEADER}namespace: acme\ndefaultEnvironment: staging\nenvironments:\n` +
    '  staging:\n    url: https://ls.staging.example.com/label-studio\n    tokenEnv: LS_STAGING_TOKEN\n    timeoutSeconds: 0.5\n    concurrency: 32\n' +
    '    variables:\n      team: ML\n      overlap: 2\n      strict: true\n' +
    '  prod_eu:\n    url: ${env:LS_PROD_URL}\n    tokenEnv: _TOKEN_2\n    timeoutSeconds: 3600\n    concurrency: 1\n';
  const { lines, result } = await load({ 'labelform.yaml': config, 'p.yaml': PROJECT });
  assert.equal(lines, []);
  assert.is(result.repository?.environment, 'staging');
  assert.equal(Object.keys(result.repository?.config.environments ?? {}), ['staging', 'prod_eu']);
  assert.equal(result.repository?.config.environments.staging?.variables, { team: 'ML', overlap: 2, strict: true });
});

test('apiVersion and kind of labelform.yaml', async () => {
  assert.equal(await rootLines('apiVersion: v1\nkind: Project\nnamespace: acme\n'), [
    'labelform.yaml:1:13: schema: apiVersion must be "labelform/v1", got "v1"',
    'labelform.yaml:2:7: schema: kind must be "Config", got "Project"',
  ]);
});

test('namespace: required, lowercase letters/digits/"-", at most 40 characters', async () => {
  assert.equal(await rootLines(`${HEADER}namespace: ${'n'.repeat(40)}\n`), []);
  const pattern = 'namespace must be lowercase letters, digits and "-", starting with a letter or digit';
  assert.equal(await rootLines(`${HEADER}namespace: Team A\n`), [
    `labelform.yaml:3:12: schema: ${pattern}, got "Team A"`,
  ]);
  assert.equal(await rootLines(`${HEADER}namespace: -team\n`), [
    `labelform.yaml:3:12: schema: ${pattern}, got "-team"`,
  ]);
  assert.equal(await rootLines(`${HEADER}namespace: ${'n'.repeat(41)}\n`), [
    'labelform.yaml:3:12: schema: namespace must be at most 40 characters, got 41',
  ]);
  assert.equal(await rootLines(HEADER), ['labelform.yaml:1:1: schema: missing required field "namespace"']);
});

test('unknown top-level fields get a hint', async () => {
  assert.equal(await rootLines(`${HEADER}namespace: acme\nenviroments: {}\n`), [
    'labelform.yaml:4:1: schema: unknown field "enviroments"; did you mean "environments"?',
  ]);
});

test('environments: names, fields and their types', async () => {
  const config =
    `${HEADER}namespace: acme\nenvironments:\n` + // 4
    '  local: {}\n' + // 5
    '  Prod:\n' + // 6
    '    url: ""\n' + // 7
    '  other: 5\n' + // 8
    '  slow:\n' + // 9
    '    timeoutSeconds: 0\n' + // 10
    '    concurrency: 33\n' + // 11
    '    urll: https://x\n'; // 12
  assert.equal(await rootLines(config), [
    // The environment name is a key: located at the key itself.
    'labelform.yaml:6:3: schema: environments must match ^[a-z0-9][a-z0-9_-]*$, got "Prod"',
    'labelform.yaml:7:10: schema: environments.Prod.url must be at least 1 character, got 0',
    'labelform.yaml:8:10: schema: environments.other must be a mapping, got an integer 5',
    'labelform.yaml:10:21: schema: environments.slow.timeoutSeconds must be > 0, got 0',
    'labelform.yaml:11:18: schema: environments.slow.concurrency must be <= 32, got 33',
    'labelform.yaml:12:5: schema: unknown field "urll" in environments.slow; did you mean "url"?',
  ]);
});

test('tokenEnv: the name of an environment variable', async () => {
  const env = (tokenEnv: string) => `${HEADER}namespace: acme\nenvironments:\n  local:\n    tokenEnv: ${tokenEnv}\n`;
  assert.equal(await rootLines(env('LABEL_STUDIO_API_KEY')), []);
  assert.equal(await rootLines(env('_x9')), []);
  assert.equal(await rootLines(env('1BAD')), [
    'labelform.yaml:6:15: schema: environments.local.tokenEnv must match ^[A-Za-z_][A-Za-z0-9_]*$, got "1BAD"',
  ]);
  assert.equal(await rootLines(env('my-token')), [
    'labelform.yaml:6:15: schema: environments.local.tokenEnv must match ^[A-Za-z_][A-Za-z0-9_]*$, got "my-token"',
  ]);
});

test('variables: identifier names with string, number or boolean values', async () => {
  const vars = (lines: string) => `${HEADER}namespace: acme\nenvironments:\n  local:\n    variables:\n${lines}`;
  assert.equal(await rootLines(vars('      team: ML\n      _count2: 3\n      on: false\n')), []);
  assert.equal(
    await rootLines(
      vars('      team: ML\n      bad-name: 1\n      list: [1]\n      map: {a: 1}\n      nothing: null\n'),
    ),
    [
      'labelform.yaml:8:7: schema: environments.local.variables must match ^[A-Za-z_][A-Za-z0-9_]*$, got "bad-name"',
      'labelform.yaml:9:13: schema: environments.local.variables.list must be a string or a number or a boolean, got a list [...]',
      'labelform.yaml:10:12: schema: environments.local.variables.map must be a string or a number or a boolean, got a mapping {...}',
      'labelform.yaml:11:16: schema: environments.local.variables.nothing must be a string or a number or a boolean, got null',
    ],
  );
});

test('defaultEnvironment must name an environment', async () => {
  const two = 'environments:\n  local: {}\n  prod: {}\n';
  assert.equal(await rootLines(`${HEADER}namespace: acme\ndefaultEnvironment: prod\n${two}`), []);
  assert.equal(await rootLines(`${HEADER}namespace: acme\ndefaultEnvironment: staging\n${two}`), [
    'labelform.yaml:4:21: unknown-environment: defaultEnvironment "staging" is not one of the environments (local, prod)',
  ]);
  // Several environments and no defaultEnvironment: `default` is assumed, and it is missing.
  assert.equal(await rootLines(`${HEADER}namespace: acme\n${two}`), [
    'labelform.yaml:5:3: unknown-environment: defaultEnvironment "default" is not one of the environments (local, prod)',
  ]);
  // A single environment is the default without saying so.
  const single = await load({
    'labelform.yaml': `${HEADER}namespace: acme\nenvironments:\n  only: {}\n`,
    'p.yaml': PROJECT,
  });
  assert.equal(single.lines, []);
  assert.is(single.result.repository?.environment, 'only');
  // No environments: the implicit `default` may be named.
  assert.equal(await rootLines(`${HEADER}namespace: acme\ndefaultEnvironment: default\n`), []);
});

test('--env must name an environment', async () => {
  const config = `${HEADER}namespace: acme\ndefaultEnvironment: local\nenvironments:\n  local: {}\n  prod: {}\n`;
  const prod = await load({ 'labelform.yaml': config, 'p.yaml': PROJECT }, { environment: 'prod' });
  assert.equal(prod.lines, []);
  assert.is(prod.result.repository?.environment, 'prod');
  assert.equal(await rootLines(config, { environment: 'staging' }), [
    'labelform.yaml:-:-: unknown-environment: --env staging: no such environment in labelform.yaml (defined: local, prod)',
  ]);
});

test('labelform.yaml holds one mapping document; labelform.yml also works', async () => {
  assert.equal(await rootLines(`${HEADER}namespace: acme\n---\nnamespace: again\n`), [
    'labelform.yaml:1:1: config-multiple-documents: labelform.yaml must hold a single document',
  ]);
  assert.equal(await rootLines('- acme\n'), [
    'labelform.yaml:1:1: not-a-manifest: labelform.yaml must be a mapping (apiVersion, kind: Config, namespace, environments)',
  ]);
  const yml = await load({ 'labelform.yml': `${HEADER}namespace: acme\n`, 'p.yaml': PROJECT });
  assert.equal(yml.lines, []);
  assert.is(yml.result.repository?.config.file, 'labelform.yml');
});

test.run();
