import type { ResourceKind } from '../kind.ts';
import { adoptWebhook } from './adopt.ts';
import { startWebhookApply } from './apply.ts';
import { compareWebhook, normaliseWebhookField } from './compare.ts';
import { readLiveWebhooks } from './live.ts';
import { loadWebhooks } from './load.ts';
import { planWebhook } from './plan.ts';
import { readsKind } from '../shared/read-scope.ts';
import { webhookToManifest } from './to-manifest.ts';
import type { LiveWebhook, WebhookField, WebhookResource } from './types.ts';

/**
 * `kind: Webhook`: a project's webhook (`spec.project`), or the organization's. Identity: the
 * `X-Labelform-Managed: <namespace>/<key>` header it carries (see marker.ts).
 */
export const webhookKind: ResourceKind<WebhookResource, LiveWebhook> = {
  kind: 'Webhook',
  schema: 'webhook',
  parent: 'Project',
  noun: 'webhook',
  load: loadWebhooks,
  desired: (repo) => (repo.resources?.Webhook ?? []) as readonly WebhookResource[],
  readLive: (client, opts) =>
    readsKind('Webhook', opts) ? readLiveWebhooks(client, opts.parents ?? [], opts.namespace) : Promise.resolve([]),
  toManifest: webhookToManifest,
  identify: (live) => live.marker,
  normalise: (field, value) => normaliseWebhookField(field as WebhookField, value),
  diff: compareWebhook,
  plan: planWebhook,
  orphan: (w) => ({ id: w.id, key: w.marker!.key, title: w.title, annotations: 0 }),
  planPrune: (o, w, ctx) =>
    ctx.change({
      action: 'delete',
      kind: 'Webhook',
      key: o.key,
      ...(o.parent ? { parent: o.parent } : {}),
      id: o.id,
      title: w.title,
      fields: [],
    }),
  digest: (w) => ({
    spec: Object.fromEntries(Object.entries(w.spec).map(([k, v]) => [k, w.sensitive.has(k) ? '(sensitive)' : v])),
    import: w.importId ?? null,
  }),
  startApply: startWebhookApply,
  adopt: adoptWebhook,
};
