/**
 * The pure parts of secret handling: credentials are replaced wherever they appear, values from
 * `${env:...}` never inside other text; text labelform did not write is withheld whole; schema
 * errors do not quote a value from the environment; where `${env:...}` may appear and how long
 * its value must be; how `pull` writes a secret back as its reference; where a repository's root is.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError } from '../../src/api/errors.ts';
import { projectToManifest } from '../../src/kinds/project/to-manifest.ts';
import { escapeInterpolation, writeBack } from '../../src/manifest/pulled.ts';
import { findRepositoryRoot, findSchemaDir } from '../../src/manifest/find-root.ts';
import { interpolate } from '../../src/manifest/interpolate.ts';
import { validateAgainstSchema } from '../../src/manifest/schemas.ts';
import { checkSecretReferences } from '../../src/manifest/secret-references.ts';
import { maskLabelConfigChange } from '../../src/labelconfig/mask-sensitive.ts';
import {
  clearSecrets,
  findSecret,
  maskIfSecret,
  redact,
  registerEnvSecret,
  registerSecret,
  showRequestPath,
  withholdSecrets,
} from '../../src/util/redact.ts';
import { removeTree, writeTree } from '../helpers/files.ts';

test.before.each(() => clearSecrets());
test.after(() => clearSecrets());

test('redact replaces credentials and Authorization values, and leaves ${env:...} values inside other text alone', () => {
  registerSecret('tok_0123456789abcdef');
  registerEnvSecret('S3_USER', 'images');
  registerEnvSecret('WORD', 'changed');
  assert.is(redact('GET failed: token tok_0123456789abcdef rejected'), 'GET failed: token [redacted] rejected');
  assert.is(redact('Authorization: Token abcdefgh12345678'), 'Authorization: [redacted]');
  assert.is(redact('3 projects unchanged: product-images'), '3 projects unchanged: product-images');
});

test('text labelform did not write is withheld whole when it holds a secret value; a value is masked whole', () => {
  registerEnvSecret('CLIENT', 'Zephyrine Labs');
  assert.is(
    withholdSecrets('Ensure this field has no more than 50 characters.'),
    'Ensure this field has no more than 50 characters.',
  );
  assert.is(
    withholdSecrets('bad title "Zephyrine Labs images"'),
    '(message withheld: it contains the value of ${env:CLIENT})',
  );
  assert.is(maskIfSecret('Zephyrine Labs images'), '(sensitive)');
  assert.is(maskIfSecret('Other images'), 'Other images');
  assert.equal(findSecret('for Zephyrine Labs'), { name: 'CLIENT' });
  assert.is(
    showRequestPath('/api/projects/?title=Zephyrine%20Labs&page_size=100'),
    '/api/projects/?(query withheld: it contains a secret value)',
    'encoded too',
  );
  assert.is(showRequestPath('/api/projects/?title=Other&page_size=100'), '/api/projects/?title=Other&page_size=100');
  assert.is(
    showRequestPath('/api/projects/?title=Zephyrine Labs'),
    '/api/projects/?(query withheld: it contains a secret value)',
  );
  assert.is(showRequestPath('/api/projects/12/'), '/api/projects/12/');
});

test('an ApiError withholds each server message that quotes a secret, keeps the others, and its fields are safe too', () => {
  registerEnvSecret('HEADER', 'https://media.internal/k=Q7x9LmZ2');
  const err = new ApiError('http', 'PATCH', '/api/projects/3/', 400, 'Validation error', {
    label_config: ['Unknown tag near "https://media.internal/k=Q7x9LmZ2"'],
    title: ['Ensure this field has no more than 50 characters.'],
  });
  assert.is(
    err.message,
    'PATCH /api/projects/3/ failed with HTTP 400: label_config: (message withheld: it contains the value of ${env:HEADER}); title: Ensure this field has no more than 50 characters.',
  );
  assert.equal(err.validationErrors, {
    label_config: ['(message withheld: it contains the value of ${env:HEADER})'],
    title: ['Ensure this field has no more than 50 characters.'],
  });
  const detail = new ApiError(
    'http',
    'POST',
    '/api/projects/',
    500,
    'boom at https://media.internal/k=Q7x9LmZ2',
    undefined,
  );
  assert.not.ok(detail.message.includes('Q7x9LmZ2') || detail.detail.includes('Q7x9LmZ2'));
});

test('schema messages quote a value, except one from ${env:...}', () => {
  const value = {
    apiVersion: 'labelform/v1',
    kind: 'Project',
    metadata: { name: 'p' },
    spec: { title: 'Hello', color: 'hunter2-xyz', sampling: 'secret-sampling' },
  };
  const shown = validateAgainstSchema('project', value).map((i) => i.message);
  assert.ok(shown.some((m) => m.includes('"hunter2-xyz"')));
  const hidden = validateAgainstSchema('project', value, {
    hideValue: (p) => p === '/spec/color' || p === '/spec/sampling',
  }).map((i) => i.message);
  assert.equal(
    hidden.filter((m) => m.includes('hunter2') || m.includes('secret-sampling')),
    [],
  );
  assert.ok(
    hidden.includes('spec.color must be a color in #RRGGBB form, got a value from ${env:...} (not shown)'),
    hidden.join('\n'),
  );
});

test('checkSecretReferences: short values and places outside spec are issues naming the variable, never the value', () => {
  const issues = checkSecretReferences([
    { pointer: '/spec/task_data_password', name: 'PW', value: 'hunt2' },
    { pointer: '/spec/title', name: 'OK_SECRET', value: 'long enough' },
    { pointer: '/metadata/name', name: 'KEY', value: 'secret-key' },
    { pointer: '/tasks/0/file', name: 'DATA', value: 'data/tasks.jsonl' },
    { pointer: '/spec/label_config/file', name: 'XML', value: 'secret.xml-file' },
    { pointer: '/spec/description', name: 'PW', value: 'hunt2' },
    { pointer: '/spec/description', name: 'PW', value: 'hunt2' },
  ]);
  assert.equal(
    issues.map((i) => [i.pointer, i.code]),
    [
      ['/spec/task_data_password', 'secret-too-short'],
      ['/metadata/name', 'secret-outside-spec'],
      ['/tasks/0/file', 'secret-outside-spec'],
      ['/spec/label_config/file', 'secret-outside-spec'],
      ['/spec/description', 'secret-too-short'],
    ],
  );
  for (const i of issues) assert.not.ok(/hunt2|secret-key|tasks\.jsonl|secret\.xml/.test(i.message), i.message);
  assert.match(
    issues[0]!.message,
    /the environment variable PW \(\$\{env:PW\}\) holds a value shorter than 8 characters/,
  );
  // Code points, not UTF-16 units: eight emoji are eight characters.
  assert.equal(checkSecretReferences([{ pointer: '/spec/title', name: 'E', value: '🔑'.repeat(8) }]), []);
});

test('maskLabelConfigChange: no XML diff, and a name holding a secret masked whole; untouched when not sensitive', () => {
  registerEnvSecret('CLIENT', 'Zephyrine');
  const change = {
    diff: '--- live\n+++ desired\n+<Header value="Zephyrine"/>',
    controls: [
      {
        control: 'Zephyrine',
        type: 'Choices',
        change: 'changed' as const,
        labelsAdded: ['A', 'for Zephyrine'],
        labelsRemoved: [],
      },
    ],
  };
  assert.equal(maskLabelConfigChange(change, false), change);
  assert.equal(maskLabelConfigChange(change, true), {
    diff: '(not shown: this label_config holds a value from ${env:...})',
    controls: [
      {
        control: '(sensitive)',
        type: 'Choices',
        change: 'changed',
        labelsAdded: ['A', '(sensitive)'],
        labelsRemoved: [],
      },
    ],
  });
});

test('writeBack: every secret becomes its reference, literal ${ is escaped, and interpolation gives the value back exactly', () => {
  const secrets = [
    { name: 'SHORTER', value: 'Zephyrine' },
    { name: 'LONGER', value: 'Zephyrine Labs' },
    { name: 'DOLLAR', value: 'pa${ss}word' },
  ];
  const env = Object.fromEntries(secrets.map((s) => [s.name, s.value]));
  const samples = [
    'plain',
    'costs ${x} and $${y} and $$${z}',
    'Zephyrine Labs, Zephyrine and pa${ss}word',
    '${',
    '$',
    'x$',
    '$${env:LONGER}',
    'tail ${env:SHORTER',
  ];
  for (const value of samples) {
    const w = writeBack(value, secrets);
    assert.ok(w.ok, value);
    if (!w.ok) continue;
    assert.is(interpolate(w.text, { variables: {}, env, requireEnv: true }).value, value, value);
    for (const s of secrets) assert.not.ok(w.text.includes(s.value), `${s.value} in ${w.text}`);
  }
  const both = writeBack('Zephyrine Labs, Zephyrine', secrets);
  assert.equal(both, { ok: true, text: '${env:LONGER}, ${env:SHORTER}', refs: ['LONGER', 'SHORTER'] });
  assert.is(escapeInterpolation('a ${b} $${c}'), 'a $${b} $$${c}');
});

test('projectToManifest escapes a literal ${ so the pulled manifest gives the server text back', () => {
  const pulled = projectToManifest(
    {
      id: 1,
      title: 'Costs ${usd}',
      description: 'Use ${var.team} literally',
      expert_instruction: '<p>${x}</p>',
    } as never,
    'k',
  );
  assert.equal(pulled.manifest.spec, {
    title: 'Costs $${usd}',
    description: 'Use $${var.team} literally',
    expert_instruction: '<p>$${x}</p>',
  });
  const back = interpolate(pulled.manifest.spec, { variables: { team: 'ML' }, env: {}, requireEnv: true });
  assert.equal(
    [back.value, back.issues],
    [{ title: 'Costs ${usd}', description: 'Use ${var.team} literally', expert_instruction: '<p>${x}</p>' }, []],
  );
});

test('findRepositoryRoot: the nearest labelform.yaml above, not past a .git directory', async () => {
  const dir = await writeTree({
    'repo/labelform.yaml': 'x',
    'repo/projects/a/keep': '',
    'outer/labelform.yaml': 'x',
    'outer/inner/.git/HEAD': '',
    'outer/inner/src/keep': '',
  });
  try {
    assert.is(await findRepositoryRoot(join(dir, 'repo/projects/a')), join(dir, 'repo'));
    assert.is(
      await findRepositoryRoot(join(dir, 'repo/projects/not-yet')),
      join(dir, 'repo'),
      'the folder need not exist',
    );
    assert.is(await findRepositoryRoot(join(dir, 'repo')), join(dir, 'repo'));
    assert.is(
      await findRepositoryRoot(join(dir, 'outer/inner/src')),
      undefined,
      'a labelform.yaml above the git work tree belongs to something else',
    );
    await mkdir(join(dir, 'outer/inner/sub'), { recursive: true });
    await writeFile(join(dir, 'outer/inner/labelform.yaml'), 'x');
    assert.is(await findRepositoryRoot(join(dir, 'outer/inner/sub')), join(dir, 'outer/inner'));
  } finally {
    await removeTree(dir);
  }
});

test("findSchemaDir: node_modules/labelform/schemas in the repository or the nearest directory above, else the repository's own", async () => {
  const dir = await writeTree({
    'mono/node_modules/labelform/schemas/project.schema.json': '{}',
    'mono/packages/labels/labelform.yaml': 'x',
    'alone/labelform.yaml': 'x',
  });
  try {
    assert.is(await findSchemaDir(join(dir, 'mono/packages/labels')), join(dir, 'mono/node_modules/labelform/schemas'));
    assert.is(await findSchemaDir(join(dir, 'alone')), join(dir, 'alone/node_modules/labelform/schemas'));
  } finally {
    await removeTree(dir);
  }
});

test.run();
