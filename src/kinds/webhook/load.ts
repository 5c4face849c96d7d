import type { WebhookManifest } from '../../generated/schema-types.ts';
import { diag } from '../../util/diagnostics.ts';
import type { LoadContext, ManifestDocument } from '../kind.ts';
import { parentNames, specResource } from '../shared/load-child.ts';
import { urlCredentialErrors } from '../shared/url-credentials.ts';
import { isCredential } from '../../util/credentials.ts';
import { MARKER_HEADER } from './marker.ts';
import { ORGANIZATION_ONLY_ACTIONS, type WebhookResource } from './types.ts';

/**
 * Webhook manifests as resources, with the checks the schema cannot make: the Project it names
 * exists, no organization-only action on a project's webhook (the server refuses it), no header
 * that would clash with the marker, and no credential written literally in git: in a header (by
 * its name or its value, see util/credentials.ts) or in the URL (user info, a token parameter, a
 * Slack webhook's path).
 */
export async function loadWebhooks(
  docs: readonly ManifestDocument<WebhookManifest>[],
  ctx: LoadContext,
): Promise<WebhookResource[]> {
  const projects = parentNames(ctx, 'Project');
  const out: WebhookResource[] = [];
  for (const doc of docs) {
    const { raw, value, envPointers } = doc;
    const { spec } = value;
    const at = (pointer: string, key = false) => ({ file: raw.doc.file, ...raw.doc.locate(pointer, { key }), pointer });
    const errors: Array<[string, string, ReturnType<typeof at>]> = [];
    if (spec.project !== undefined && !projects.has(spec.project))
      ctx.diagnostics.push(projects.missing(spec.project, raw.doc, '/spec/project'));
    if (spec.project !== undefined) {
      for (const [i, a] of (spec.actions ?? []).entries()) {
        if (ORGANIZATION_ONLY_ACTIONS.has(a))
          errors.push([
            'rule',
            `${a} is an organization-only action; a project's webhook cannot have it (the server refuses it)`,
            at(`/spec/actions/${i}`),
          ]);
      }
    }
    for (const [name, v] of Object.entries(spec.headers ?? {})) {
      const pointer = `/spec/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (name.toLowerCase() === MARKER_HEADER.toLowerCase())
        errors.push([
          'rule',
          `header ${name} is labelform's ownership marker; it is written by labelform`,
          at(pointer, true),
        ]);
      else if (typeof v === 'string' && isCredential(name, v) && !envPointers.includes(pointer)) {
        errors.push([
          'secret-literal',
          `header ${name} looks like a credential written in git; take its value from \${env:NAME} (it is then kept out of plans and logs)`,
          at(pointer),
        ]);
      }
    }
    for (const [code, message, where] of errors) ctx.diagnostics.push(diag(code, message, where));
    ctx.diagnostics.push(...urlCredentialErrors(raw.doc, '/spec/url', 'url', { value: spec.url, envPointers }));
    if (spec.actions?.length && spec.send_for_all_actions !== false) {
      ctx.diagnostics.push(
        diag(
          'rule',
          'actions are ignored while send_for_all_actions is true (the server default): the webhook fires for every action. Set send_for_all_actions: false',
          at('/spec/actions'),
          'warning',
        ),
      );
    }
    out.push(specResource('Webhook', doc, { parent: spec.project, spec, env: true }));
  }
  return out;
}
