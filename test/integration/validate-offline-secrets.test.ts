/**
 * `validate` is the one job a fork's pull request can run, and it has no secrets: a correct
 * repository whose secrets are `${env:NAME}` references must pass it with the variables unset
 * (a warning says the value is not checked offline). Whether a value is a credential written in
 * git is decided from the manifest text, never from whether the variable is set; plan and apply
 * still need every variable.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.ts';
import { cleanupTrees, load, ROOT_CONFIG, tree } from '../unit/support/validate-fixtures.ts';

test.after(cleanupTrees);

const head = (kind: string, name: string) => `apiVersion: labelform/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;
const XML =
  "<View><Text name='text' value='$text'/><Choices name='c' toName='text'><Choice value='A'/></Choices></View>";

/** A repository whose every secret (and a few other values) is a `${env:NAME}`; `secret(name)` writes each. */
function repository(secret: (name: string) => string): Record<string, string> {
  return {
    'labelform.yaml': ROOT_CONFIG,
    'lc.yaml': `${head('LabelConfig', 'from-env')}spec:\n  label_config: "${secret('LABEL_CONFIG_XML')}"\n`,
    'p.yaml': `${head('Project', 'proj-a')}spec:\n  title: "Reviews for ${secret('TEAM_NAME_IN_THIS_ENVIRONMENT_WHICH_IS_LONG')}"\n  task_data_login: reviewer\n  task_data_password: "${secret('TASK_DATA_PASSWORD')}"\n  label_config: "${secret('INLINE_LABEL_CONFIG')}"\n`,
    'p2.yaml': `${head('Project', 'proj-b')}spec:\n  title: Project B\n  label_config: {ref: from-env}\n`,
    'w.yaml': `${head('Webhook', 'w1')}spec:\n  project: proj-a\n  url: https://hooks.example.com/ls\n  headers:\n    X-Hook-Token: "${secret('HOOK_SECRET')}"\n    Authorization: "Bearer ${secret('HOOK_BEARER')}"\n    X-Team: vision\n`,
    's3.yaml': `${head('ImportStorage', 's3')}spec:\n  project: proj-a\n  type: s3\n  bucket: acme\n  aws_access_key_id: "${secret('S3_KEY_ID')}"\n  aws_secret_access_key: "${secret('S3_SECRET')}"\n  aws_session_token: "${secret('S3_SESSION')}"\n`,
    'azure.yaml': `${head('ImportStorage', 'az')}spec:\n  project: proj-a\n  type: azure\n  container: c\n  account_name: "${secret('AZURE_ACCOUNT')}"\n  account_key: "${secret('AZURE_KEY')}"\n`,
    'gcs.yaml': `${head('ExportStorage', 'gcs')}spec:\n  project: proj-a\n  type: gcs\n  bucket: out\n  google_application_credentials: "${secret('GCS_CREDENTIALS')}"\n`,
    'redis.yaml': `${head('ExportStorage', 'redis')}spec:\n  project: proj-a\n  type: redis\n  host: redis.example.com\n  db: 1\n  password: "${secret('REDIS_PASSWORD')}"\n`,
    'ml.yaml': `${head('MlBackend', 'm1')}spec:\n  project: proj-a\n  url: https://ml.example.com\n  auth_method: BASIC_AUTH\n  basic_auth_user: bot\n  basic_auth_pass: "${secret('ML_PASSWORD')}"\n`,
  };
}

const REFERENCED = repository((name) => `\${env:${name}}`);
const NAMES = [
  ...Object.values(REFERENCED)
    .join('\n')
    .matchAll(/\$\{env:([A-Z0-9_]+)\}/g),
].map((m) => m[1]!);
/** What each variable holds when set: the title's part is short (the unresolved text is longer than a title may be). */
const valueOf = (name: string) =>
  name.includes('LABEL_CONFIG') ? XML : name.startsWith('TEAM') ? 'vision-team' : `value-of-${name.toLowerCase()}`;
