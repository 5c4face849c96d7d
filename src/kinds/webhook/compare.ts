import { maskCredentialHeaders, maskUrlCredentials } from '../../util/credentials.ts';
import { isRecord } from '../../util/narrow.ts';
import { withoutMarker } from './marker.ts';
import type { LiveWebhook, WebhookField } from './types.ts';

/**
 * A webhook field made comparable: `actions` are a set (the server stores them as rows), the
 * marker header is labelform's, not the manifest's.
 */
export function normaliseWebhookField(field: string, value: unknown): unknown {
  if (field === 'actions') return Array.isArray(value) ? [...value].sort() : [];
  if (field === 'headers') return withoutMarker(isRecord(value) ? value : null);
  return value ?? null;
}

/** The live value of a field, from the server's answer. */
export function liveWebhookValue(live: LiveWebhook, field: WebhookField): unknown {
  return live.raw[field];
}

/**
 * A live value as a plan may show it: the marker header left out, a credential header's value
 * (one the manifest no longer declares, or declares literally where the server has another) and
 * the credentials in a URL (user info, a token parameter, a Slack path) masked. Masked here, in
 * the plan's data, so that text, Markdown, JSON and a saved plan show the same, and a saved plan
 * equals a fresh one (the fingerprint, not the shown value, says whether the server moved).
 */
export function showLiveWebhookValue(field: string, value: unknown): unknown {
  if (field === 'headers') return maskCredentials(withoutMarker(isRecord(value) ? value : null));
  if (field === 'url' && typeof value === 'string') return maskUrlCredentials(value);
  return value;
}

/** The server's headers as a plan may show them: the value of each that carries a credential masked. */
export function maskCredentials<V>(headers: Readonly<Record<string, V>>): Record<string, V | string> {
  return maskCredentialHeaders(headers);
}
