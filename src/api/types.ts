/** Response shapes of the Label Studio API (1.23), as the server really sends them. */

export interface LsProject {
  readonly id: number;
  readonly title: string | null;
  readonly description: string | null;
  readonly label_config: string;
  readonly expert_instruction: string | null;
  readonly show_instruction: boolean;
  readonly show_skip_button: boolean;
  readonly enable_empty_annotation: boolean;
  readonly show_annotation_history: boolean;
  readonly color: string | null;
  readonly maximum_annotations: number;
  readonly is_published: boolean;
  readonly is_draft: boolean;
  readonly model_version: string | null;
  readonly min_annotations_to_start_training: number;
  readonly start_training_on_annotation_update: boolean;
  readonly show_collab_predictions: boolean;
  readonly sampling: string | null;
  readonly show_ground_truth_first: boolean;
  readonly annotator_evaluation_enabled?: boolean;
  readonly show_overlap_first: boolean;
  readonly overlap_cohort_percentage: number;
  readonly task_data_login: string | null;
  readonly task_data_password: string | null;
  readonly control_weights: Record<string, unknown> | null;
  readonly evaluate_predictions_automatically: boolean;
  readonly skip_queue: string | null;
  readonly reveal_preannotations_interactively: boolean;
  readonly pinned_at: string | null;
  readonly created_at?: string;
  readonly task_number?: number | null;
  readonly total_annotations_number?: number | null;
  readonly num_tasks_with_annotations?: number | null;
  readonly [key: string]: unknown;
}

/** A page of `GET /api/projects/`. */
export interface LsPage<T> {
  readonly count: number;
  readonly next: string | null;
  readonly previous: string | null;
  readonly results: T[];
}

export interface LsVersion {
  readonly release: string;
  readonly [key: string]: unknown;
}

export interface LsUser {
  readonly id: number;
  readonly email: string;
  readonly username?: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly [key: string]: unknown;
}

/** `GET /api/projects/{id}/summary/` */
export interface LsProjectSummary {
  readonly project?: number;
  readonly all_data_columns?: Record<string, number>;
  readonly common_data_columns?: string[];
  /** `"from_name|to_name|type"` -> number of annotation results. */
  readonly created_annotations?: Record<string, number>;
  /** control name -> label -> number of results using it. */
  readonly created_labels?: Record<string, Record<string, number>>;
  readonly created_labels_drafts?: Record<string, Record<string, number>>;
  readonly [key: string]: unknown;
}

/** `POST /api/projects/{id}/validate/` on success. */
export interface LsConfigValidation {
  /** `null`, not `false`, when nothing essential changed. */
  readonly config_essential_data_has_changed: boolean | null;
}

export interface LsTask {
  readonly id: number;
  readonly data: Record<string, unknown>;
  readonly meta?: Record<string, unknown> | null;
  readonly annotations?: LsAnnotation[];
  readonly predictions?: unknown[];
  readonly [key: string]: unknown;
}

export interface LsAnnotation {
  readonly id: number;
  readonly result: unknown[];
  readonly [key: string]: unknown;
}

/** A page of `GET /api/tasks/`. */
export interface LsTaskPage {
  readonly tasks: LsTask[];
  readonly total: number;
  readonly total_annotations: number;
  readonly total_predictions: number;
}

/** `POST /api/projects/{id}/import` (synchronous in the community edition). */
export interface LsImportResult {
  readonly task_count: number;
  readonly annotation_count: number | null;
  readonly prediction_count: number | null;
  readonly duration?: number;
  readonly task_ids?: number[];
  readonly [key: string]: unknown;
}

export interface LsExportFormat {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly link?: string;
  readonly tags?: string[];
  readonly disabled?: boolean;
}

export interface LsExportSnapshot {
  readonly id: number;
  readonly title?: string;
  readonly status: 'created' | 'in_progress' | 'failed' | 'completed';
  readonly created_at?: string;
  readonly finished_at?: string | null;
  readonly md5?: string;
  readonly counters?: Record<string, number>;
  readonly converted_formats?: Array<{ id: number; export_type: string; status: string; traceback?: string | null }>;
  readonly [key: string]: unknown;
}

export interface LsTemplate {
  readonly title: string;
  readonly config: string;
  readonly group?: string;
  readonly slug?: string;
  readonly [key: string]: unknown;
}

/** What holds a labelled `result`: an annotation, a draft (of an annotation or of a task), a prediction. */
export type ResultHolderType = 'annotation' | 'draft' | 'prediction';

/** `GET /api/drafts/{id}/`, and a draft in an export (`AnnotationDraftSerializer`, every field). */
export interface LsDraft {
  readonly id: number;
  readonly result: unknown[];
  /** The annotation this draft edits (a PATCH of that annotation deletes the draft), or null. */
  readonly annotation: number | null;
  readonly task: number;
  readonly user: number | string;
  readonly [key: string]: unknown;
}

/** `GET /api/predictions/{id}/` and an item of `GET /api/predictions/?task__project=`. */
export interface LsPrediction {
  readonly id: number;
  readonly result: unknown[];
  readonly model_version: string;
  readonly task: number;
  readonly project?: number | null;
  readonly [key: string]: unknown;
}

/** A task of the JSON export with `download_all_tasks=true`: annotations and drafts in full, predictions as ids. */
export interface LsExportTask {
  readonly id: number;
  readonly annotations: LsAnnotation[];
  readonly drafts: LsDraft[];
  readonly predictions: number[];
  readonly [key: string]: unknown;
}

/** An object read with the exact text of its `result` (numbers and key order as the server wrote them). */
export interface LsResultHolder<T> {
  readonly object: T;
  readonly resultText: string;
}

/** A webhook as the server answers it (`/api/webhooks/`). */
export interface LsWebhook {
  readonly id: number;
  readonly project: number | null;
  readonly url: string;
  readonly send_payload: boolean;
  readonly send_for_all_actions: boolean;
  readonly headers: Readonly<Record<string, string>> | null;
  readonly is_active: boolean;
  readonly actions: readonly string[];
}
