import { writeBack } from '../../manifest/pulled.ts';
import { isCredential } from '../../util/credentials.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { stripDescriptionMarker } from '../shared/description-marker.ts';
import { pulledVariableNames, urlCredentialAsVariable } from '../shared/pulled-credentials.ts';
import type { LiveMlBackend } from './types.ts';

/**
 * A manifest for a live ML backend; its password, which the server never answers, becomes an
 * `${env:...}` to set, and so does every credential it holds in clear (util/credentials.ts): the
 * whole URL when it has user info or a token parameter, a credential value of extra_params.
 */
export function mlBackendToManifest(b: LiveMlBackend, ctx: PullContext): PulledManifest | { skipped: string } {
  const r = b.raw;
  const notes: string[] = [];
  const url = writeBack(r.url, ctx.secrets);
  if (!url.ok) return { skipped: 'its URL holds a secret value' };
  const variable = pulledVariableNames('ML_BACKEND', ctx.key);
  // The whole URL as one reference: what to set is then simply the URL the server has.
  const inUrl = urlCredentialAsVariable(url.text, () => variable('URL'), {
    field: 'the URL',
    owner: "the backend's URL",
  });
  if (inUrl) notes.push(inUrl.note);
  const spec: Record<string, unknown> = { project: ctx.parentKey, url: inUrl?.text ?? url.text };
  const text = (v: string | null | undefined) => (v ? writeBack(v, ctx.secrets) : undefined);
  const title = text(r.title);
  if (title?.ok) spec.title = title.text;
  const description = text(stripDescriptionMarker(r.description));
  if (description?.ok) spec.description = description.text;
  if (r.is_interactive) spec.is_interactive = true;
  if (r.auth_method === 'BASIC_AUTH') {
    spec.auth_method = 'BASIC_AUTH';
    spec.basic_auth_user = r.basic_auth_user ?? '';
    const name = variable('PASSWORD');
    spec.basic_auth_pass = `\${env:${name}}`;
    notes.push(
      `basic_auth_pass cannot be read from the server: written as \${env:${name}}; set ${name} before \`labelform plan\` (the first apply sends it once)`,
    );
  }
  if (r.extra_params && Object.keys(r.extra_params).length) {
    const params: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(r.extra_params)) {
      const back = typeof value === 'string' ? writeBack(value, ctx.secrets) : undefined;
      if (typeof value !== 'string' || (back?.ok && (back.refs.length > 0 || !isCredential(name, value)))) {
        // A URL with a credential in it (user info, a token parameter) is one too.
        const inUrl =
          back?.ok && back.refs.length === 0
            ? urlCredentialAsVariable(back.text, () => variable('PARAM', name), {
                field: `extra_params.${name}`,
                owner: 'its value',
              })
            : undefined;
        if (inUrl) notes.push(inUrl.note);
        params[name] = inUrl?.text ?? (back?.ok ? back.text : value);
        continue;
      }
      const param = variable('PARAM', name);
      params[name] = `\${env:${param}}`;
      notes.push(
        `extra_params.${name} looks like a credential: written as \${env:${param}}; set ${param} to its value before \`labelform plan\``,
      );
    }
    spec.extra_params = params;
  }
  if (r.timeout !== 100) spec.timeout = r.timeout;
  if (!r.auto_update) {
    spec.auto_update = false;
    if (r.model_version) spec.model_version = r.model_version;
  }
  return {
    manifest: {
      apiVersion: 'labelform/v1',
      kind: 'MlBackend',
      metadata: { name: ctx.key },
      spec,
      ...(ctx.adopt ? { import: { id: b.id } } : {}),
    },
    notes,
  };
}
