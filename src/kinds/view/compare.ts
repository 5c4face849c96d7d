import equal from 'fast-deep-equal';
import type { FieldChange } from '../../generated/schema-types.ts';
import { VIEW_FIELDS, type LiveView, type ViewField, type ViewResource } from './types.ts';

/**
 * A tab's field made comparable after the server's reshaping (reference §6.5, measured): filters
 * go into rows of their own and come back as {conjunction, items} with each item's `filter`,
 * `operator`, `type` and `value` only (an `id` sent is dropped), in the order sent; no filters is
 * the same as none matching nothing; hidden columns are sets.
 */
export function normaliseViewField(field: ViewField, value: unknown): unknown {
  switch (field) {
    case 'title':
      return typeof value === 'string' ? value : null;
    case 'filters': {
      const f = (value ?? {}) as { conjunction?: unknown; items?: unknown };
      const items = Array.isArray(f.items) ? f.items : [];
      return {
        conjunction: typeof f.conjunction === 'string' ? f.conjunction.toLowerCase() : 'and',
        items: items.map((i: Record<string, unknown>) => ({ filter: i.filter, operator: i.operator, type: i.type, value: i.value ?? null })),
      };
    }
    case 'ordering':
      return Array.isArray(value) ? value : [];
    case 'hiddenColumns': {
      const h = (value ?? {}) as { explore?: unknown; labeling?: unknown };
      const set = (x: unknown) => (Array.isArray(x) ? [...x].map(String).sort() : []);
      return { explore: set(h.explore), labeling: set(h.labeling) };
    }
  }
}

export function liveViewValue(live: LiveView, field: ViewField): unknown {
  return live.raw.data?.[field];
}

/** Field changes for the fields the manifest sets. */
export function compareView(desired: ViewResource, live: LiveView | undefined): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of VIEW_FIELDS) {
    const after = desired.spec[field];
    if (after === undefined) continue;
    const sensitive = desired.sensitive.has(field);
    if (live) {
      const before = liveViewValue(live, field);
      if (equal(normaliseViewField(field, after), normaliseViewField(field, before))) continue;
      changes.push(sensitive ? { field, sensitive: true } : { field, before: (before ?? null) as FieldChange['before'], after: after as FieldChange['after'] });
    } else {
      changes.push(sensitive ? { field, sensitive: true } : { field, after: after as FieldChange['after'] });
    }
  }
  return changes;
}
