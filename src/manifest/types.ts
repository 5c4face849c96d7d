import type { Environment, ProjectSpec, TaskFile } from '../generated/schema-types.ts';
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
  /** The LabelConfig manifest it came from, for `{ref: NAME}`. */
  readonly ref?: string;
}

/** The desired spec, with `label_config` resolved to its XML text. */
export type DesiredProjectSpec = Omit<ProjectSpec, 'label_config'> & { label_config?: string };

export interface DeclaredTaskFile extends TaskFile {
  /** Absolute path. */
  readonly path: string;
  /** Display path. */
  readonly display: string;
  readonly pointer: string;
}

export interface ProjectResource {
  readonly kind: 'Project';
  readonly name: string;
  readonly file: string;
  readonly doc: SourceDocument;
  readonly spec: DesiredProjectSpec;
  readonly labelConfig?: XmlSource;
  /** spec fields whose value came from `${env:...}` or that are secrets by nature. */
  readonly sensitive: ReadonlySet<string>;
  readonly tasks: readonly DeclaredTaskFile[];
  /** `import: {id}`: adopt this existing project instead of creating one. */
  readonly importId?: number;
}

export interface LabelConfigResource {
  readonly kind: 'LabelConfig';
  readonly name: string;
  readonly file: string;
  readonly doc: SourceDocument;
  readonly source?: XmlSource;
}

export interface Repository {
  /** Absolute path of the directory holding labelform.yaml. */
  readonly root: string;
  readonly config: RootConfig;
  /** The environment the manifests were interpolated for. */
  readonly environment: string;
  readonly projects: readonly ProjectResource[];
  readonly labelConfigs: readonly LabelConfigResource[];
}

/** Spec fields that are secrets whatever their source: never printed, never stored in plans. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['task_data_password']);
