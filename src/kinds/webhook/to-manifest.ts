import { writeBack } from '../../manifest/pulled.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { CREDENTIAL_HEADER } from './compare.ts';
import { withoutMarker } from './marker.ts';
import type { LiveWebhook } from './types.ts';


/**
 * A Webhook manifest for a live webhook that plans as no change. Header values holding a known
 * secret become its `${env:NAME}`; a credential header whose value is not known becomes a
 * `${env:...}` reference to set (its value is never written); a URL holding a secret that cannot
 * be written back skips the webhook.
 */
export function webhookToManifest(w: LiveWebhook, ctx: PullContext): PulledManifest | { skipped: string } {
  const raw = w.raw;
  const notes: string[] = [];
  const url = writeBack(raw.url, ctx.secrets);
  if (!url.ok) return { skipped: `its URL holds the value of \${env:${url.names.join('}, ${env:')}} and cannot be written without it` };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(withoutMarker(raw.headers))) {
    const back = writeBack(value, ctx.secrets);
    if (back.ok && (back.refs.length > 0 || !CREDENTIAL_HEADER.test(name))) {
      headers[name] = back.text;
      continue;
    }
    const variable = `WEBHOOK_${ctx.key}_${name}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
    headers[name] = `\${env:${variable}}`;
    notes.push(`header ${name} looks like a credential: written as \${env:${variable}}; set ${variable} to its value before \`labelform plan\``);
  }
  const spec: Record<string, unknown> = {
    ...(ctx.parentKey !== undefined ? { project: ctx.parentKey } : {}),
    url: url.text,
    send_payload: raw.send_payload,
    send_for_all_actions: raw.send_for_all_actions,
    ...(raw.actions.length || !raw.send_for_all_actions ? { actions: [...raw.actions].sort() } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    is_active: raw.is_active,
  };
  return {
    manifest: { apiVersion: 'labelform/v1', kind: 'Webhook', metadata: { name: ctx.key }, spec, ...(ctx.adopt ? { import: { id: w.id } } : {}) },
    notes,
  };
}
