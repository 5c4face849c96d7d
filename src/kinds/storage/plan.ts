import { fingerprintValue } from '../../state/fingerprint.ts';
import type { KindPlanContext, Match } from '../kind.ts';
import { compareStorage, normaliseStorageField } from './compare.ts';
import { storageFields, type Direction, type LiveStorage, type StorageResource } from './types.ts';

/**
 * The change for one storage manifest; pure. Copies carrying the marker are deleted (a storage
 * record holds no data: deleting one leaves its tasks and the bucket as they are). A storage
 * cannot change its type. A create says what else happens: an import storage is synced once
 * after it is created; an export storage syncs the project's annotations at once.
 */
export function storagePlanner(direction: Direction) {
  return (match: Match<StorageResource, LiveStorage>, ctx: KindPlanContext<LiveStorage, unknown>): void => {
    let m = match;
    const d = m.desired;
    const kind = d.kind;
    const at = d.doc.locate('/metadata/name');
    const parent = ctx.parentOf(d);
    const err = (code: string, message: string, pointer: string) => ctx.diagnostic({ severity: 'error', code, key: d.name, file: d.file, ...d.doc.locate(pointer), pointer, message });
    const [keep, ...copies] = m.duplicates;
    for (const c of copies) ctx.change({ action: 'delete', kind, key: d.name, ...(parent ? { parent } : {}), id: c.id, title: c.title, fields: [], duplicateOf: keep!.id });
    // Ids are counted per storage type: `import: {id}` names the storage of the manifest's type.
    const adoptMatch = m.adopt && m.adopt.raw.type !== d.spec.type ? ctx.live.find((l) => l.id === d.importId && l.raw.type === d.spec.type && l.parentId === parent?.id) : m.adopt;
    if (m.adopt && !adoptMatch) return err('import-type', `import.id ${d.importId}: no ${d.spec.type} storage with this id in project ${d.parent}`, '/import/id');
    if (adoptMatch !== m.adopt) m = { ...m, adopt: adoptMatch! };
    if (m.adopt?.marker) return err('import-marked', `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}`, '/import/id');
    if (m.adopt && m.adopt.parentId !== parent?.id) return err('import-parent', `import.id ${m.adopt.id} is a storage of project ${m.adopt.parentId}, not of project ${d.parent}; it cannot move`, '/import/id');
    const target = m.live ?? keep ?? m.adopt;
    if (target && target.raw.type !== d.spec.type) {
      return err('type-change', `${target.raw.type} storage ${target.id} carries this key, but the manifest says type ${d.spec.type}: a storage cannot change its type. Give the manifest a new metadata.name (and \`apply --prune\` removes the old one)`, '/spec/type');
    }
    const fields = compareStorage(direction, d, target);
    const base = { kind, key: d.name, ...(parent ? { parent } : {}), file: d.file, line: at.line, title: `${d.spec.type} ${['title', 'bucket', 'container', 'path'].some((f) => d.sensitive.has(f)) ? d.name : String(d.spec.title ?? d.spec.bucket ?? d.spec.container ?? d.spec.path ?? d.name)}`, fields };
    if (!target) {
      const notes =
        direction === 'export'
          ? ['the server checks the connection, and creating it syncs the project\'s existing annotations to it at once (SYNC_ON_TARGET_STORAGE_CREATION)']
          : ['the server checks the connection; labelform then syncs it once (tasks appear for its objects); later, `labelform storage sync` or the UI syncs it again'];
      ctx.change({ action: 'create', ...base, notes });
      return;
    }
    const fingerprint: Record<string, string> = {};
    for (const f of storageFields(direction, d.spec.type)) if (d.spec[f] !== undefined && !d.sensitive.has(f)) fingerprint[f] = fingerprintValue(normaliseStorageField(f, target.raw[f]));
    ctx.change({ action: m.adopt ? 'adopt' : fields.length ? 'update' : 'no-op', ...base, id: target.id, fingerprint });
  };
}
