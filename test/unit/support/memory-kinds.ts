/**
 * Two tiny resource kinds kept in memory, `Shelf` and its child `Book`, that implement the kind
 * contract the way a real kind does, so the generic planner and applier can be tested with a
 * parent and a child kind before any real child kind exists. Their "server" is a Map.
 */
import type { FieldChange } from '../../../src/generated/schema-types.ts';
import { defineKind } from '../../../src/kinds/define-kind.ts';
import {
  Refusal,
  type DesiredResource,
  type LiveResource,
  type ResourceKind,
  type Repository,
} from '../../../src/kinds/kind.ts';
import { stubDoc } from './plan-fixtures.ts';

export interface MemoryDesired extends DesiredResource {
  readonly spec: { readonly label: string };
}

export interface MemoryLive extends LiveResource {
  readonly label: string;
}

/** The shared "server": resources by id, and a log of the calls in order. */
export interface MemoryServer {
  readonly rows: Map<number, { kind: string; key: string; parentId?: number; label: string; ns: string }>;
  readonly calls: string[];
  nextId: number;
  /** Keys whose create fails. */
  readonly failCreate: Set<string>;
}

export function memoryServer(): MemoryServer {
  return { rows: new Map(), calls: [], nextId: 100, failCreate: new Set() };
}

export function memoryKind(
  kind: string,
  server: MemoryServer,
  desired: readonly MemoryDesired[],
  parent?: string,
): ResourceKind<MemoryDesired, MemoryLive> {
  const diff = (d: MemoryDesired, l: MemoryLive | undefined): FieldChange[] =>
    l && l.label === d.spec.label ? [] : [{ field: 'label', ...(l ? { before: l.label } : {}), after: d.spec.label }];
  return defineKind<MemoryDesired, MemoryLive>({
    kind,
    schema: 'project',
    noun: kind.toLowerCase(),
    ...(parent ? { parent } : {}),
    load: async () => [],
    desired: (_repo: Repository) => desired,
    readLive: async () => [],
    identify: (l) => l.marker,
    normalise: (_f, v) => v,
    diff,
    plan(m, ctx) {
      const d = m.desired;
      const fields = diff(d, m.live);
      const base = {
        kind,
        key: d.name,
        ...(ctx.parentOf(d) ? { parent: ctx.parentOf(d)! } : {}),
        file: d.file,
        line: 1,
        fields,
      };
      if (!m.live) return { changes: [{ action: 'create', ...base }] };
      return { changes: [{ action: fields.length ? 'update' : 'no-op', ...base, id: m.live.id }] };
    },
    orphan: (l) => ({ id: l.id, key: l.marker!.key, title: l.title, annotations: 0 }),
    planPrune: (o) => ({
      changes: [
        {
          action: 'delete',
          kind,
          key: o.key,
          ...(o.parent ? { parent: o.parent } : {}),
          id: o.id,
          fields: [],
        },
      ],
    }),
    digest: (d) => d.spec,
    startApply: (run) => ({
      async create(change, d, parentId) {
        server.calls.push(`create ${kind} ${change.key} under ${parentId ?? '-'}`);
        if (server.failCreate.has(change.key)) throw new Refusal('the server said no');
        const id = server.nextId++;
        server.rows.set(id, {
          kind,
          key: change.key,
          ...(parentId !== undefined ? { parentId } : {}),
          label: d!.spec.label,
          ns: run.namespace,
        });
        return { id };
      },
      async update(change, d, parentId) {
        server.calls.push(`update ${kind} ${change.key} under ${parentId ?? '-'}`);
        server.rows.get(change.id)!.label = d!.spec.label;
        return { id: change.id };
      },
      async delete(change) {
        server.calls.push(`delete ${kind} ${change.key}`);
        server.rows.delete(change.id);
        return { id: change.id };
      },
    }),
  });
}

export function memoryDesired(kind: string, name: string, label: string, parent?: string): MemoryDesired {
  return {
    kind,
    name,
    file: `${kind.toLowerCase()}s/${name}.yaml`,
    doc: stubDoc(`${kind.toLowerCase()}s/${name}.yaml`),
    spec: { label },
    ...(parent ? { parent } : {}),
  };
}

export function memoryLive(
  id: number,
  key: string,
  label: string,
  ns: string,
  parent?: { key: string; id: number },
): MemoryLive {
  return {
    id,
    title: key,
    label,
    marker: { namespace: ns, key, ...(parent ? { parent: parent.key } : {}) },
    ...(parent ? { parentId: parent.id } : {}),
  };
}
