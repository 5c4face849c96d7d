import { writeBack } from '../../manifest/pulled.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { VIEW_FIELDS, type LiveView } from './types.ts';

/** A View manifest for a live tab: its title and whichever of filters, ordering and hidden columns it has. */
export function viewToManifest(v: LiveView, ctx: PullContext): PulledManifest | { skipped: string } {
  const title = writeBack(v.title, ctx.secrets);
  if (!title.ok) return { skipped: 'its title holds a secret value' };
  if (JSON.stringify(v.raw.data ?? {}).length && ctx.secrets.some((s) => JSON.stringify(v.raw.data ?? {}).includes(s.value))) return { skipped: 'its filters hold a secret value' };
  const spec: Record<string, unknown> = { project: ctx.parentKey, title: title.text || `Tab ${v.id}` };
  for (const f of VIEW_FIELDS) {
    if (f === 'title') continue;
    const value = v.raw.data?.[f];
    if (value === undefined || value === null) continue;
    if (f === 'filters') {
      const items = ((value as { items?: Array<Record<string, unknown>> }).items ?? []).map((i) => ({ filter: i.filter, operator: i.operator, type: i.type, value: i.value ?? null }));
      spec.filters = { conjunction: (value as { conjunction?: string }).conjunction ?? 'and', items };
    } else spec[f] = value;
  }
  return { manifest: { apiVersion: 'labelform/v1', kind: 'View', metadata: { name: ctx.key }, spec, ...(ctx.adopt ? { import: { id: v.id } } : {}) }, notes: [] };
}
