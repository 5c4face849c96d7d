/**
 * The evidence behind the compatibility table in docs/server-versions.md (issue 12): one test per row, run against
 * every server of the matrix (scripts/matrix.ts). Each row a server has is exercised through the
 * CLI as a team uses it; each row it lacks is recorded as not applicable with the release it
 * needs, and labelform's refusal there is checked by a test of its own.
 *
 * A test that passes appends its row to LABELFORM_COMPAT_FILE (when set); the matrix reads the
 * rows from there and the not-applicable ones from the test runner's record.
 */
import { appendFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  PROJECT_FIELD_DEFAULTS,
  PROJECT_FIELD_SINCE,
  PROJECT_FIELDS,
  type ProjectField,
} from '../../src/kinds/project/fields.ts';
import { atLeast, showSince } from '../../src/api/server-versions.ts';
import { COMPAT_ROWS } from './compat-rows.ts';
import { onlyBefore, onlyFrom, testRelease } from '../helpers/applicable.ts';
import { removeTree } from '../helpers/cli.ts';
import {
  api,
  cli,
  makeRepo,
  markedProjectId,
  projectManifest,
  realServer,
  TEXT_CHOICES,
  uniqueNamespace,
} from './support.ts';

const ns = uniqueNamespace('compat');
const client = api();
const release = testRelease();
let dir = '';
let projectId = 0;
let draftId = 0;
/** Per project, the fields the plan still wants to change after the apply (none when every field round-trips). */
const unsettled = new Map<string, Set<string>>();
const live = new Map<string, Record<string, unknown>>();
/**
 * Pairs validate refuses, as the server would undo them: `is_draft` beside `is_published` (cleared
 * on save), `show_collab_predictions: false` beside a `model_version` (emptied),
 * `start_training_on_annotation_update` beside a count other than 1 (stored as 1). One of each
 * pair goes on a second project.
 */
const SECOND_PROJECT = new Set<ProjectField>([
  'is_draft',
  'show_collab_predictions',
  'start_training_on_annotation_update',
]);
const projectOf = (f: ProjectField) => (SECOND_PROJECT.has(f) ? 'draft' : 'compat');

/** A value other than the default for every managed field, as a manifest line. */
const FIELD_LINES: Readonly<Record<ProjectField, string>> = {
  title: `title: "Compat ${ns}"`,
  description: 'description: "Rows of the compatibility table."',
  label_config: 'label_config:\n    file: ./config.xml',
  expert_instruction: 'expert_instruction: "<p>Read <b>carefully</b></p>"',
  show_instruction: 'show_instruction: true',
  show_skip_button: 'show_skip_button: false',
  enable_empty_annotation: 'enable_empty_annotation: false',
  show_annotation_history: 'show_annotation_history: true',
  color: 'color: "#AA3366"',
  maximum_annotations: 'maximum_annotations: 3',
  is_published: 'is_published: true',
  is_draft: 'is_draft: true',
  model_version: 'model_version: "compat-v1"',
  min_annotations_to_start_training: 'min_annotations_to_start_training: 5',
  start_training_on_annotation_update: 'start_training_on_annotation_update: true',
  show_collab_predictions: 'show_collab_predictions: false',
  sampling: 'sampling: Uniform sampling',
  show_ground_truth_first: 'show_ground_truth_first: true',
  annotator_evaluation_enabled: 'annotator_evaluation_enabled: true',
  show_overlap_first: 'show_overlap_first: true',
  overlap_cohort_percentage: 'overlap_cohort_percentage: 50',
  task_data_login: 'task_data_login: reader',
  task_data_password: 'task_data_password: ${env:COMPAT_TASK_PASSWORD}',
  control_weights:
    'control_weights:\n    sentiment:\n      overall: 0.5\n      type: Choices\n      labels:\n        Positive: 1\n        Negative: 0.5',
  evaluate_predictions_automatically: 'evaluate_predictions_automatically: true',
  skip_queue: 'skip_queue: REQUEUE_FOR_ME',
  reveal_preannotations_interactively: 'reveal_preannotations_interactively: true',
  pinned_at: 'pinned_at: "2024-05-01T12:00:00+02:00"',
};
const ENV = { COMPAT_TASK_PASSWORD: 'compat-task-secret' };

const onServer = (f: ProjectField) => atLeast(release, PROJECT_FIELD_SINCE[f] ?? '0.0.0');

function manifest(name: string, fields: readonly ProjectField[]): string {
  return projectManifest(name, fields.map((f) => `  ${FIELD_LINES[f]}\n`).join(''));
}

