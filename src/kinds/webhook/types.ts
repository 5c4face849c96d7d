import type { LsWebhook } from '../../api/types.ts';
import type { WebhookSpec } from '../../generated/schema-types.ts';
import type { SpecResource } from '../shared/load-child.ts';
import type { LiveResource } from '../kind.ts';

/** A Webhook manifest as loaded. `parent` is its Project's key (absent: the organization's). */
export type WebhookResource = SpecResource<'Webhook', WebhookSpec>;

/** A webhook as the server answers it (src/api/types.ts: the watcher reads it too). */
export type { LsWebhook };

export interface LiveWebhook extends LiveResource {
  readonly raw: LsWebhook;
}

/** The fields labelform compares and writes, in the order plans list them. */
export const WEBHOOK_FIELDS = [
  'url',
  'send_payload',
  'send_for_all_actions',
  'actions',
  'headers',
  'is_active',
] as const;
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

/** Actions only an organization's webhook may have (the server refuses them on a project's). */
export const ORGANIZATION_ONLY_ACTIONS: ReadonlySet<string> = new Set(['PROJECT_CREATED', 'PROJECT_DELETED']);

/** Headers a manifest may declare: the server allows 10 and the marker takes one (as schemas/webhook.schema.json says). */
export const MAX_MANIFEST_HEADERS = 9;
