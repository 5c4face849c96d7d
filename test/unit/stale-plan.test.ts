/**
 * What `watch --comment` claims moved under a saved plan (src/ci/stale-plan.ts): from the live
 * values' hashes both plans carry, for what both manage; nothing for another server, environment
 * or namespace; a resource the fresh plan must create again is gone; the marker's hash and what
 * only the saved plan manages are never claimed. The note shows names as code, nothing more.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan, ResourceChange } from '../../src/generated/schema-types.ts';
import { markerFor } from '../../src/ci/marker.ts';
import { movedSince, renderStaleNote } from '../../src/ci/stale-plan.ts';

function plan(changes: ResourceChange[], over: Partial<Plan> = {}): Plan {
  return {
    formatVersion: 3,
    labelformVersion: '0.0.0',
    createdAt: '2026-12-07T00:00:00Z',
    server: { url: 'http://ls.example:8080', environment: 'prod' },
    namespace: 'team',
    desiredDigest: 'x',
    changes,
    orphans: [],
    diagnostics: [],
    summary: { create: 0, update: 0, delete: 0, adopt: 0, noop: 0 } as Plan['summary'],
    stats: {} as Plan['stats'],
    ...over,
  };
}
const noop = (key: string, id: number, fingerprint: Record<string, string>, kind = 'Project'): ResourceChange =>
  ({ action: 'no-op', kind, key, id, fields: [], fingerprint }) as unknown as ResourceChange;
const update = (key: string, id: number, fingerprint: Record<string, string>): ResourceChange => ({
  action: 'update',
  kind: 'Project',
  key,
  id,
  fields: [{ field: 'title', before: 'A', after: 'B' }],
  fingerprint,
});
const create = (key: string): ResourceChange =>
  ({ action: 'create', kind: 'Project', key, fields: [] }) as unknown as ResourceChange;

test('a field both plans manage whose live hash differs moved; the marker and fields only the saved plan has do not count', () => {
  const saved = plan([update('news', 3, { title: 'h1', color: 'c1', marker: 'm1', expert_instruction: 'e1' })]);
  const fresh = plan([noop('news', 3, { title: 'h1', color: 'c2', marker: 'm2' })]);
  assert.equal(movedSince(saved, fresh), [{ kind: 'Project', key: 'news', id: 3, fields: ['color'], gone: false }]);
  assert.equal(movedSince(saved, plan([noop('news', 3, { title: 'h1', color: 'c1', marker: 'm2' })])), []);
});

test('a resource the fresh plan has to create again is gone; one the fresh plan does not know is not claimed', () => {
  const saved = plan([update('news', 3, { title: 'h1' }), noop('sports', 4, { title: 'x' }), create('new')]);
  const fresh = plan([create('news'), create('new')]);
  assert.equal(movedSince(saved, fresh), [{ kind: 'Project', key: 'news', id: 3, fields: [], gone: true }]);
});

test('another server, environment or namespace: nothing is claimed', () => {
  const saved = plan([noop('news', 3, { title: 'h1' })]);
  const moved = [noop('news', 3, { title: 'h2' })];
  assert.is(movedSince(saved, plan(moved)).length, 1);
  assert.is(
    movedSince(saved, plan(moved, { server: { url: 'http://LS.example:8080/', environment: 'prod' } })).length,
    1,
  );
  assert.equal(movedSince(saved, plan(moved, { server: { url: 'http://other:8080', environment: 'prod' } })), []);
  assert.equal(movedSince(saved, plan(moved, { server: { url: 'http://ls.example:8080', environment: 'dev' } })), []);
  assert.equal(movedSince(saved, plan(moved, { namespace: 'other' })), []);
});

test('child resources are matched by kind, parent and key', () => {
  const child = (fp: string) =>
    ({
      action: 'no-op',
      kind: 'View',
      key: 'triage',
      parent: { kind: 'Project', key: 'news', id: 3 },
      id: 9,
      fields: [],
      fingerprint: { data: fp },
    }) as unknown as ResourceChange;
  assert.equal(movedSince(plan([child('a')]), plan([child('b')])), [
    { kind: 'View', key: 'triage', parent: 'news', id: 9, fields: ['data'], gone: false },
  ]);
});

test('the note starts with its marker and shows names and fields as code only', () => {
  const marker = markerFor('stale', { dir: '.', env: 'prod' });
  const body = renderStaleNote(
    marker,
    [
      { kind: 'Project', key: 'a|b<script>', id: 3, fields: ['color'], gone: false },
      { kind: 'Project', key: 'z', id: 4, fields: [], gone: true },
    ],
    { environment: 'prod', footer: '<sub>footer</sub>' },
  );
  assert.is(body.split('\n')[0], marker);
  assert.match(body, /\| <code>a&#124;b&lt;script&gt;<\/code> \| 3 \| <code>color<\/code> \|/);
  assert.match(body, /\| <code>z<\/code> \| 4 \| deleted on the server \|/);
  assert.not.match(body, /<script>/);
});

test.run();