const SET = Object.fromEntries(NAMES.map((n) => [n, valueOf(n)]));

test('${env:...} references with the variables unset: validate exits 0, each value a warning "not checked offline", no credential error', async () => {
  const dir = await tree(REFERENCED);
  const r = await runCli(['validate', dir], { cwd: dir, env: {} });
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^✔ 10 manifest files valid: 2 projects, 1 webhook, 1 ML backend, 2 import storages, 2 export storages, 1 label config, namespace "test", 14 warnings/,
  );
  assert.not.match(r.stderr, /error/);
  for (const n of NAMES)
    assert.match(
      r.stderr,
      new RegExp(`warning: ${n} is not set; this value is not checked offline and plan will need it`),
    );
});

test('the same repository with the variables set: valid, no warning', async () => {
  const { lines, result } = await load(REFERENCED, { env: SET });
  assert.equal(lines, []);
  assert.ok(result.repository);
});

test('the same values written literally: every one is a secret-literal error at its line, set variables or not', async () => {
  const literal = repository((name) =>
    name.includes('LABEL_CONFIG') ? XML : name.startsWith('TEAM') ? 'vision-team' : `literal-${name.toLowerCase()}`,
  );
  for (const env of [{}, SET]) {
    const { lines } = await load(literal, { env });
    assert.equal(lines, [
      'azure.yaml:9:17: secret-literal: account_name is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      'azure.yaml:10:16: secret-literal: account_key is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      'gcs.yaml:9:35: secret-literal: google_application_credentials is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      'ml.yaml:10:20: secret-literal: basic_auth_pass is a password written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      'p.yaml:8:23: secret-literal: task_data_password is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      'redis.yaml:10:13: secret-literal: password is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      's3.yaml:9:22: secret-literal: aws_access_key_id is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      's3.yaml:10:26: secret-literal: aws_secret_access_key is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      's3.yaml:11:22: secret-literal: aws_session_token is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
      'w.yaml:9:19: secret-literal: header X-Hook-Token looks like a credential written in git; take its value from ${env:NAME} (it is then kept out of plans and logs)',
      'w.yaml:10:20: secret-literal: header Authorization looks like a credential written in git; take its value from ${env:NAME} (it is then kept out of plans and logs)',
    ]);
  }
});

test('text that only looks like a reference is still written in git: $${env:X} (a literal "${env:X}"), ${var.NAME} from labelform.yaml', async () => {
  const { lines } = await load({
    'labelform.yaml': `${ROOT_CONFIG}environments:\n  default:\n    variables:\n      token: abcdefgh12345678\n`,
    'p.yaml': `${head('Project', 'proj-a')}spec:\n  title: Project A\n  task_data_password: "$\${env:TASK_DATA_PASSWORD}"\n`,
    'w.yaml': `${head('Webhook', 'w1')}spec:\n  project: proj-a\n  url: https://hooks.example.com/ls\n  headers:\n    X-Hook-Token: "\${var.token}"\n`,
  });
  assert.equal(lines, [
    'p.yaml:7:23: secret-literal: task_data_password is a secret written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
    'w.yaml:9:19: secret-literal: header X-Hook-Token looks like a credential written in git; take its value from ${env:NAME} (it is then kept out of plans and logs)',
  ]);
});

test('plan still needs every variable: an error naming it, at the value, before any request', async () => {
  const dir = await tree(REFERENCED);
  // Nothing listens on port 9: the run must stop before it would connect.
  const r = await runCli(['plan', '-C', dir], {
    cwd: dir,
    env: { LABEL_STUDIO_URL: 'http://127.0.0.1:9', LABEL_STUDIO_API_KEY: 'unused-token-123456' },
  });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /^w\.yaml:9:19: error: environment variable HOOK_SECRET is not set \(referenced as \$\{env:HOOK_SECRET\}\)/m,
  );
  for (const n of NAMES) assert.match(r.stderr, new RegExp(`environment variable ${n} is not set`));
  assert.match(r.stderr, /nothing was sent to the server/);
});

test.run();
