import type { LabelConfigManifest } from '../../generated/schema-types.ts';
import type { ManifestKind } from '../kind.ts';
import { labelConfigCredentialErrors } from '../shared/text-credentials.ts';
import type { LabelConfigResource } from './types.ts';

/**
 * `kind: LabelConfig`: a label config shared by projects (`label_config: {ref: NAME}`). It lives
 * only in git: the server has no such resource, so it is loaded and checked but never planned.
 */
export const labelConfigKind: ManifestKind<LabelConfigResource, LabelConfigManifest> = {
  kind: 'LabelConfig',
  schema: 'label-config',
  noun: 'label config',
  listedAs: 'labelConfigs',
  async load(docs, ctx) {
    const out: LabelConfigResource[] = [];
    for (const { raw, value, envPointers } of docs) {
      const { spec } = value;
      const source = await ctx.loadXml(raw, '/spec/label_config', spec.label_config);
      // A URL credential written in git (an <Image value="https://…?token=…"/>) is an error at it, as in a Project.
      ctx.diagnostics.push(...labelConfigCredentialErrors(raw.doc, '/spec/label_config', spec.label_config, source));
      out.push({
        kind: 'LabelConfig',
        name: String(value.metadata.name),
        file: raw.doc.file,
        doc: raw.doc,
        ...(source ? { source } : {}),
        sensitive: envPointers.some((p) => p.startsWith('/spec/label_config')),
      });
    }
    return out;
  },
  // Drawn as written, like every shared config with a source; one holding a `${env:...}` value is a
  // secret, never drawn into an image that gets uploaded (as a project's).
  previewConfigs: (configs) =>
    configs.flatMap((c) =>
      c.source
        ? [{ key: c.name, file: c.source.file, xml: c.source.xml, review: c.source.review, withheld: c.sensitive }]
        : [],
    ),
};
