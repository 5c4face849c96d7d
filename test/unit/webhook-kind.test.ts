/**
 * The Webhook kind on its own: what validate says about a webhook manifest beyond its schema,
 * and the plan from/to cases (create under a new project, update with actions as a set, a secret
 * header that never shows, copies of the marker removed, organization webhooks).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Repository } from '../../src/kinds/kind.ts';
import { toLiveWebhook } from '../../src/kinds/webhook/live.ts';
import type { LsWebhook } from '../../src/kinds/webhook/types.ts';
import { planChanges } from '../../src/reconcile/plan.ts';
import { renderPlanText } from '../../src/reconcile/render-text.ts';
import type { LiveState } from '../../src/state/live-state.ts';
import { live } from './support/plan-fixtures.ts';
import { cleanupTrees, load, projectYaml, ROOT_CONFIG } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const hook = (name: string, spec: string, project = 'p') =>
  `apiVersion: labelform/v1\nkind: Webhook\nmetadata:\n  name: ${name}\nspec:\n${project ? `  project: ${project}\n` : ''}${spec}`;
const SECRET = 'tok-5b1e9a0c77d2';

async function repoWith(files: Record<string, string>, env: Record<string, string> = {}): Promise<Repository> {
  const r = await load(
    { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p', '  title: Hooked\n'), ...files },
    { env },
  );
  assert.ok(r.result.repository, r.lines.join('\n'));
  return r.result.repository;
}

test('validate: a missing project, an organization-only action, a literal credential, the marker header, ignored actions', async () => {
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'p.yaml': projectYaml('p', '  title: Hooked\n'),
    'a.yaml': hook('a', '  url: https://hooks.example.com/a\n', 'nope'),
    'b.yaml': hook(
      'b',
      '  url: https://hooks.example.com/b\n  send_for_all_actions: false\n  actions: [TASKS_CREATED, PROJECT_CREATED]\n',
    ),
    'c.yaml': hook(
      'c',
      '  url: https://hooks.example.com/c\n  headers:\n    Authorization: Bearer abc123\n    X-Labelform-Managed: test/c\n',
    ),
    'd.yaml': hook('d', '  url: https://hooks.example.com/d\n  actions: [TASKS_CREATED]\n'),
    'e.yaml': hook('e', '  url: ftp://hooks.example.com/e\n'),
  });
  assert.equal(r.lines, [
    'a.yaml:6:12: missing-project: no Project named "nope" (defined: p)',
    "b.yaml:9:28: rule: PROJECT_CREATED is an organization-only action; a project's webhook cannot have it (the server refuses it)",
    'c.yaml:9:20: secret-literal: header Authorization looks like a credential written in git; take its value from ${env:NAME} (it is then kept out of plans and logs)',
    "c.yaml:10:5: rule: header X-Labelform-Managed is labelform's ownership marker; it is written by labelform",
    'd.yaml:8:12: warning rule: actions are ignored while send_for_all_actions is true (the server default): the webhook fires for every action. Set send_for_all_actions: false',
    'e.yaml:7:8: schema: spec.url must match ^https?://, got "ftp://hooks.example.com/e"',
  ]);
});

function state(projects: ReturnType<typeof live>[], hooks: LsWebhook[]): LiveState {
  return {
    serverVersion: '1.23.2',
    resources: { Project: projects, Webhook: hooks.map((h) => toLiveWebhook(h, projects, 'test')) },
  };
}

function lsHook(id: number, project: number, over: Partial<LsWebhook> = {}): LsWebhook {
  return {
    id,
    project,
    url: 'https://hooks.example.com/a',
    send_payload: true,
    send_for_all_actions: false,
    headers: { 'X-Labelform-Managed': 'test/a' },
    is_active: true,
    actions: ['TASKS_CREATED', 'ANNOTATION_CREATED'],
    ...over,
  };
}

const planOf = (repo: Repository, s: LiveState, extra: { prune?: boolean } = {}) =>
  planChanges({
    repo,
    live: s,
    server: { url: 'http://ls', environment: 'default' },
    stats: { requests: 0, durationMs: 0 },
    createdAt: '2025-01-01T00:00:00.000Z',
    labelformVersion: '0',
    ...extra,
  });

test('plan: a webhook of a project created in the same plan is a create whose parent has no id yet', async () => {
  const repo = await repoWith({ 'a.yaml': hook('a', '  url: https://hooks.example.com/a\n') });
  const p = planOf(repo, state([], []));
  assert.equal(
    p.changes.map((c) => [c.action, c.kind, c.key, c.parent ?? null]),
    [
      ['create', 'Project', 'p', null],
      ['create', 'Webhook', 'a', { kind: 'Project', key: 'p' }],
    ],
  );
});

test('plan: actions compare as a set; a changed field shows before and after; the marker header is not a difference', async () => {
  const repo = await repoWith({
    'a.yaml': hook(
      'a',
      '  url: https://hooks.example.com/a\n  send_for_all_actions: false\n  actions: [ANNOTATION_CREATED, TASKS_CREATED]\n  headers:\n    X-Team: vision\n',
    ),
  });
  const projects = [live(4, 'Hooked', { key: 'p' })];
  const same = planOf(
    repo,
    state(projects, [lsHook(9, 4, { headers: { 'X-Team': 'vision', 'X-Labelform-Managed': 'test/a' } })]),
  );
  assert.equal(
    same.changes.map((c) => [c.action, c.key, c.kind === 'Webhook' ? c.parent : null]),
    [
      ['no-op', 'p', null],
      ['no-op', 'a', { kind: 'Project', key: 'p', id: 4 }],
    ],
  );
  const moved = planOf(
    repo,
    state(projects, [lsHook(9, 4, { actions: [], headers: { 'X-Team': 'ops', 'X-Labelform-Managed': 'test/a' } })]),
  );
  const change = moved.changes.find((c) => c.kind === 'Webhook')!;
  assert.is(change.action, 'update');
  assert.equal(change.fields, [
    { field: 'actions', before: [], after: ['ANNOTATION_CREATED', 'TASKS_CREATED'] },
    { field: 'headers', before: { 'X-Team': 'ops' }, after: { 'X-Team': 'vision' } },
  ]);
  assert.match(renderPlanText(moved), /~ update Webhook p\/a \(id 9\)/);
});

test('plan: a header from ${env:...} is compared but never shown', async () => {
  const repo = await repoWith(
    {
      'a.yaml': hook(
        'a',
        '  url: https://hooks.example.com/a\n  headers:\n    Authorization: "Bearer ${env:HOOK_TOKEN}"\n',
      ),
    },
    { HOOK_TOKEN: SECRET },
  );
  const projects = [live(4, 'Hooked', { key: 'p' })];
  const p = planOf(
    repo,
    state(projects, [
      lsHook(9, 4, { headers: { Authorization: 'Bearer old-token-value', 'X-Labelform-Managed': 'test/a' } }),
    ]),
  );
  const change = p.changes.find((c) => c.kind === 'Webhook')!;
  assert.equal(change.fields, [{ field: 'headers', sensitive: true, env: ['HOOK_TOKEN'] }]);
  assert.not.ok(JSON.stringify(p).includes(SECRET) || renderPlanText(p).includes(SECRET));
  const same = planOf(
    repo,
    state(projects, [
      lsHook(9, 4, { headers: { Authorization: `Bearer ${SECRET}`, 'X-Labelform-Managed': 'test/a' } }),
    ]),
  );
  assert.is(same.changes.find((c) => c.kind === 'Webhook')!.action, 'no-op');
});

test('plan: copies carrying the marker are deleted (webhooks hold no data), the lowest id kept; orphans and prune', async () => {
  const repo = await repoWith({ 'a.yaml': hook('a', '  url: https://hooks.example.com/a\n') });
  const projects = [live(4, 'Hooked', { key: 'p' })];
  const orphan = lsHook(12, 4, {
    url: 'https://hooks.example.com/old',
    headers: { 'X-Labelform-Managed': 'test/old' },
  });
  const foreign = lsHook(13, 4, { headers: { 'X-Labelform-Managed': 'other/a' } });
  const p = planOf(repo, state(projects, [lsHook(11, 4), lsHook(9, 4), orphan, foreign]), { prune: true });
  assert.equal(
    p.changes
      .filter((c) => c.kind === 'Webhook')
      .map((c) => [c.action, c.key, 'id' in c ? c.id : null, c.action === 'delete' ? (c.duplicateOf ?? null) : null]),
    [
      ['delete', 'a', 11, 9],
      ['no-op', 'a', 9, null],
      ['delete', 'old', 12, null],
    ],
  );
  // A live URL is shown by its host only: a path can hold a token.
  assert.equal(p.orphans, [
    {
      kind: 'Webhook',
      parent: { kind: 'Project', key: 'p', id: 4 },
      id: 12,
      key: 'old',
      title: 'https://hooks.example.com/…',
      annotations: 0,
    },
  ]);
});

test('plan: the API makes no organization webhooks; an existing one can be adopted with import', async () => {
  const repo = await repoWith({ 'o.yaml': hook('o', '  url: https://hooks.example.com/o\n', '') });
  const p = planOf(repo, state([], []));
  assert.equal(
    p.diagnostics.map((d) => [d.code, d.line]),
    [['organization-webhook', 6]],
  );
  const adopt = await repoWith({
    'o.yaml': `${hook('o', '  url: https://hooks.example.com/o\n', '')}import:\n  id: 3\n`,
  });
  const q = planOf(
    adopt,
    state([], [{ ...lsHook(3, 0, { url: 'https://hooks.example.com/o', headers: {} }), project: null }]),
  );
  assert.equal(
    q.changes.filter((c) => c.kind === 'Webhook').map((c) => [c.action, c.key, 'id' in c ? c.id : null]),
    [['adopt', 'o', 3]],
  );
});

test('plan: a credential header the server has is never shown, even when the manifest writes its headers literally', async () => {
  const repo = await repoWith({
    'a.yaml': hook('a', '  url: https://hooks.example.com/a\n  headers:\n    X-Team: vision\n'),
  });
  const p = planOf(
    repo,
    state(
      [live(4, 'Hooked', { key: 'p' })],
      [
        lsHook(9, 4, {
          headers: { 'X-Team': 'vision', Authorization: 'Bearer left-on-server-123', 'X-Labelform-Managed': 'test/a' },
        }),
      ],
    ),
  );
  const change = p.changes.find((c) => c.kind === 'Webhook')!;
  assert.equal(change.fields, [
    { field: 'headers', before: { 'X-Team': 'vision', Authorization: '(sensitive)' }, after: { 'X-Team': 'vision' } },
  ]);
  assert.not.ok(JSON.stringify(p).includes('left-on-server-123'));
});

test.run();
