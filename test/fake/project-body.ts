/**
 * ProjectSerializer's input side: each writable field parsed in Meta order with DRF's messages
 * collected per field, `validate_color`, `validate_model_version`, the label config checks (plain
 * on create, `Project.validate_config` with its summary side effects on update), bleach on
 * `expert_instruction` and the `start_training_on_annotation_update` write-through.
 */
import { envelope, fail, validationError } from './http.ts';
import { checkAgainstSummary, checkLabelConfig, checkWithLxml, extractDataTypes } from './label-config.ts';
import { checkColor, parseBool, parseChar, parseChoice, parseDateTime, parseInt32, type Parsed } from './fields.ts';
import { sanitizeHtml } from './sanitize-html.ts';
import { pyRepr, pyTypeName } from './python.ts';
import { releaseBefore } from './release.ts';
import type { FakeProject, FakeState } from './state.ts';

/** The writable fields of ProjectSerializer, in Meta order (errors come back in this order). */
const WRITABLE = [
  'title',
  'description',
  'label_config',
  'expert_instruction',
  'show_instruction',
  'show_skip_button',
  'enable_empty_annotation',
  'show_annotation_history',
  'organization',
  'color',
  'maximum_annotations',
  'is_published',
  'model_version',
  'is_draft',
  'created_by',
  'min_annotations_to_start_training',
  'show_collab_predictions',
  'sampling',
  'show_ground_truth_first',
  'annotator_evaluation_enabled',
  'show_overlap_first',
  'overlap_cohort_percentage',
  'task_data_login',
  'task_data_password',
  'control_weights',
  'evaluate_predictions_automatically',
  'skip_queue',
  'reveal_preannotations_interactively',
  'pinned_at',
] as const;

/**
 * The validated values of a create (instance undefined) or update body; throws the 400 (errors
 * by field) or 500 reply the server would give. `precheck` is PATCH's lxml parse of a new config.
 */
export function checkBody(
  state: FakeState,
  body: Record<string, unknown>,
  instance: FakeProject | undefined,
  precheck = false,
): Record<string, unknown> {
  if (instance && precheck && typeof body.label_config === 'string' && body.label_config !== '') {
    const problem = checkWithLxml(body.label_config);
    if (problem) fail(envelope(problem.status, problem.message));
  }
  const values: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  for (const key of WRITABLE) {
    if (!(key in body)) continue;
    // Before 1.23 the serializer has no such field: DRF ignores it.
    if (key === 'annotator_evaluation_enabled' && releaseBefore(state.release, [1, 23])) continue;
    const parsed = parseField(state, key, body[key], instance);
    if (parsed.ok) values[key] = parsed.value;
    else errors[key] = parsed.errors;
  }
  if (Object.keys(errors).length > 0) fail(validationError(errors));
  if ('start_training_on_annotation_update' in body)
    values.min_annotations_to_start_training = pyInt(body.start_training_on_annotation_update);
  if ('expert_instruction' in body) {
    const raw = body.expert_instruction;
    if (typeof raw !== 'string')
      fail(envelope(500, `argument cannot be of '${pyTypeName(raw)}' type, must be of text type`));
    values.expert_instruction = sanitizeHtml(raw);
  }
  return values;
}

