import { fingerprintValue } from '../../state/fingerprint.ts';
import type { KindPlanContext, Match } from '../kind.ts';
import { urlTitle } from '../shared/url-title.ts';
import { compareWebhook, liveWebhookValue, normaliseWebhookField } from './compare.ts';
import { WEBHOOK_FIELDS, type LiveWebhook, type WebhookResource } from './types.ts';

/**
 * The change for one Webhook manifest; pure. Webhooks hold no data, so copies carrying the same
 * marker (a create the server ran twice, a racing run) are always planned as deletes of all but
 * the lowest id.
 */
export function planWebhook(m: Match<WebhookResource, LiveWebhook>, ctx: KindPlanContext<LiveWebhook, unknown>): void {
  const d = m.desired;
  const at = d.doc.locate('/metadata/name');
  const parent = ctx.parentOf(d);
  const [keep, ...copies] = m.duplicates;
  for (const c of copies) {
    ctx.change({ action: 'delete', kind: 'Webhook', key: d.name, ...(parent ? { parent } : {}), id: c.id, title: c.title, fields: [], duplicateOf: keep!.id });
  }
  const target = m.live ?? keep ?? m.adopt;
  if (m.adopt?.marker) {
    ctx.diagnostic({ severity: 'error', code: 'import-marked', key: d.name, file: d.file, ...d.doc.locate('/import/id'), pointer: '/import/id', message: `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}` });
    return;
  }
  if (m.adopt && (m.adopt.parentId ?? null) !== (parent?.id ?? null)) {
    ctx.diagnostic({ severity: 'error', code: 'import-parent', key: d.name, file: d.file, ...d.doc.locate('/import/id'), pointer: '/import/id', message: `import.id ${m.adopt.id} belongs to ${m.adopt.parentId ? `project ${m.adopt.parentId}` : 'the organization'}, not to ${parent ? `project ${parent.key}${parent.id ? ` (id ${parent.id})` : ''}` : 'the organization'}; a webhook cannot move` });
    return;
  }
  const fields = compareWebhook(d, target);
  const base = { kind: 'Webhook', key: d.name, ...(parent ? { parent } : {}), file: d.file, line: at.line, ...(d.sensitive.has('url') ? {} : { title: urlTitle(d.spec.url) }), fields };
  if (!target) {
    if (!parent) {
      // Measured on 1.23.2: POST /api/webhooks/ without a project answers 404 "Project not found.".
      ctx.diagnostic({ severity: 'error', code: 'organization-webhook', key: d.name, file: d.file, ...d.doc.locate('/spec'), pointer: '/spec', message: 'Label Studio\'s API cannot create an organization webhook (POST /api/webhooks/ without a project answers 404); set spec.project, or adopt an existing one with import: {id}' });
      return;
    }
    ctx.change({ action: 'create', ...base });
    return;
  }
  const fingerprint: Record<string, string> = {};
  for (const f of WEBHOOK_FIELDS) if (d.spec[f] !== undefined && !d.sensitive.has(f)) fingerprint[f] = fingerprintValue(normaliseWebhookField(f, liveWebhookValue(target, f)));
  ctx.change({ action: m.adopt ? 'adopt' : fields.length ? 'update' : 'no-op', ...base, id: target.id, fingerprint });
}
