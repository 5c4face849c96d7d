import type { MlBackendManifest } from '../../generated/schema-types.ts';
import { diag } from '../../util/diagnostics.ts';
import type { LoadContext, ManifestDocument } from '../kind.ts';
import { parentNames, specResource } from '../shared/load-child.ts';
import { urlCredentialErrors } from '../shared/url-credentials.ts';
import { isCredential } from '../../util/credentials.ts';
import type { MlBackendResource } from './types.ts';

/**
 * MlBackend manifests as resources: the Project exists, basic auth has both its parts (the
 * server refuses it otherwise), the password comes from `${env:...}`, and so does every other
 * credential (in the URL, in extra_params: util/credentials.ts says what is one), and a model_version is
 * declared only with auto_update: false (the server overwrites it from the backend otherwise).
 */
export async function loadMlBackends(
  docs: readonly ManifestDocument<MlBackendManifest>[],
  ctx: LoadContext,
): Promise<MlBackendResource[]> {
  const projects = parentNames(ctx, 'Project');
  const out: MlBackendResource[] = [];
  for (const doc of docs) {
    const { raw, value, envPointers } = doc;
    const { spec } = value;
    const at = (pointer: string) => ({ file: raw.doc.file, ...raw.doc.locate(pointer), pointer });
    const push = (code: string, message: string, pointer: string, severity: 'error' | 'warning' = 'error') =>
      ctx.diagnostics.push(diag(code, message, at(pointer), severity));
    if (!projects.has(spec.project)) ctx.diagnostics.push(projects.missing(spec.project, raw.doc, '/spec/project'));
    if (spec.basic_auth_pass !== undefined && !envPointers.includes('/spec/basic_auth_pass')) {
      push(
        'secret-literal',
        'basic_auth_pass is a password written in git; take it from ${env:NAME} (it is then kept out of plans and logs)',
        '/spec/basic_auth_pass',
      );
    }
    ctx.diagnostics.push(...urlCredentialErrors(raw.doc, '/spec/url', 'url', { value: spec.url, envPointers }));
    for (const [name, v] of Object.entries(spec.extra_params ?? {})) {
      const pointer = `/spec/extra_params/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (typeof v === 'string' && isCredential(name, v) && !envPointers.includes(pointer)) {
        push(
          'secret-literal',
          `extra_params.${name} looks like a credential written in git; take its value from \${env:NAME} (it is then kept out of plans and logs)`,
          pointer,
        );
      }
    }
    if (
      spec.auth_method === 'BASIC_AUTH' &&
      (spec.basic_auth_user === undefined || spec.basic_auth_pass === undefined)
    ) {
      push(
        'rule',
        'auth_method BASIC_AUTH needs basic_auth_user and basic_auth_pass (the server refuses it otherwise)',
        '/spec/auth_method',
      );
    }
    if (spec.auth_method !== 'BASIC_AUTH' && spec.basic_auth_pass !== undefined) {
      push('rule', 'basic_auth_pass is only used with auth_method: BASIC_AUTH', '/spec/basic_auth_pass');
    }
    if (spec.model_version !== undefined && spec.auto_update !== false) {
      push(
        'rule',
        'model_version is replaced by what the backend reports while auto_update is true (the server default); set auto_update: false',
        '/spec/model_version',
      );
    }
    out.push(specResource('MlBackend', doc, { parent: spec.project, spec, env: true }));
  }
  return out;
}
