import type { KindPlan, KindPlanContext, Match } from '../kind.ts';
import { childRefused, existingChange, startChild } from '../shared/plan-child.ts';
import { urlTitle } from '../shared/url-title.ts';
import { liveWebhookValue, normaliseWebhookField } from './compare.ts';
import { MARKER_HEADER, withoutMarker } from './marker.ts';
import { MAX_MANIFEST_HEADERS, WEBHOOK_FIELDS, type LiveWebhook, type WebhookResource } from './types.ts';

/**
 * The change for one Webhook manifest; pure. Copies and `import: {id}` as every sub-resource
 * (startChild); the API makes no organization webhooks, so one can only be adopted.
 */
export function planWebhook(
  m: Match<WebhookResource, LiveWebhook>,
  ctx: KindPlanContext<LiveWebhook, unknown, WebhookResource>,
): KindPlan {
  const d = m.desired;
  const start = startChild(m, ctx, 'webhook');
  if ('error' in start) return childRefused(start);
  const { parent, target } = start;
  const base = {
    kind: 'Webhook',
    key: d.name,
    ...(parent ? { parent } : {}),
    file: d.file,
    line: d.doc.locate('/metadata/name').line,
    ...(d.sensitive.has('url') ? {} : { title: urlTitle(d.spec.url) }),
    fields: ctx.diff(d, target),
  };
  if (!target) {
    if (!parent) {
      // Measured on 1.23.2: POST /api/webhooks/ without a project answers 404 "Project not found.".
      return {
        changes: start.copies,
        diagnostics: [
          {
            severity: 'error',
            code: 'organization-webhook',
            key: d.name,
            file: d.file,
            ...d.doc.locate('/spec'),
            pointer: '/spec',
            message:
              "Label Studio's API cannot create an organization webhook (POST /api/webhooks/ without a project answers 404); set spec.project, or adopt an existing one with import: {id}",
          },
        ],
      };
    }
    return { changes: [...start.copies, { action: 'create', ...base }] };
  }
  const kept = Object.keys(withoutMarker(target.raw.headers)).length;
  if (d.spec.headers === undefined && kept > MAX_MANIFEST_HEADERS) {
    // Every write sends the live headers and the marker: one over the server's 10 is refused.
    return {
      changes: start.copies,
      diagnostics: [
        {
          severity: 'error',
          code: 'webhook-headers',
          key: d.name,
          file: d.file,
          ...d.doc.locate('/spec'),
          pointer: '/spec',
          message: `webhook ${target.id} has ${kept} headers; the server allows 10 and labelform needs one for its ownership marker (${MARKER_HEADER}), so it can manage one with at most ${MAX_MANIFEST_HEADERS}. Declare spec.headers (at most ${MAX_MANIFEST_HEADERS}), or remove a header in Label Studio`,
        },
      ],
    };
  }
  const managed = WEBHOOK_FIELDS.filter((f) => d.spec[f] !== undefined && !d.sensitive.has(f));
  return {
    changes: [
      ...start.copies,
      existingChange(base, target, start.adopting, managed, (f) =>
        normaliseWebhookField(f, liveWebhookValue(target, f)),
      ),
    ],
  };
}
