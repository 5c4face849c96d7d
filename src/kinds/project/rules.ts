import type { LabelConfigSummary } from '../../labelconfig/summarize.ts';
import { containsMarker } from './marker.ts';
import { pythonStrip } from '../../util/python-strip.ts';

/** A rule's finding: where in the manifest, and what is wrong. */
export interface RuleIssue {
  readonly pointer: string;
  readonly message: string;
}

/**
 * Cross-field rules for a Project spec, beyond what the schema can say: values the server would
 * refuse, or rewrite so that plan could never converge. Each rule is one small function.
 */
export function checkProjectRules(
  spec: Readonly<Record<string, unknown>>,
  labelConfig: LabelConfigSummary | undefined,
): RuleIssue[] {
  return [
    markerInDescription,
    titleAfterTrimming,
    draftAndPublished,
    predictionsAndModelVersion,
    trainingSwitches,
    completeControlWeights,
  ].flatMap((rule) => rule(spec, labelConfig));
}

/** A marker line in a manifest's description would claim the project for whatever key it names. */
function markerInDescription(spec: Readonly<Record<string, unknown>>): RuleIssue[] {
  return typeof spec.description === 'string' && containsMarker(spec.description)
    ? [
        {
          pointer: '/spec/description',
          message:
            'spec.description contains a "[labelform] Managed from git (...)" line; labelform writes that line itself, and a copied one would claim the project for another key or namespace. Remove it',
        },
      ]
    : [];
}

/** The server trims before it checks the 3-50 character rule, and counts characters, not UTF-16 units. */
function titleAfterTrimming(spec: Readonly<Record<string, unknown>>): RuleIssue[] {
  if (typeof spec.title !== 'string') return [];
  const length = [...pythonStrip(spec.title)].length;
  return length >= 3 && length <= 50
    ? []
    : [
        {
          pointer: '/spec/title',
          message: `spec.title is ${length} characters once leading and trailing whitespace is removed, as the server does; it must be 3-50`,
        },
      ];
}

/** `Project.save()` clears is_draft when is_published is set: both true never converges. */
function draftAndPublished(spec: Readonly<Record<string, unknown>>): RuleIssue[] {
  return spec.is_published === true && spec.is_draft === true
    ? [
        {
          pointer: '/spec/is_draft',
          message: 'is_draft: true with is_published: true: the server clears is_draft when a project is published',
        },
      ]
    : [];
}

/** Sending show_collab_predictions: false makes the server empty model_version. */
function predictionsAndModelVersion(spec: Readonly<Record<string, unknown>>): RuleIssue[] {
  return spec.show_collab_predictions === false && typeof spec.model_version === 'string' && spec.model_version !== ''
    ? [
        {
          pointer: '/spec/model_version',
          message:
            'model_version with show_collab_predictions: false: the server empties model_version when predictions are hidden',
        },
      ]
    : [];
}

/**
 * start_training_on_annotation_update is min_annotations_to_start_training seen as a boolean, and
 * sending it stores `int(flag)` there (`to_internal_value` in projects/serializers.py): beside it,
 * only 1 (true) or 0 (false) stays as written. Found by the compatibility matrix (issue 12).
 */
function trainingSwitches(spec: Readonly<Record<string, unknown>>): RuleIssue[] {
  const flag = spec.start_training_on_annotation_update;
  const min = spec.min_annotations_to_start_training;
  if (typeof flag !== 'boolean' || typeof min !== 'number' || min === (flag ? 1 : 0)) return [];
  return [
    {
      pointer: '/spec/start_training_on_annotation_update',
      message: `start_training_on_annotation_update: ${flag} makes the server store min_annotations_to_start_training: ${flag ? 1 : 0}, not ${min} (set only one of them)`,
    },
  ];
}

/**
 * The server rebuilds control_weights from the label config (dropping unknown controls, adding
 * missing controls and labels at 1.0), so only a complete map stays as written.
 */
function completeControlWeights(
  spec: Readonly<Record<string, unknown>>,
  labelConfig: LabelConfigSummary | undefined,
): RuleIssue[] {
  // The schema checked control_weights' shape (ControlWeight per control) before any rule runs.
  const weights = spec.control_weights as
    Record<string, { labels?: Record<string, number>; type?: string }> | undefined;
  if (!weights || !labelConfig) return [];
  const issues: RuleIssue[] = [];
  const controls = labelConfig.controls.filter((c) => c.type !== 'Filter');
  for (const c of controls) {
    const w = weights[c.name];
    if (!w) {
      issues.push({
        pointer: '/spec/control_weights',
        message: `control_weights has no entry for control "${c.name}" (${c.type}); the server would add one, so list every control`,
      });
      continue;
    }
    if (w.type !== c.type)
      issues.push({
        pointer: `/spec/control_weights/${c.name}/type`,
        message: `control_weights.${c.name}.type must be "${c.type}", the control's tag`,
      });
    const missing = c.labels.filter((l) => !(l in (w.labels ?? {})));
    if (missing.length)
      issues.push({
        pointer: `/spec/control_weights/${c.name}`,
        message: `control_weights.${c.name} has no weight for ${missing.map((l) => `"${l}"`).join(', ')}; the server would add 1.0, so list every label`,
      });
  }
  for (const name of Object.keys(weights)) {
    if (!controls.some((c) => c.name === name))
      issues.push({
        pointer: `/spec/control_weights/${name}`,
        message: `control_weights.${name}: the label config has no control "${name}"; the server would drop it`,
      });
  }
  return issues;
}
