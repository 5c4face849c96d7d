import { describeElement, walkElements, type XmlElement } from './parse-xml.ts';
import { LABELED_CONTROL_TAGS, LABEL_TAGS, OBJECT_TAGS } from './tags.ts';

export interface LabelConfigProblem {
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly col: number;
  readonly element: string;
}

/**
 * Static checks that mirror Label Studio's own `validate_label_config` (root View, unique names,
 * every toName resolving) plus the shape rules of its label-config JSON schema (labeled controls
 * have options, object tags read a value), reported with each element's position.
 */
export function checkLabelConfig(
  root: XmlElement,
  /** Maps an XML position to the file's, for messages that cite another element's line. */
  at: (line: number, col: number) => { line: number; col: number } = (line, col) => ({ line, col }),
): LabelConfigProblem[] {
  const problems: LabelConfigProblem[] = [];
  const report = (el: XmlElement, code: string, message: string) =>
    problems.push({ code, message, line: el.line, col: el.col, element: describeElement(el) });

  if (root.tag.toLowerCase() !== 'view') {
    report(root, 'config-root', `the root element must be <View>, not <${root.tag}>`);
  }

  const byName = new Map<string, XmlElement>();
  for (const el of walkElements(root)) {
    const name = el.attrs.name;
    if (name === undefined) continue;
    const first = byName.get(name);
    if (first) {
      report(
        el,
        'config-duplicate-name',
        `name "${name}" is already used by ${describeElement(first)} on line ${at(first.line, first.col).line}; names must be unique`,
      );
    } else {
      byName.set(name, el);
    }
  }

  for (const el of walkElements(root)) {
    const toName = el.attrs.toName;
    if (toName !== undefined) {
      if (el.attrs.name === undefined) report(el, 'config-control-name', `<${el.tag}> has toName but no name`);
      for (const target of toName.split(',').map((s) => s.trim())) {
        const obj = byName.get(target);
        if (!target) {
          report(el, 'config-toname', `toName is empty`);
        } else if (!obj) {
          const known = [...byName.values()].filter(isObjectLike).map((o) => o.attrs.name);
          report(
            el,
            'config-toname',
            `toName="${target}" names no tag; object tags here: ${known.length ? known.join(', ') : 'none'}`,
          );
        } else if (LABEL_TAGS.has(obj.tag)) {
          report(
            el,
            'config-toname',
            `toName="${target}" names ${describeElement(obj)}, an option of a control, not a tag to label`,
          );
        }
      }
    }
    if (LABELED_CONTROL_TAGS.has(el.tag)) {
      if (toName === undefined)
        report(el, 'config-control-toname', `<${el.tag}> needs a toName naming the object tag it labels`);
      if (el.attrs.name === undefined) report(el, 'config-control-name', `<${el.tag}> needs a name`);
      const dynamic = el.attrs.value !== undefined || el.attrs.apiUrl !== undefined;
      const hasOptions = [...walkElements(el)].some((c) => c !== el && LABEL_TAGS.has(c.tag));
      if (!dynamic && !hasOptions) {
        report(
          el,
          'config-no-labels',
          `<${el.tag}> has no <${el.tag === 'Choices' || el.tag === 'Taxonomy' ? 'Choice' : 'Label'}> children (or a dynamic value="$key")`,
        );
      }
    }
    if (
      LABEL_TAGS.has(el.tag) &&
      (el.attrs.value === undefined || el.attrs.value === '') &&
      el.attrs.alias === undefined
    ) {
      report(el, 'config-label-value', `<${el.tag}> needs a value`);
    }
    if (OBJECT_TAGS.has(el.tag)) {
      if (el.attrs.name === undefined) report(el, 'config-object-name', `object tag <${el.tag}> needs a name`);
      if (el.attrs.value === undefined && el.attrs.valueList === undefined) {
        report(
          el,
          'config-object-value',
          `object tag <${el.tag}> needs a value (for example value="$${(el.attrs.name ?? el.tag).toLowerCase()}")`,
        );
      }
    }
  }
  return problems;
}

/** An element a control may point at: a known object tag, or any element that is not itself a control or an option. */
function isObjectLike(el: XmlElement): boolean {
  if (OBJECT_TAGS.has(el.tag)) return true;
  return el.attrs.toName === undefined && !LABEL_TAGS.has(el.tag) && !LABELED_CONTROL_TAGS.has(el.tag);
}
