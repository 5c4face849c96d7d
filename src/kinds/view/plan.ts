import { fingerprintValue } from '../../state/fingerprint.ts';
import type { KindPlanContext, Match } from '../kind.ts';
import { compareView, liveViewValue, normaliseViewField } from './compare.ts';
import { VIEW_FIELDS, type LiveView, type ViewResource } from './types.ts';

/**
 * The change for one View manifest; pure. Copies carrying the marker are deleted (tabs hold no
 * data; the lowest id stays). A tab with no marker but the declared title in the declared
 * project is taken back (`adopt`): saving a tab in the Data Manager rewrites its `data` and can
 * drop the marker, and a second tab of the same name would only confuse annotators.
 */
export function planView(m: Match<ViewResource, LiveView>, ctx: KindPlanContext<LiveView, unknown>): void {
  const d = m.desired;
  const at = d.doc.locate('/metadata/name');
  const parent = ctx.parentOf(d);
  const [keep, ...copies] = m.duplicates;
  for (const c of copies) ctx.change({ action: 'delete', kind: 'View', key: d.name, ...(parent ? { parent } : {}), id: c.id, title: c.title, fields: [], duplicateOf: keep!.id });
  if (m.adopt?.marker) {
    ctx.diagnostic({ severity: 'error', code: 'import-marked', key: d.name, file: d.file, ...d.doc.locate('/import/id'), pointer: '/import/id', message: `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}` });
    return;
  }
  if (m.adopt && m.adopt.parentId !== parent?.id) {
    ctx.diagnostic({ severity: 'error', code: 'import-parent', key: d.name, file: d.file, ...d.doc.locate('/import/id'), pointer: '/import/id', message: `import.id ${m.adopt.id} is a tab of project ${m.adopt.parentId}, not of project ${d.parent}${parent?.id ? ` (id ${parent.id})` : ''}; a tab cannot move` });
    return;
  }
  let target = m.live ?? keep ?? m.adopt;
  const notes: string[] = [];
  if (!target && parent?.id !== undefined) {
    const sameTitle = ctx.live.filter((v) => !v.marker && v.parentId === parent.id && v.title.trim() === d.spec.title.trim());
    if (sameTitle.length === 1) {
      target = sameTitle[0]!;
      notes.push(`tab ${target.id} has this title but no marker (lost when the tab was saved in the UI, or made there): it is taken back, not duplicated`);
    }
  }
  const fields = compareView(d, target);
  const base = { kind: 'View', key: d.name, ...(parent ? { parent } : {}), file: d.file, line: at.line, ...(d.sensitive.has('title') ? {} : { title: d.spec.title }), fields, ...(notes.length ? { notes } : {}) };
  if (!target) {
    ctx.change({ action: 'create', ...base });
    return;
  }
  const fingerprint: Record<string, string> = {};
  for (const f of VIEW_FIELDS) if (d.spec[f] !== undefined) fingerprint[f] = fingerprintValue(normaliseViewField(f, liveViewValue(target, f)));
  const adopting = m.adopt !== undefined || !target.marker;
  ctx.change({ action: adopting ? 'adopt' : fields.length ? 'update' : 'no-op', ...base, id: target.id, fingerprint });
}
