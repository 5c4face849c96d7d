import type { KindPlan, KindPlanContext, Match } from '../kind.ts';
import { childRefused, existingChange, startChild } from '../shared/plan-child.ts';
import { liveViewValue, normaliseViewField } from './compare.ts';
import { VIEW_FIELDS, type LiveView, type ViewResource } from './types.ts';

/**
 * The change for one View manifest; pure. Copies and `import: {id}` as every sub-resource
 * (startChild). A tab with no marker but the declared title in the declared project is taken
 * back (`adopt`): saving a tab in the Data Manager rewrites its `data` and can drop the marker,
 * and a second tab of the same name would only confuse annotators.
 */
export function planView(
  m: Match<ViewResource, LiveView>,
  ctx: KindPlanContext<LiveView, unknown, ViewResource>,
): KindPlan {
  const d = m.desired;
  const start = startChild(m, ctx, 'tab');
  if ('error' in start) return childRefused(start);
  const { parent } = start;
  let target = start.target;
  const notes: string[] = [];
  const title = d.spec.title;
  if (!target && parent?.id !== undefined && title !== undefined) {
    const sameTitle = ctx.live.filter((v) => !v.marker && v.parentId === parent.id && v.title.trim() === title.trim());
    const [only, ...more] = sameTitle;
    if (only && more.length === 0) {
      target = only;
      notes.push(
        `tab ${target.id} has this title but no marker (lost when the tab was saved in the UI, or made there): it is taken back, not duplicated`,
      );
    }
  }
  const base = {
    kind: 'View',
    key: d.name,
    ...(parent ? { parent } : {}),
    file: d.file,
    line: d.doc.locate('/metadata/name').line,
    ...(title === undefined || d.sensitive.has('title') ? {} : { title }),
    fields: ctx.diff(d, target),
    ...(notes.length ? { notes } : {}),
  };
  if (!target) return { changes: [...start.copies, { action: 'create', ...base }] };
  const live = target;
  const managed = VIEW_FIELDS.filter((f) => d.spec[f] !== undefined && !d.sensitive.has(f));
  return {
    changes: [
      ...start.copies,
      existingChange(base, live, start.adopting || !live.marker, managed, (f) =>
        normaliseViewField(f, liveViewValue(live, f)),
      ),
    ],
  };
}
