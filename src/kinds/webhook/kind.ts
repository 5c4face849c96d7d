import { defineKind } from '../define-kind.ts';
import { adoptWebhook } from './adopt.ts';
import { startWebhookApply } from './apply.ts';
import { liveWebhookValue, normaliseWebhookField, showLiveWebhookValue } from './compare.ts';
import { readLiveWebhooks } from './live.ts';
import { loadWebhooks } from './load.ts';
import { planWebhook } from './plan.ts';
import { readsKind } from '../shared/read-scope.ts';
import { webhookToManifest } from './to-manifest.ts';
import { WEBHOOK_FIELDS, type LiveWebhook, type WebhookField, type WebhookResource } from './types.ts';

/**
 * `kind: Webhook`: a project's webhook (`spec.project`), or the organization's. Identity: the
 * `X-Labelform-Managed: <namespace>/<key>` header it carries (see marker.ts).
 */
export const webhookKind = defineKind<WebhookResource, LiveWebhook, unknown, WebhookField>({
  kind: 'Webhook',
  schema: 'webhook',
  parent: 'Project',
  noun: 'webhook',
  load: loadWebhooks,
  readLive: (client, opts) =>
    readsKind('Webhook', opts) ? readLiveWebhooks(client, opts.parents ?? [], opts.namespace) : Promise.resolve([]),
  fields: () => WEBHOOK_FIELDS,
  liveValue: liveWebhookValue,
  normalise: normaliseWebhookField,
  showLive: showLiveWebhookValue,
  plan: planWebhook,
  startApply: startWebhookApply,
  adopt: adoptWebhook,
  toManifest: webhookToManifest,
});
