import type { Plan, ResourceChange } from '../generated/schema-types.ts';
import { resourceName } from '../model/resource-name.ts';
import { sameServerUrl } from '../state/saved-plan.ts';

/** A resource of a saved plan that the server moved since the plan was made. */
export interface MovedResource {
  readonly kind: string;
  readonly key: string;
  readonly parent?: string;
  readonly id: number;
  /** The managed fields whose live value changed; empty when the resource is gone. */
  readonly fields: readonly string[];
  /** The resource is no longer on the server. */
  readonly gone: boolean;
}

/**
 * What moved on the server since `saved` was made, read from a fresh plan of the same server
 * (`fresh`, made from other manifests: the default branch's, as `watch` holds them). Every change
 * of an existing resource carries, per managed field, a hash of the live value it was made
 * against (`fingerprint`); a hash is of the live value alone, so two plans of different manifests
 * agree on it while the server does not move. A field both plans manage whose hash differs, or a
 * resource the fresh plan has to create again, moved: `apply` of the saved plan would refuse it
 * (state/saved-plan.ts re-plans and compares). What only the saved plan manages cannot be told
 * and is not claimed. The ownership marker's own hash (`marker`) is left out: an apply of the same
 * values moves it, and a saved plan does not depend on it.
 */
export function movedSince(saved: Plan, fresh: Plan): MovedResource[] {
  if (!sameServerUrl(saved.server.url, fresh.server.url)) return [];
  if (saved.server.environment !== fresh.server.environment || saved.namespace !== fresh.namespace) return [];
  const byResource = new Map<string, ResourceChange[]>();
  for (const c of fresh.changes) {
    const id = resourceOf(c);
    byResource.set(id, [...(byResource.get(id) ?? []), c]);
  }
  const out: MovedResource[] = [];
  for (const s of saved.changes) {
    if (s.action === 'create' || s.id === undefined) continue;
    const same = byResource.get(resourceOf(s)) ?? [];
    if (!same.length) continue;
    const now = same.find((c) => c.id === s.id);
    const base = { kind: s.kind, key: s.key, ...(s.parent ? { parent: s.parent.key } : {}), id: s.id };
    if (!now) {
      // The fresh plan knows the resource and has to create it: the one the saved plan acts on is gone.
      if (same.every((c) => c.action === 'create')) out.push({ ...base, fields: [], gone: true });
      continue;
    }
    const before = fingerprintOf(s);
    const after = fingerprintOf(now);
    const fields = Object.keys(before)
      .filter((f) => f !== 'marker' && after[f] !== undefined && after[f] !== before[f])
      .sort();
    if (fields.length) out.push({ ...base, fields, gone: false });
  }
  return out;
}

/**
 * The note `watch --comment` keeps on a pull request whose plan the server moved under: starts
 * with `marker`, names what moved and what to do. Keys are manifest names (schema-checked) and
 * field names: shown as code, with anything that could leave it taken out.
 */
export function renderStaleNote(
  marker: string,
  moved: readonly MovedResource[],
  at: { readonly environment: string; readonly footer: string },
): string {
  const rows = moved.slice(0, 50).map((m) => {
    const name = resourceName({ kind: m.kind, key: m.key, ...(m.parent !== undefined ? { parent: m.parent } : {}) });
    return `| ${code(name)} | ${m.id} | ${m.gone ? 'deleted on the server' : m.fields.map(code).join(', ')} |`;
  });
  if (moved.length > rows.length) rows.push(`| … | | and ${moved.length - rows.length} more |`);
  return [
    marker,
    `⚠️ **The server changed after this pull request's plan was made** (environment ${code(at.environment)}, seen by \`labelform watch\`).`,
    '',
    'The plan above no longer matches the server: once this is merged, `apply --merged` will refuse it and apply nothing. Make the plan again (push a commit, or re-run the plan job) and review what it says now. If the change on the server was a mistake, put it back: this note goes away when the plan matches again.',
    '',
    '| Resource | Id | What moved |',
    '| --- | --- | --- |',
    ...rows,
    '',
    at.footer,
    '',
  ].join('\n');
}

function resourceOf(c: ResourceChange): string {
  return `${c.kind}/${c.parent?.key ?? ''}/${c.key}`;
}

/** Per managed field, the hash of the live value a change was planned against (none for a create). */
export function fingerprintOf(c: ResourceChange): Readonly<Record<string, string>> {
  return 'fingerprint' in c && c.fingerprint ? c.fingerprint : {};
}

function code(s: string): string {
  return `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;').replace(/\r?\n/g, ' ')}</code>`;
}
