/**
 * The MlBackend kind on its own: validate's checks, the password compared by its fingerprint in
 * the marker line (never by value), and what a write sends (url and project always, basic auth
 * kept, the password only when it changed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeBody } from '../../src/kinds/ml-backend/apply.ts';
import { compareMlBackend } from '../../src/kinds/ml-backend/compare.ts';
import { toLiveMlBackend } from '../../src/kinds/ml-backend/live.ts';
import {
  parseDescriptionMarker,
  secretFingerprint,
  withDescriptionMarker,
} from '../../src/kinds/shared/description-marker.ts';
import type { LsMlBackend, MlBackendResource } from '../../src/kinds/ml-backend/types.ts';
import { live } from './support/plan-fixtures.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const SECRET = 'ml-secret-0a9b8c7d';
const manifest = (spec: string) =>
  `apiVersion: labelform/v1\nkind: MlBackend\nmetadata:\n  name: m\nspec:\n  project: p\n  url: http://ml.example:9090\n${spec}`;

test('validate: a literal password, basic auth without its parts, a model_version auto_update would overwrite', async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Scored\n'),
    'a.yaml': manifest('  auth_method: BASIC_AUTH\n  basic_auth_user: bot\n  basic_auth_pass: hunter2-hunter2\n'),
    'b.yaml': manifest('  auth_method: BASIC_AUTH\n').replace('name: m', 'name: b'),
    'c.yaml': manifest('  model_version: v7\n').replace('name: m', 'name: c'),
  });
  assert.equal(r.lines, [
    'a.yaml:10:20: secret-literal: basic_auth_pass is a password written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
    'b.yaml:8:16: rule: auth_method BASIC_AUTH needs basic_auth_user and basic_auth_pass (the server refuses it otherwise)',
    'c.yaml:8:18: rule: model_version is replaced by what the backend reports while auto_update is true (the server default); set auto_update: false',
  ]);
});

async function desired(spec: string, env: Record<string, string> = {}): Promise<MlBackendResource> {
  const r = await load(
    { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', '  title: Scored\n'), 'm.yaml': manifest(spec) },
    { env },
  );
  assert.ok(r.result.repository, r.lines.join('\n'));
  return r.result.repository.resources.MlBackend![0] as MlBackendResource;
}

function lsBackend(over: Partial<LsMlBackend> = {}): LsMlBackend {
  return {
    id: 3,
    project: 4,
    url: 'http://ml.example:9090',
    title: 'Model',
    description: '',
    is_interactive: false,
    auth_method: 'BASIC_AUTH',
    basic_auth_user: 'bot',
    basic_auth_pass_is_set: true,
    extra_params: null,
    timeout: 100,
    auto_update: true,
    model_version: 'v1',
    ...over,
  };
}

test('the password: compared by its fingerprint in the marker line, shown only as a sensitive change', async () => {
  const d = await desired('  auth_method: BASIC_AUTH\n  basic_auth_user: bot\n  basic_auth_pass: ${env:ML_PASS}\n', {
    ML_PASS: SECRET,
  });
  const parents = [live(4, 'Scored', { key: 'p' })];
  const same = toLiveMlBackend(
    lsBackend({
      description: withDescriptionMarker('', {
        namespace: 'test',
        key: 'm',
        secret: secretFingerprint('test', 'm', [SECRET]),
      }),
    }),
    parents,
    'test',
  );
  assert.equal(compareMlBackend(d, same), []);
  const rotated = toLiveMlBackend(
    lsBackend({
      description: withDescriptionMarker('', {
        namespace: 'test',
        key: 'm',
        secret: secretFingerprint('test', 'm', ['the-old-password']),
      }),
    }),
    parents,
    'test',
  );
  assert.equal(compareMlBackend(d, rotated), [{ field: 'basic_auth_pass', sensitive: true, env: ['ML_PASS'] }]);
  const unmarked = toLiveMlBackend(lsBackend(), parents, 'test');
  assert.equal(compareMlBackend(d, unmarked), [{ field: 'basic_auth_pass', sensitive: true, env: ['ML_PASS'] }]);
  assert.not.ok(secretFingerprint('test', 'm', [SECRET]).includes(SECRET.slice(0, 4)));
});

test('a write: url and project always; the password only when it changed, an empty one otherwise; the marker keeps its fingerprint', async () => {
  const d = await desired(
    '  title: Model\n  auth_method: BASIC_AUTH\n  basic_auth_user: bot\n  basic_auth_pass: ${env:ML_PASS}\n',
    { ML_PASS: SECRET },
  );
  const fp = secretFingerprint('test', 'm', [SECRET]);
  const sending = writeBody(d, lsBackend(), 'test', 4, true);
  assert.equal(
    [sending.project, sending.url, sending.basic_auth_pass, parseDescriptionMarker(String(sending.description))],
    [4, 'http://ml.example:9090', SECRET, { namespace: 'test', key: 'm', secret: fp }],
  );
  const keeping = writeBody(
    d,
    lsBackend({ description: withDescriptionMarker('hand note', { namespace: 'test', key: 'm', secret: fp }) }),
    'test',
    4,
    false,
  );
  assert.equal([keeping.basic_auth_pass, keeping.auth_method, keeping.basic_auth_user], ['', 'BASIC_AUTH', 'bot']);
  assert.match(
    String(keeping.description),
    /^hand note\n\n\[labelform\] Managed from git \(namespace: test, key: m\)\..* \[lf-secret .{6}\]$/,
  );
});

test.run();