/** A row of the table held on this server. */
function row(name: string): void {
  if (!COMPAT_ROWS.includes(name)) throw new Error(`"${name}" is not a row of test/e2e/compat-rows.ts`);
  const file = process.env.LABELFORM_COMPAT_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ row: name, release })}\n`);
}

test.before(async () => {
  // uvu does not print a failing hook: say why, then fail every test.
  try {
    const tasks = Array.from({ length: 250 }, (_, i) => JSON.stringify({ data: { text: `headline ${i}` } })).join('\n');
    dir = await makeRepo(ns, {
      'compat/project.yaml': manifest(
        'compat',
        PROJECT_FIELDS.filter((f) => onServer(f) && projectOf(f) === 'compat'),
      ),
      'draft/project.yaml': projectManifest(
        'draft',
        `  title: "Draft ${ns}"\n${[...SECOND_PROJECT]
          .filter(onServer)
          .map((f) => `  ${FIELD_LINES[f]}\n`)
          .join('')}`,
      ),
      'compat/config.xml': TEXT_CHOICES(['Positive', 'Negative']),
      'tasks.jsonl': `${tasks}\n`,
    });
    const applied = await cli(dir, ['apply', '--auto-approve'], ENV);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    projectId = await markedProjectId(ns, 'compat');
    draftId = await markedProjectId(ns, 'draft');
    const plan = await cli(dir, ['plan', '--json'], ENV);
    assert.is(plan.code === 0 || plan.code === 2, true, plan.stdout + plan.stderr);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ key: string; fields?: Array<{ field: string }> }> })
      .changes;
    for (const [key, id] of [
      ['compat', projectId],
      ['draft', draftId],
    ] as const) {
      unsettled.set(key, new Set((changes.find((c) => c.key === key)?.fields ?? []).map((f) => f.field)));
      live.set(key, await client.getProject(id));
    }
  } catch (err) {
    process.stderr.write(`compat set-up failed: ${(err as Error).stack ?? String(err)}\n`);
    throw err;
  }
});

test.after(async () => {
  for (const id of [projectId, draftId]) if (id) await client.deleteProject(id);
  if (dir) await removeTree(dir);
});

test('auth: legacy token', async () => {
  const r = await cli(dir, ['status']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /auth: +legacy token/);
  assert.ok(r.stdout.includes(`Label Studio ${release}`), r.stdout);
  row('auth: legacy token');
});

onlyFrom(
  test,
  '1.17',
  'personal access tokens',
)('auth: personal access token', async () => {
  const pat = await client.createPersonalAccessToken();
  try {
    const r = await cli(dir, ['status'], { LABEL_STUDIO_API_KEY: pat });
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /auth: +personal access token/);
    assert.not.ok(`${r.stdout}${r.stderr}`.includes(pat), 'the token is not shown');
  } finally {
    await fetch(`${realServer().url}/api/token/blacklist/`, {
      method: 'POST',
      headers: { Authorization: `Token ${realServer().token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh: pat }),
    });
  }
  row('auth: personal access token');
});

onlyBefore(
  test,
  '1.17',
  'a personal access token refused in one message',
)('a PAT-shaped token on a server before 1.17: one message saying PATs need 1.17', async () => {
  // A well-formed refresh JWT (header.payload.signature) the old server has never seen.
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const pat = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ token_type: 'refresh', exp: 4102444800, jti: 'x', user_id: 1 })}.c2lnbmF0dXJl`;
  const r = await cli(dir, ['plan'], { ...ENV, LABEL_STUDIO_API_KEY: pat });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `personal access tokens need Label Studio 1\\.17 or later; this server is ${release.replace(/\./g, '\\.')}`,
    ),
  );
  assert.is(r.stderr.match(/personal access tokens need/g)?.length, 1, r.stderr);
  assert.not.match(r.stderr, /does not look like a Label Studio server|\n\s+at /);
});

for (const field of PROJECT_FIELDS) {
  const since = PROJECT_FIELD_SINCE[field];
  (since ? onlyFrom(test, showSince(since), `project field ${field}`) : test)(`field: ${field}`, () => {
    assert.not.ok(
      unsettled.get(projectOf(field))!.has(field),
      `the plan after apply still changes ${field}: an endless diff`,
    );
    assert.not.equal(
      live.get(projectOf(field))![field],
      PROJECT_FIELD_DEFAULTS[field],
      `${field} was written (not left at its default)`,
    );
    row(`field: ${field}`);
  });
  if (since) {
    onlyBefore(
      test,
      showSince(since),
      `a plan error for ${field}`,
    )(
      `${field} on a server before ${showSince(since)}: a plan error at its line, then apply and plan converge without it`,
      async () => {
        const withField = await makeRepo(uniqueNamespace('compat-old'), {
          'p/project.yaml': projectManifest('p', `  title: "Old ${ns}"\n  ${FIELD_LINES[field]}\n`),
        });
        try {
          const r = await cli(withField, ['plan']);
          assert.is(r.code, 1, r.stdout + r.stderr);
          assert.match(
            r.stdout + r.stderr,
            new RegExp(
              `p/project\\.yaml:7:\\d+: error: \`${field}\` needs Label Studio ${showSince(since).replace(/\./g, '\\.')} or later; this server is ${release.replace(/\./g, '\\.')}`,
            ),
          );
        } finally {
          await removeTree(withField);
        }
        // The main project above was applied without it, and its plan is empty.
        const again = await cli(dir, ['plan', '--detailed-exitcode'], ENV);
        assert.is(again.code, 0, again.stdout + again.stderr);
      },
    );
  }
}

