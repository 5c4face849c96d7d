import type { LabelConfigChange } from '../generated/schema-types.ts';
import { maskIfSecret } from '../util/redact.ts';

/** Stands in for the XML diff of a label config that holds a value from `${env:...}`. */
export const SENSITIVE_DIFF = '(not shown: this label_config holds a value from ${env:...})';

/**
 * The label-config part of a plan for a config that holds a value from `${env:...}`: the XML
 * diff is left out (its lines carry the value), and a control name, label or detail that contains
 * a secret value is masked whole. Control types and the rest of the names stay, so the plan can
 * still be reviewed label by label.
 */
export function maskLabelConfigChange(change: LabelConfigChange, sensitive: boolean): LabelConfigChange {
  if (!sensitive) return change;
  return {
    ...change,
    diff: SENSITIVE_DIFF,
    controls: change.controls.map((c) => ({
      ...c,
      control: maskIfSecret(c.control),
      labelsAdded: c.labelsAdded.map(maskIfSecret),
      labelsRemoved: c.labelsRemoved.map(maskIfSecret),
      ...(c.detail !== undefined ? { detail: maskIfSecret(c.detail) } : {}),
    })),
  };
}
