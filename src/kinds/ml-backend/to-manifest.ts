import { writeBack } from '../../manifest/pulled.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { stripDescriptionMarker } from '../shared/description-marker.ts';
import type { LiveMlBackend } from './types.ts';

/** A manifest for a live ML backend; its password, which the server never answers, becomes an `${env:...}` to set. */
export function mlBackendToManifest(b: LiveMlBackend, ctx: PullContext): PulledManifest | { skipped: string } {
  const r = b.raw;
  const notes: string[] = [];
  const url = writeBack(r.url, ctx.secrets);
  if (!url.ok) return { skipped: 'its URL holds a secret value' };
  const spec: Record<string, unknown> = { project: ctx.parentKey, url: url.text };
  const text = (v: string | null | undefined) => (v ? writeBack(v, ctx.secrets) : undefined);
  const title = text(r.title);
  if (title?.ok) spec.title = title.text;
  const description = text(stripDescriptionMarker(r.description));
  if (description?.ok) spec.description = description.text;
  if (r.is_interactive) spec.is_interactive = true;
  if (r.auth_method === 'BASIC_AUTH') {
    spec.auth_method = 'BASIC_AUTH';
    spec.basic_auth_user = r.basic_auth_user ?? '';
    const variable = `ML_BACKEND_${ctx.key}_PASSWORD`.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
    spec.basic_auth_pass = `\${env:${variable}}`;
    notes.push(`basic_auth_pass cannot be read from the server: written as \${env:${variable}}; set ${variable} before \`labelform plan\` (the first apply sends it once)`);
  }
  if (r.extra_params && Object.keys(r.extra_params).length) spec.extra_params = r.extra_params;
  if (r.timeout !== 100) spec.timeout = r.timeout;
  if (!r.auto_update) {
    spec.auto_update = false;
    if (r.model_version) spec.model_version = r.model_version;
  }
  return { manifest: { apiVersion: 'labelform/v1', kind: 'MlBackend', metadata: { name: ctx.key }, spec, ...(ctx.adopt ? { import: { id: b.id } } : {}) }, notes };
}