test('the plan after apply is empty: apply then plan exits 0', async () => {
  const r = await cli(dir, ['plan', '--detailed-exitcode'], ENV);
  assert.is(r.code, 0, r.stdout + r.stderr);
  row('plan, apply: converge');
});

test('drift: an edit on the server is reported, exit 2', async () => {
  await client.updateProject(projectId, { color: '#00AA00' });
  const r = await cli(dir, ['drift'], ENV);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /color: server has "#00AA00", git has "#AA3366"/);
  assert.is((await cli(dir, ['apply', '--auto-approve'], ENV)).code, 0);
  row('drift');
});

test('tasks: import 250, then listed page by page', async () => {
  const r = await cli(dir, ['tasks', 'import', String(projectId), 'tasks.jsonl', '--quiet']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const listed = await cli(dir, ['tasks', 'list', String(projectId), '--page-size', '40']);
  assert.is(listed.code, 0, listed.stderr);
  const texts = listed.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { data: { text: string } }).data.text);
  assert.is(texts.length, 250);
  assert.is(new Set(texts).size, 250);
  row('tasks: import, list');
});

test('export: the formats, and every task as JSON', async () => {
  const formats = JSON.parse(
    (await cli(dir, ['export', String(projectId), '--list-formats', '--json'])).stdout,
  ) as Array<{ name: string }>;
  assert.ok(formats.some((f) => f.name === 'JSON') && formats.some((f) => f.name === 'CSV'), JSON.stringify(formats));
  const r = await cli(dir, ['export', String(projectId), '--out', 'export.json', '--all-tasks', '--quiet']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is((JSON.parse(await readFile(join(dir, 'export.json'), 'utf8')) as unknown[]).length, 250);
  row('export: JSON');
});

test('export snapshot: JSON', async () => {
  const r = await cli(dir, ['export', String(projectId), '--snapshot', '--out', 'snap.json', '--all-tasks', '--quiet']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.is((JSON.parse(await readFile(join(dir, 'snap.json'), 'utf8')) as unknown[]).length, 250);
  row('export snapshot: JSON');
});

onlyFrom(
  test,
  '1.8',
  'snapshots converted to other formats',
)('export snapshot: CSV (converted)', async () => {
  const r = await cli(dir, [
    'export',
    String(projectId),
    '--snapshot',
    '--format',
    'CSV',
    '--out',
    'snap.csv',
    '--all-tasks',
    '--quiet',
  ]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const lines = (await readFile(join(dir, 'snap.csv'), 'utf8')).trim().split('\n');
  assert.is(lines.length, 251, 'a header and 250 rows');
  row('export snapshot: CSV');
});

test('task data PostgreSQL refuses (U+0000) is refused before anything is sent, naming its line', async () => {
  const lines = Array.from({ length: 9 }, (_, i) =>
    JSON.stringify({ data: { text: i === 6 ? 'nul \u0000 here' : `row ${i}` } }),
  );
  await writeFile(join(dir, 'nul.jsonl'), `${lines.join('\n')}\n`);
  const before = (await client.getProject(projectId)) as unknown as { task_number?: number };
  const r = await cli(dir, ['tasks', 'import', String(projectId), 'nul.jsonl']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /nul\.jsonl:7\b/);
  const after = (await client.getProject(projectId)) as unknown as { task_number?: number };
  assert.is(after.task_number, before.task_number, 'nothing was imported');
  row('tasks: U+0000 refused first');
});

test.run();
