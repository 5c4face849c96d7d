import type { PlanDiagnostic } from '../../generated/schema-types.ts';
import { refused, type KindPlan, type KindPlanContext, type Match } from '../kind.ts';
import { childRefused, existingChange, startChild } from '../shared/plan-child.ts';
import { normaliseStorageField } from './compare.ts';
import { pendingSync } from './sync-state.ts';
import { storageFields, type Direction, type LiveStorage, type StorageResource } from './types.ts';

/**
 * The change for one storage manifest; pure. Copies carrying the marker are deleted (a storage
 * record holds no data: deleting one leaves its tasks and the bucket as they are). A storage
 * cannot change its type. A create says what else happens: an import storage is synced once
 * after it is created; an export storage syncs the project's annotations at once. An import
 * storage that exists but whose sync never finished (an apply stopped before it, or it failed)
 * gets the sync as a change of its own (see `pendingSync`).
 */
export function storagePlanner(direction: Direction) {
  return (
    match: Match<StorageResource, LiveStorage>,
    ctx: KindPlanContext<LiveStorage, unknown, StorageResource>,
  ): KindPlan => {
    const d = match.desired;
    const err = (code: string, message: string, pointer: string): PlanDiagnostic => ({
      severity: 'error',
      code,
      key: d.name,
      file: d.file,
      ...d.doc.locate(pointer),
      pointer,
      message,
    });
    // Ids are counted per storage type: `import: {id}` names the storage of the manifest's type.
    const parentId = ctx.parentOf(d)?.id;
    const adopt =
      match.adopt && match.adopt.raw.type !== d.spec.type
        ? ctx.live.find((l) => l.id === d.importId && l.raw.type === d.spec.type && l.parentId === parentId)
        : match.adopt;
    if (match.adopt && !adopt)
      return refused(
        err(
          'import-type',
          `import.id ${d.importId}: no ${d.spec.type} storage with this id in project ${d.parent}`,
          '/import/id',
        ),
      );
    const start = startChild(adopt === match.adopt ? match : { ...match, adopt }, ctx, `${direction} storage`);
    if ('error' in start) return childRefused(start);
    const { parent, target } = start;
    if (target && target.raw.type !== d.spec.type) {
      return childRefused({
        copies: start.copies,
        error: err(
          'type-change',
          `${target.raw.type} storage ${target.id} carries this key, but the manifest says type ${d.spec.type}: a storage cannot change its type. Give the manifest a new metadata.name (and \`apply --prune\` removes the old one)`,
          '/spec/type',
        ),
      });
    }
    const title = ['title', 'bucket', 'container', 'path'].some((f) => d.sensitive.has(f))
      ? d.name
      : String(d.spec.title ?? d.spec.bucket ?? d.spec.container ?? d.spec.path ?? d.name);
    const base = {
      kind: d.kind,
      key: d.name,
      ...(parent ? { parent } : {}),
      file: d.file,
      line: d.doc.locate('/metadata/name').line,
      title: `${d.spec.type} ${title}`,
      fields: ctx.diff(d, target),
    };
    if (!target) {
      const notes =
        direction === 'export'
          ? [
              "the server checks the connection, and creating it syncs the project's existing annotations to it at once (SYNC_ON_TARGET_STORAGE_CREATION)",
            ]
          : [
              `the server checks the connection${d.spec.type === 's3' && typeof d.spec.prefix === 'string' && d.spec.prefix !== '' ? ' (the bucket must exist and hold at least one object under the prefix)' : ''}; labelform then syncs it once (tasks appear for its objects); later, \`labelform storage sync\` or the UI syncs it again`,
            ];
      return { changes: [...start.copies, { action: 'create', ...base, notes }] };
    }
    const managed = storageFields(direction, d.spec.type).filter((f) => d.spec[f] !== undefined && !d.sensitive.has(f));
    const pending = pendingSync(direction, d, target, ctx.live);
    const diagnostics: PlanDiagnostic[] = [];
    if (pending && 'running' in pending)
      diagnostics.push({
        severity: 'warning',
        code: 'storage-syncing',
        key: d.name,
        file: d.file,
        ...d.doc.locate('/metadata/name'),
        pointer: '/metadata/name',
        message: `${direction} storage ${parent?.key ?? d.parent}/${d.name} (id ${target.id}): ${pending.running}`,
      });
    const withSync =
      pending && 'sync' in pending ? { ...base, fields: [...base.fields, pending.sync], notes: [pending.note] } : base;
    return {
      changes: [
        ...start.copies,
        existingChange(withSync, target, start.adopting, managed, (f) => normaliseStorageField(f, target.raw[f])),
      ],
      diagnostics,
    };
  };
}
