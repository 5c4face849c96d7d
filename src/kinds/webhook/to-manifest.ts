import { writeBack } from '../../manifest/pulled.ts';
import { isCredential } from '../../util/credentials.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { pulledVariableNames, urlCredentialAsVariable } from '../shared/pulled-credentials.ts';
import { WATCH_HEADER } from '../shared/watch-header.ts';
import { MARKER_HEADER, withoutMarker } from './marker.ts';
import { MAX_MANIFEST_HEADERS, type LiveWebhook } from './types.ts';

/** Header names the server and the schema accept. */
const HEADER_NAME = /^[a-zA-Z0-9_-]+$/;

/**
 * A Webhook manifest for a live webhook that plans as no change. Values holding a known secret
 * become its `${env:NAME}`; a credential (util/credentials.ts) whose value is not known becomes a
 * `${env:...}` reference to set, never written: a credential header's value, or the whole URL
 * when it holds user info, a token parameter or a Slack-style secret path. A webhook a manifest
 * cannot declare (more headers than the schema allows beside the marker) is skipped, saying why.
 */
export function webhookToManifest(w: LiveWebhook, ctx: PullContext): PulledManifest | { skipped: string } {
  const raw = w.raw;
  const notes: string[] = [];
  if (raw.headers?.[WATCH_HEADER] !== undefined)
    return {
      skipped: `it is one that \`labelform watch --listen\` keeps (${WATCH_HEADER}), not one to declare in git`,
    };
  const declared = Object.entries(withoutMarker(raw.headers));
  if (declared.length > MAX_MANIFEST_HEADERS) {
    return {
      skipped: `it has ${declared.length} headers; a manifest can declare at most ${MAX_MANIFEST_HEADERS}, because the server allows 10 and labelform needs one for its ownership marker (${MARKER_HEADER}). Remove ${declared.length - MAX_MANIFEST_HEADERS === 1 ? 'one header' : `${declared.length - MAX_MANIFEST_HEADERS} headers`} in Label Studio, then pull again`,
    };
  }
  const badName = declared.find(([name]) => !HEADER_NAME.test(name));
  if (badName)
    return { skipped: `it has a header whose name a manifest cannot hold (only letters, digits, "-" and "_")` };
  const back = writeBack(raw.url, ctx.secrets);
  if (!back.ok)
    return {
      skipped: `its URL holds the value of \${env:${back.names.join('}, ${env:')}} and cannot be written without it`,
    };
  const variable = pulledVariableNames('WEBHOOK', ctx.key);
  // The whole URL as one reference: what to set is then simply the URL the server has.
  const inUrl = urlCredentialAsVariable(back.text, () => variable('URL'), {
    field: 'the URL',
    owner: "the webhook's URL",
  });
  if (inUrl) notes.push(inUrl.note);
  const url = inUrl?.text ?? back.text;
  const headers: Record<string, string> = {};
  for (const [name, value] of declared) {
    const hb = writeBack(value, ctx.secrets);
    if (hb.ok && (hb.refs.length > 0 || !isCredential(name, value))) {
      // A URL with a credential in it (user info, a token parameter) is one too.
      const inUrl =
        hb.refs.length === 0
          ? urlCredentialAsVariable(hb.text, () => variable('HEADER', name), {
              field: `header ${name}`,
              owner: 'its value',
            })
          : undefined;
      if (inUrl) notes.push(inUrl.note);
      headers[name] = inUrl?.text ?? hb.text;
      continue;
    }
    const header = variable('HEADER', name);
    headers[name] = `\${env:${header}}`;
    notes.push(
      `header ${name} looks like a credential: written as \${env:${header}}; set ${header} to its value before \`labelform plan\``,
    );
  }
  const spec: Record<string, unknown> = {
    ...(ctx.parentKey !== undefined ? { project: ctx.parentKey } : {}),
    url,
    send_payload: raw.send_payload,
    send_for_all_actions: raw.send_for_all_actions,
    ...(raw.actions.length || !raw.send_for_all_actions ? { actions: [...raw.actions].sort() } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    is_active: raw.is_active,
  };
  return {
    manifest: {
      apiVersion: 'labelform/v1',
      kind: 'Webhook',
      metadata: { name: ctx.key },
      spec,
      ...(ctx.adopt ? { import: { id: w.id } } : {}),
    },
    notes,
  };
}
