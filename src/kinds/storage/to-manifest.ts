import { writeBack } from '../../manifest/pulled.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { stripDescriptionMarker } from '../shared/description-marker.ts';
import { pulledVariableNames, urlCredentialAsVariable } from '../shared/pulled-credentials.ts';
import { STORAGE_TYPES, storageFields, type Direction, type LiveStorage } from './types.ts';

/**
 * A manifest for a live storage; its secrets, which the server never answers, become `${env:...}`
 * to set, and so does a value holding a credential in a URL (an `s3_endpoint` with user info).
 */
export function storageToManifest(direction: Direction) {
  return (s: LiveStorage, ctx: PullContext): PulledManifest | { skipped: string } => {
    const kind = direction === 'import' ? 'ImportStorage' : 'ExportStorage';
    const notes: string[] = [];
    const spec: Record<string, unknown> = { project: ctx.parentKey, type: s.raw.type };
    const variable = pulledVariableNames('STORAGE', ctx.key);
    for (const f of storageFields(direction, s.raw.type)) {
      let v = f === 'description' ? stripDescriptionMarker(s.raw.description) : s.raw[f];
      if (v === null || v === undefined || v === '') continue;
      if (typeof v === 'string') {
        const back = writeBack(v, ctx.secrets);
        if (!back.ok) return { skipped: `its ${f} holds a secret value` };
        // The value as a URL (s3_endpoint), or URLs inside it (a description with a link), as one
        // reference: what to set is then simply the value the server has.
        const inUrl = urlCredentialAsVariable(back.text, () => variable(f), { field: f, owner: `the ${f}` });
        if (inUrl) notes.push(inUrl.note);
        v = inUrl?.text ?? back.text;
      }
      spec[f] = v;
    }
    for (const secret of STORAGE_TYPES[s.raw.type].secrets) {
      if (secret === 'aws_session_token') continue;
      const name = variable(secret);
      spec[secret] = `\${env:${name}}`;
      notes.push(
        `${secret} cannot be read from the server: written as \${env:${name}}; set it before \`labelform plan\` (the first apply sends it once)`,
      );
    }
    return {
      manifest: {
        apiVersion: 'labelform/v1',
        kind,
        metadata: { name: ctx.key },
        spec,
        ...(ctx.adopt ? { import: { id: s.id } } : {}),
      },
      notes,
    };
  };
}