function parseField(state: FakeState, key: string, value: unknown, instance: FakeProject | undefined): Parsed<unknown> {
  switch (key) {
    case 'title':
      return parseChar(value, { allowNull: true, allowBlank: true, minLength: 3, maxLength: 50 });
    case 'description':
    case 'expert_instruction':
      return parseChar(value, { allowNull: true, allowBlank: true });
    case 'label_config':
      return parseLabelConfigField(state, value, instance);
    case 'color': {
      const parsed = parseChar(value, { allowNull: true, allowBlank: true, maxLength: 16 });
      if (!parsed.ok) return parsed;
      if (parsed.value === null) fail(envelope(500, "'NoneType' object has no attribute 'startswith'"));
      const problem = checkColor(parsed.value);
      return problem ? { ok: false, errors: [problem] } : parsed;
    }
    case 'model_version': {
      const parsed = parseChar(value, { allowNull: true, allowBlank: true });
      if (!parsed.ok || !instance || parsed.value === instance.fields.model_version || parsed.value === '')
        return parsed;
      const known = instance.taskIds.some((id) =>
        state.tasks.get(id)?.predictions.some((p) => p.model_version === parsed.value),
      );
      return known
        ? parsed
        : { ok: false, errors: ["Model version doesn't exist either as live model or as static predictions."] };
    }
    case 'task_data_login':
    case 'task_data_password':
      return parseChar(value, { allowNull: true, allowBlank: true, maxLength: 256 });
    case 'maximum_annotations':
    case 'min_annotations_to_start_training':
    case 'overlap_cohort_percentage':
      return parseInt32(value);
    case 'sampling':
      return parseChoice(value, ['Sequential sampling', 'Uniform sampling', 'Uncertainty sampling'], true);
    case 'skip_queue':
      return parseChoice(value, ['REQUEUE_FOR_ME', 'REQUEUE_FOR_OTHERS', 'IGNORE_SKIPPED'], true);
    case 'pinned_at':
      return parseDateTime(value);
    case 'control_weights':
      return { ok: true, value };
    case 'organization':
      if (value === null) return { ok: true, value: null };
      if (
        typeof value === 'boolean' ||
        (typeof value !== 'number' && typeof value !== 'string') ||
        (typeof value === 'string' && !/^\d+$/.test(value))
      ) {
        return { ok: false, errors: [`Incorrect type. Expected pk value, received ${pyTypeName(value)}.`] };
      }
      return Number(value) === 1
        ? { ok: true, value: 1 }
        : { ok: false, errors: [`Invalid pk "${String(value)}" - object does not exist.`] };
    case 'created_by':
      // A nested serializer with a context default: not writable in practice.
      if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
        return {
          ok: false,
          errors: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyTypeName(value)}.`] },
        };
      }
      return { ok: false, errors: ['This field may not be null.'] };
    default:
      return parseBool(value);
  }
}

function parseLabelConfigField(state: FakeState, value: unknown, instance: FakeProject | undefined): Parsed<unknown> {
  const parsed = value === null ? ({ ok: true, value: null } as const) : parseChar(value, { allowBlank: true });
  if (!parsed.ok) return parsed;
  const config = parsed.value;
  if (!instance) {
    const problem = checkLabelConfig(config);
    if (problem?.status === 500) fail(envelope(500, problem.message));
    return problem ? { ok: false, errors: [problem.message] } : parsed;
  }
  const message = validateProjectConfig(state, instance, config, false);
  return message ? { ok: false, errors: [message] } : parsed;
}

/**
 * `Project.validate_config`: the structural check, then (with tasks and annotations) the summary
 * based compatibility check. Resets summary counters the way the server does on the way.
 * Returns the 400 message, throws a 500.
 */
export function validateProjectConfig(
  state: FakeState,
  project: FakeProject,
  config: unknown,
  strict: boolean,
): string | undefined {
  const problem = checkLabelConfig(config);
  if (problem?.status === 500) fail(envelope(500, problem.message));
  if (problem) return problem.message;
  const text = config as string;
  const summary = project.summary;
  if (project.taskIds.length === 0) {
    Object.assign(summary, {
      all_data_columns: {},
      common_data_columns: [],
      created_annotations: {},
      created_labels: {},
      created_labels_drafts: {},
    });
    return undefined;
  }
  if (Object.keys(extractDataTypes(text)).length === 0) return undefined;
  const annotations = project.taskIds.reduce((n, id) => n + (state.tasks.get(id)?.annotations.length ?? 0), 0);
  if (annotations === 0) {
    Object.assign(summary, { created_annotations: {}, created_labels: {}, created_labels_drafts: {} });
    return undefined;
  }
  return checkAgainstSummary(text, summary, strict);
}

/** Python's int(x) on a JSON value, with its 500 on nonsense. */
function pyInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  if (value === null)
    fail(envelope(500, "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"));
  fail(envelope(500, `invalid literal for int() with base 10: ${pyRepr(value)}`));
}
