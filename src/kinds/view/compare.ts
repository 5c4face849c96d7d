import { isRecord } from '../../util/narrow.ts';
import type { LiveView, ViewField } from './types.ts';

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
      const f = isRecord(value) ? value : {};
      const items = Array.isArray(f.items) ? f.items : [];
      return {
        conjunction: typeof f.conjunction === 'string' ? f.conjunction.toLowerCase() : 'and',
        items: items.map((i: Record<string, unknown>) => ({
          filter: i.filter,
          operator: i.operator,
          type: i.type,
          value: i.value ?? null,
        })),
      };
    }
    case 'ordering':
      return Array.isArray(value) ? value : [];
    case 'hiddenColumns': {
      const h = isRecord(value) ? value : {};
      const set = (x: unknown) => (Array.isArray(x) ? [...x].map(String).sort() : []);
      return { explore: set(h.explore), labeling: set(h.labeling) };
    }
  }
}

export function liveViewValue(live: LiveView, field: ViewField): unknown {
  return live.raw.data?.[field];
}
