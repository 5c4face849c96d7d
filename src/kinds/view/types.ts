import type { ViewSpec } from '../../generated/schema-types.ts';
import type { SpecResource } from '../shared/load-child.ts';
import type { LiveResource } from '../kind.ts';

/** A View manifest as loaded: a Data Manager tab of the project `parent`. */
export interface ViewResource extends SpecResource<'View', ViewSpec> {
  readonly parent: string;
}

/** A tab as the server answers it (`/api/dm/views/`): the UI's state under `data`. */
export interface LsView {
  readonly id: number;
  readonly project: number;
  readonly data: Readonly<Record<string, unknown>> | null;
  readonly order?: number;
  readonly user?: number | null;
}

export interface LiveView extends LiveResource {
  readonly raw: LsView;
}

/** The keys of `data` labelform manages, in the order plans list them. */
export const VIEW_FIELDS = ['title', 'filters', 'ordering', 'hiddenColumns'] as const;
export type ViewField = (typeof VIEW_FIELDS)[number];
