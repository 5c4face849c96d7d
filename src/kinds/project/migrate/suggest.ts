/**
 * What the annotation-impact guard suggests when a label-config change would orphan annotations:
 * the `spec.migrations` entry (or the `alias`) that would make it safe, written so it can be pasted
 * into the manifest. Pure.
 */

export interface OrphanedControl {
  readonly control: string;
  /** The control's tag in the new config (`Labels`, `Choices`, `Taxonomy` …). */
  readonly type: string;
  /** Stored values annotations use that the new config drops, in the order found. */
  readonly orphaned: readonly string[];
  /** Stored values the new config adds to the control; undefined when the live config is unreadable. */
  readonly added: readonly string[] | undefined;
}

/**
 * One label dropped and one added: a rename (or the old value kept as the new label's alias, which
 * needs no write). Several dropped and one added: a merge. Anything else: the two shapes with the
 * target left to choose.
 */
export function suggestMigration(c: OrphanedControl): string {
  const [first] = c.orphaned;
  if (first === undefined) return '';
  const added = c.added ?? [];
  const [only] = added;
  if (only !== undefined && added.length === 1) {
    if (c.orphaned.length === 1)
      return `declare the rename in spec.migrations: \`- {id: ${idFor(first, 'renamed')}, control: ${yamlScalar(c.control)}, renamed: {from: ${yamlScalar(first)}, to: ${yamlScalar(only)}}}\`, or keep the stored value as the new label's alias (\`<${optionTag(c.type)} value="${xmlAttr(only)}" alias="${xmlAttr(first)}"/>\`, no annotation changes)`;
    return `declare the merge in spec.migrations: \`- {id: ${idFor(only, 'merged')}, control: ${yamlScalar(c.control)}, merged: {from: [${c.orphaned.map(yamlScalar).join(', ')}], into: ${yamlScalar(only)}}}\``;
  }
  const candidates = added.length ? ` (added: ${added.map((a) => `"${a}"`).join(', ')})` : '';
  const merge =
    c.orphaned.length > 1 ? ` or \`merged: {from: [${c.orphaned.map(yamlScalar).join(', ')}], into: LABEL}\`` : '';
  return `declare where they go in spec.migrations on control "${c.control}": \`renamed: {from: ${yamlScalar(first)}, to: LABEL}\`${merge}, LABEL being a label of the new config${candidates}; or keep "${first}" as a label's alias`;
}

/** The option element of a control: `<Choice>` under Choices and Taxonomy, `<Label>` under the *Labels family. */
function optionTag(type: string): string {
  return type === 'Choices' || type === 'Taxonomy' ? 'Choice' : 'Label';
}

/** A migration id from a label (`Org` → `org-renamed`), within the schema's pattern and length. */
function idFor(label: string, suffix: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - suffix.length - 1);
  return `${slug || 'label'}-${suffix}`;
}

/** A plain YAML flow scalar when that reads back as the same string, else a double-quoted one. */
function yamlScalar(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_ .-]*$/.test(s) && !/ $/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s)
    ? s
    : JSON.stringify(s);
}

function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
