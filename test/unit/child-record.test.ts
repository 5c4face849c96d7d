/**
 * The record of children in a project's marker (`[ch ...]`): written with the record of fields,
 * read back, extended by one kind without touching the rest of the line, and what it makes
 * `parentsToRead` visit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  parseAppliedRecord,
  parseChildKinds,
  parseMarker,
  stripMarker,
  withChildKinds,
  withMarker,
} from '../../src/kinds/project/marker.ts';
import { parentsToRead } from '../../src/kinds/shared/read-scope.ts';
import type { DesiredResource, LiveResource, Repository } from '../../src/kinds/kind.ts';

const M = { namespace: 'acme', key: 'news' };

test('a record of no children is [ch]; a marker without it records nothing (undefined), not "none"', () => {
  const none = withMarker('Headlines.', M, { fields: {}, children: [] });
  assert.ok(none.endsWith('[lf1] [ch]'), none);
  assert.equal(parseChildKinds(none), []);
  assert.is(parseChildKinds(withMarker('Headlines.', M)), undefined);
  assert.is(parseChildKinds(withMarker('Headlines.', M, { fields: {} })), undefined);
  assert.is(parseChildKinds('no marker [ch ml]'), undefined);
  // Codes sorted, doubles and malformed ones dropped; the record of fields is untouched.
  const some = withMarker('Headlines.', M, { commit: 'abcdef123456', fields: {}, children: ['ml', 'is', 'ml', 'X!'] });
  assert.equal(parseChildKinds(some), ['is', 'ml']);
  assert.equal(parseAppliedRecord(some), { commit: 'abcdef123456', fields: {}, children: ['is', 'ml'] });
  assert.is(stripMarker(some), 'Headlines.');
  assert.equal(parseMarker(some), M);
});

test('withChildKinds adds one kind in place; nothing to write when it is there, or when nothing is recorded', () => {
  const line = withMarker('Headlines.', M, { commit: 'abcdef123456', fields: { title: 'Ab3x' }, children: ['ml'] });
  const added = withChildKinds(line, ['is'])!;
  assert.is(added, line.replace('[ch ml]', '[ch is ml]'));
  assert.is(withChildKinds(added, ['ml']), undefined);
  assert.is(
    withChildKinds(line, ['is', 'es', 'ml']),
    line.replace('[ch ml]', '[ch es is ml]'),
    'several kinds in one write',
  );
  assert.is(withChildKinds(added, ['is', 'ml']), undefined);
  assert.is(
    withChildKinds(withMarker('Headlines.', M, { fields: {} }), ['ml']),
    undefined,
    'older marker: read anyway',
  );
  assert.is(withChildKinds('no marker', ['ml']), undefined);
  // Only the last marker line (the one labelform appends) is changed.
  const quoted = `An example: ${withMarker('', { namespace: 'x', key: 'y' }, { fields: {}, children: [] })}\n\n${withMarker('', M, { fields: {}, children: [] })}`;
  const once = withChildKinds(quoted, ['es'])!;
  assert.is(once.split('[ch es]').length, 2);
  assert.ok(once.endsWith('[lf1] [ch es]'));
});

const project = (id: number, key: string | undefined, childKinds?: string[]): LiveResource => ({
  id,
  title: key ?? `#${id}`,
  ...(key ? { marker: { namespace: 'acme', key } } : {}),
  ...(childKinds ? { childKinds } : {}),
});

function repo(resources: Record<string, DesiredResource[]>): Repository {
  return { root: '/r', environment: 'default', config: {} as Repository['config'], resources };
}

test('parentsToRead: a kind is read under projects that record it, declare it, record nothing, or are adopted', () => {
  const parents = [
    project(1, 'recorded', ['ml']),
    project(2, 'other-kind', ['is']),
    project(3, 'none', []),
    project(4, 'older'),
    project(5, 'declared', []),
    project(6, undefined),
    project(7, undefined),
    { ...project(8, 'foreign', ['ml']), marker: { namespace: 'else', key: 'foreign' } },
  ];
  const declared = { kind: 'MlBackend', name: 'm', file: 'm.yaml', parent: 'declared' } as DesiredResource;
  const adopted = { kind: 'Project', name: 'a', file: 'a.yaml', importId: 7 } as DesiredResource;
  const opts = {
    namespace: 'acme',
    repo: repo({ MlBackend: [declared], Project: [adopted] }),
    parents,
    prune: true,
  };
  const ids = (ps: LiveResource[]) => ps.map((p) => p.id);
  assert.equal(ids(parentsToRead(opts, 'Project', { kind: 'MlBackend', recordedAs: 'ml' })), [1, 4, 5, 7]);
  assert.equal(ids(parentsToRead(opts, 'Project', { kind: 'ImportStorage', recordedAs: 'is' })), [2, 4, 7]);
  // Without a recorded kind (or for pull): every managed or adopted project, as before.
  assert.equal(ids(parentsToRead(opts, 'Project')), [1, 2, 3, 4, 5, 7]);
  assert.equal(
    ids(parentsToRead({ ...opts, all: true }, 'Project', { kind: 'MlBackend', recordedAs: 'ml' })),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
});

test.run();
