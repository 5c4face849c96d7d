import type { ReviewFinding } from '../labelconfig/review.ts';
import type { Environment } from '../generated/schema-types.ts';
import type { LabelConfigSummary } from '../labelconfig/summarize.ts';
import type { SourceDocument } from './yaml-source.ts';

/** The parsed labelform.yaml. */
export interface RootConfig {
  readonly file: string;
  readonly doc: SourceDocument;
  readonly namespace: string;
  readonly environments: Readonly<Record<string, Environment>>;
  /** True when labelform.yaml defines no environments and `default` reads LABEL_STUDIO_URL. */
  readonly implicitEnvironment: boolean;
  readonly defaultEnvironment: string;
}

/** A label config's XML and how to map its own line/column back into the file that holds it. */
export interface XmlSource {
  readonly xml: string;
  /** Display path of the file holding the XML (the .xml file, or the manifest for inline XML). */
  readonly file: string;
  readonly at: (line: number, col: number) => { line: number; col: number };
  readonly summary: LabelConfigSummary;
  /** What a reviewer would miss (hotkey clashes, look-alike colours …), at positions in `file`. */
  readonly review: readonly ReviewFinding[];
  /** The LabelConfig manifest it came from, for `{ref: NAME}`. */
  readonly ref?: string;
}
