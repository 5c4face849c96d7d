import type { ProjectSpec, TaskFile } from '../../generated/schema-types.ts';
import type { XmlSource } from '../../manifest/types.ts';
import type { SourceDocument } from '../../manifest/yaml-source.ts';
import type { DeclaredMigration } from './migrate/types.ts';

/**
 * The desired spec, with `label_config` resolved to its XML text; the project's settings only
 * (`migrations` moves data and is kept apart, in `ProjectResource.migrations`).
 */
export type DesiredProjectSpec = Omit<ProjectSpec, 'label_config' | 'migrations'> & { label_config?: string };

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
  /** `spec.migrations`, in order, with where each entry was written (empty when none). */
  readonly migrations: readonly DeclaredMigration[];
  /** `import: {id}`: adopt this existing project instead of creating one. */
  readonly importId?: number;
}

/** Spec fields that are secrets whatever their source: never printed, never stored in plans. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['task_data_password']);
