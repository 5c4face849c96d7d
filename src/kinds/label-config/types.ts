import type { XmlSource } from '../../manifest/types.ts';
import type { SourceDocument } from '../../manifest/yaml-source.ts';

/** A shared label config (`kind: LabelConfig`), used by projects through `label_config: {ref}`. */
export interface LabelConfigResource {
  readonly kind: 'LabelConfig';
  readonly name: string;
  readonly file: string;
  readonly doc: SourceDocument;
  readonly source?: XmlSource;
  /** Its XML holds a value from `${env:...}`: a secret in every project that uses it. */
  readonly sensitive: boolean;
}

/** A loaded resource of kind LabelConfig (only the LabelConfig kind's loader makes one). */
export function isLabelConfig(r: { readonly kind: string }): r is LabelConfigResource {
  return r.kind === 'LabelConfig';
}
