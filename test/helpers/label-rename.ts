/**
 * A simple rename mapping for the migration runner's tests (the pure `migrateResult` of the
 * mapping half replaces it in the product): on regions of `control`, every label value `from`
 * in `value.<type>` (a list of labels, or of Taxonomy paths) becomes `to`, deduplicated.
 */
import type { ResultMapping } from '../../src/kinds/project/migrate/io-run.ts';

export function renameLabel(control: string, from: string, to: string): ResultMapping {
  return (result) => {
    let regions = 0;
    const out = result.map((region) => {
      if (!isRecord(region) || region.from_name !== control || !isRecord(region.value)) return region;
      let touched = false;
      const value: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(region.value)) {
        if (!Array.isArray(v) || key === 'text') {
          value[key] = v;
          continue;
        }
        const renamed = v.map((item) => {
          if (item === from) return ((touched = true), to);
          if (Array.isArray(item)) return item.map((p) => (p === from ? ((touched = true), to) : p));
          return item;
        });
        value[key] = renamed.filter((item, i) => typeof item !== 'string' || renamed.indexOf(item) === i);
      }
      if (!touched) return region;
      regions++;
      return { ...region, value };
    });
    return regions === 0 ? undefined : { result: out, regions };
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A stored result's text with `label`'s Org renamed to Organization and every other byte kept,
 * whichever the key order: as sent (SQLite keeps it: `from_name` before `value`) or PostgreSQL's
 * jsonb order (shorter keys first: `value` before `from_name`).
 */
export function renamedOrgText(text: string): string {
  return text
    .replace(/("from_name":"label"[^}]*"labels":\[)"Org"\]/g, '$1"Organization"]')
    .replace(/("labels":\[)"Org"(\]\}[^{}]*"from_name":"label")/g, '$1"Organization"$2');
}

/** Whether a stored result's text holds `label`'s Org (either key order, as renamedOrgText). */
export function holdsOrgText(text: string): boolean {
  return renamedOrgText(text) !== text;
}
