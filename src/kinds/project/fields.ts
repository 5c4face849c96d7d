import type { ProjectSpec } from '../../generated/schema-types.ts';
import { isOneOf, typedKeys } from '../../util/narrow.ts';

/** A project setting on the server; `migrations` is labelform's own (it moves data, it is not a setting). */
export type ProjectField = Exclude<keyof ProjectSpec, 'migrations'>;

/**
 * Every writable project setting labelform manages, with the server's default (Label Studio
 * `Project` model). `pull` leaves a setting out of the manifest when it has its default.
 */
export const PROJECT_FIELD_DEFAULTS: Readonly<Record<ProjectField, unknown>> = {
  title: '',
  description: '',
  label_config: '<View></View>',
  expert_instruction: '',
  show_instruction: false,
  show_skip_button: true,
  enable_empty_annotation: true,
  show_annotation_history: false,
  color: '#FFFFFF',
  maximum_annotations: 1,
  is_published: false,
  is_draft: false,
  model_version: '',
  min_annotations_to_start_training: 0,
  start_training_on_annotation_update: false,
  show_collab_predictions: true,
  sampling: 'Sequential sampling',
  show_ground_truth_first: false,
  annotator_evaluation_enabled: false,
  show_overlap_first: false,
  overlap_cohort_percentage: 100,
  task_data_login: null,
  task_data_password: null,
  control_weights: null,
  evaluate_predictions_automatically: false,
  skip_queue: 'REQUEUE_FOR_OTHERS',
  reveal_preannotations_interactively: false,
  pinned_at: null,
};

export const PROJECT_FIELDS = typedKeys(PROJECT_FIELD_DEFAULTS);

/** A project field labelform manages (a field name from generic code: a plan, a diff). */
export function isProjectField(field: string): field is ProjectField {
  return isOneOf(PROJECT_FIELDS, field);
}

/**
 * The first Label Studio release whose project API has a field; the others are in every release
 * labelform supports (1.8 and later). An older server drops such a field on write and leaves it
 * out of reads, so managing it there would be an endless diff: the plan refuses it instead.
 */
export const PROJECT_FIELD_SINCE: Readonly<Partial<Record<ProjectField, string>>> = {
  // projects/migrations/0034_project_annotator_evaluation_enabled.py; not in 1.22's serializer.
  annotator_evaluation_enabled: '1.23.0',
};

/** Read-only counters asked for with the list's `include=` (they also cost the server a query each). */
export const PROJECT_COUNTERS = ['task_number', 'total_annotations_number'] as const;
