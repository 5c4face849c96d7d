import type { FieldChange } from '../../generated/schema-types.ts';
import { compareFields } from '../shared/plan-child.ts';
import { withoutMarker } from './marker.ts';
import { WEBHOOK_FIELDS, type LiveWebhook, type LsWebhook, type WebhookField, type WebhookResource } from './types.ts';

/**
 * A webhook field made comparable: `actions` are a set (the server stores them as rows), the
 * marker header is labelform's, not the manifest's.
 */
export function normaliseWebhookField(field: WebhookField, value: unknown): unknown {
  if (field === 'actions') return [...((value as string[] | null) ?? [])].sort();
  if (field === 'headers') return withoutMarker(value as Record<string, string> | null);
  return value ?? null;
}

/** The live value of a field, from the server's answer. */
export function liveWebhookValue(live: LiveWebhook, field: WebhookField): unknown {
  return (live.raw as LsWebhook)[field];
}

/** Field changes for the fields the manifest sets; a field holding a secret carries no values. */
export function compareWebhook(desired: WebhookResource, live: LiveWebhook | undefined): FieldChange[] {
  return compareFields(
    WEBHOOK_FIELDS,
    desired,
    live && ((f) => liveWebhookValue(live, f as WebhookField)),
    (f, v) => normaliseWebhookField(f as WebhookField, v),
    (f, v) => (f === 'headers' ? maskCredentials(withoutMarker(v as Record<string, string>)) : v),
  );
}

/** Header names that carry credentials (as the loader checks them). */
export const CREDENTIAL_HEADER = /auth|token|secret|password|passwd|api-?key|signature|cookie/i;

/**
 * The server's headers as a plan may show them: a credential header's value (one the manifest no
 * longer declares, or declares literally where the server has another) is never printed.
 */
export function maskCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, CREDENTIAL_HEADER.test(k) ? '(sensitive)' : v]));
}
