/**
 * What each kind's `normalise` and Project's drift `attribute` answer for a field the kind does
 * not have. The engine asks only about a kind's own fields (those its diff reported), so this
 * answer is never seen in a plan; it is pinned so that narrowing the field name inside a kind
 * (a type guard instead of a cast) cannot change it unnoticed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESOURCE_KINDS, findResourceKind } from '../../src/kinds/registry.ts';
import { recordApplied } from '../../src/kinds/project/applied-record.ts';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { toLiveProject } from '../../src/kinds/project/live.ts';
import { manifest, NS } from './support/plan-fixtures.ts';

// A View answers undefined (its normalise knows only its four fields); every other kind keeps the
// value as it is, with null for none.
const asWritten = (kind: string, value: unknown) => (kind === 'View' ? undefined : (value ?? null));

test('normalise: a field the kind does not have', () => {
  assert.ok(RESOURCE_KINDS.length >= 6);
  for (const k of RESOURCE_KINDS) {
    for (const value of ['  Some Text ', 3, false, null, undefined, ['b', 'a'], { a: 1 }]) {
      for (const side of ['desired', 'live'] as const) {
        assert.equal(
          k.normalise('no_such_field', value, side),
          asWritten(k.kind, value),
          `${k.kind}: ${String(value)}`,
        );
      }
    }
  }
});

test('attribute (Project): a field the kind does not have reads as git, or unknown without a record', () => {
  const kind = findResourceKind('Project')!;
  const desired = manifest('p', { title: 'Title' });
  const project = (description: string) =>
    toLiveProject({ id: 1, title: 'Title', description, label_config: '<View></View>' } as never);
  const applied = project(withMarker('', { namespace: NS, key: 'p' }, recordApplied(desired)));
  assert.is(kind.attribute('no_such_field', desired, applied), 'git');
  assert.is(kind.attribute('no_such_field', desired, project('')), 'unknown');
});

test.run();
