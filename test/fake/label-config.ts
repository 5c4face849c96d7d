/**
 * What Label Studio derives from a label config, and how it validates one: `parse_config`
 * (label_studio_sdk), `validate_label_config`, `extract_data_types`,
 * `config_essential_data_has_changed` and `Project.validate_config` (core/label_config.py and
 * projects/models.py in label-studio 1.23.2), reproduced closely enough for their messages.
 */
import { pyRepr } from './python.ts';
import { parseXml, type XmlNode } from './xml.ts';

export interface ControlInfo {
  type: string;
  to_name: string[];
  regex?: Record<string, string>;
  conditionals?: { type: string; name: string };
  dynamic_labels?: boolean;
  inputs: Array<Record<string, string | null>>;
  labels: string[];
  labels_attrs: Record<string, Record<string, string>>;
}

/** `parsed_label_config`: control name -> info, in document order. */
export type ParsedConfig = Record<string, ControlInfo>;

export type ConfigProblem = { readonly status: 400 | 500; readonly message: string };

export const ENCODING_DECLARATION_ERROR =
  'Unicode strings with encoding declaration are not supported. Please use bytes input or XML fragments without declaration.';

const LABEL_TAGS = new Set(['Label', 'Choice', 'Relation']);
const NOT_CONTROL_TAGS = new Set(['Filter']);

/**
 * `validate_label_config`: expat parse (DTDs forbidden), the shallow JSON schema, unique names,
 * existing toName targets, then lxml through LabelInterface (an encoding declaration is a 500).
 */
export function checkLabelConfig(config: unknown): ConfigProblem | undefined {
  if (typeof config !== 'string') return { status: 400, message: 'can only parse strings' };
  const doc = parseXml(config);
  if (doc.doctype) {
    const { name, systemId, publicId } = doc.doctype;
    return {
      status: 400,
      message: `DTDForbidden(name=${pyRepr(name)}, system_id=${pyRepr(systemId)}, public_id=${pyRepr(publicId)})`,
    };
  }
  if (doc.expatError || !doc.root) return { status: 400, message: doc.expatError ?? 'xml is empty or incorrect' };
  const schemaError = checkSchema(doc.root);
  if (schemaError) return { status: 400, message: `Validation failed on : ${schemaError}` };
  const names: string[] = [];
  const toNames: string[] = [];
  walk(doc.root, (node) => {
    for (const [k, v] of node.attrs) {
      if (k.endsWith('name')) names.push(v);
      if (k.endsWith('toName')) toNames.push(v);
    }
  });
  if (new Set(names).size !== names.length) return { status: 400, message: 'Label config contains non-unique names' };
  const known = new Set(names);
  for (const list of toNames) {
    for (const toName of list.split(',')) {
      if (!known.has(toName))
        return { status: 400, message: `toName="${toName}" not found in names: ${pyRepr([...known].sort())}` };
    }
  }
  if (doc.encodingDeclared) return { status: 500, message: ENCODING_DECLARATION_ERROR };
  return undefined;
}

/**
 * The lxml parse that PATCH and the per-project validator run before anything else
 * (`config_essential_data_has_changed`): its syntax errors come back as a bare `detail`.
 */
export function checkWithLxml(config: string): ConfigProblem | undefined {
  if (!config) return undefined;
  const doc = parseXml(config);
  if (doc.lxmlError) return { status: 400, message: doc.lxmlError };
  if (doc.encodingDeclared) return { status: 500, message: ENCODING_DECLARATION_ERROR };
  return undefined;
}

/** `parse_config` for a config that parses; `{}` otherwise. */
export function parseLabelConfig(config: string | null | undefined): ParsedConfig {
  if (!config) return {};
  const root = parseXml(config).root;
  if (!root) return {};
  const outputs: ParsedConfig = {};
  const inputs: Record<string, Record<string, string | null>> = {};
  const labels: Record<string, Record<string, Record<string, string>>> = {};
  const variables: string[] = [];
  walk(root, (node) => {
    const a = node.attr;
    if (a.indexFlag !== undefined) variables.push(a.indexFlag);
    if (a.name && a.toName && !NOT_CONTROL_TAGS.has(node.tag)) {
      const info: ControlInfo = {
        type: node.tag,
        to_name: a.toName.split(','),
        inputs: [],
        labels: [],
        labels_attrs: {},
      };
      for (const v of variables) {
        for (const to of info.to_name) if (to.includes(v)) (info.regex ??= {})[v] = '.*';
      }
      if (a.perRegion === 'true') {
        if (a.whenTagName) info.conditionals = { type: 'tag', name: a.whenTagName };
        else if (a.whenLabelValue) info.conditionals = { type: 'label', name: a.whenLabelValue };
        else if (a.whenChoiceValue) info.conditionals = { type: 'choice', name: a.whenChoiceValue };
      }
      if (/^\$[A-Za-z_]+$/.test(a.value ?? '') || a.apiUrl) info.dynamic_labels = true;
      outputs[a.name] = info;
    } else if (a.name && (a.value || a.valueList)) {
      inputs[a.name] = a.value
        ? { type: node.tag, valueType: a.valueType ?? null, value: a.value.replace(/^\$+/, '') }
        : { type: node.tag, valueType: a.valueType ?? null, valueList: a.valueList!.replace(/^\$+/, '') };
    }
    if (LABEL_TAGS.has(node.tag)) {
      let parent = node.parent;
      while (parent && !(parent.attr.name !== undefined && parent.attr.name in outputs)) parent = parent.parent;
      const value = a.alias || a.value || a.valueList;
      if (parent && value) (labels[parent.attr.name!] ??= {})[value] = { ...a };
    }
  });
  for (const [name, info] of Object.entries(outputs)) {
    // Key order as the server sends it: type, to_name, [regex, conditionals, dynamic_labels], inputs, labels, labels_attrs.
    const { inputs: _i, labels: _l, labels_attrs: _a, ...head } = info;
    const attrs = labels[name] ?? {};
    outputs[name] = {
      ...head,
      inputs: info.to_name.filter((to) => to in inputs).map((to) => inputs[to]!),
      labels: Object.keys(attrs),
      labels_attrs: attrs,
    };
  }
  return outputs;
}

/** `extract_data_types`: task data key -> object tag that reads it (`$text` -> Text). */
export function extractDataTypes(config: string): Record<string, string> {
  const root = parseXml(config).root;
  const types: Record<string, string> = {};
  if (!root) return types;
  walk(root, (node) => {
    if (node === root || node.attr.value === undefined || !node.attr.name) return;
    const value = node.attr.value;
    const key =
      value.length > 1 && value.startsWith('$')
        ? value.slice(1)
        : (/\$[\p{L}\p{N}_]+/u.exec(value)?.[0].slice(1) ?? '');
    if (key && types[key] !== 'Video') types[key] = node.tag;
  });
  return types;
}

/** Tags whose presence makes `config_suitable_for_bulk_annotation` false. */
const NOT_BULK = new Set([
  'Labels',
  'Brush',
  'BrushLabels',
  'Ellipse',
  'EllipseLabels',
  'KeyPoint',
  'KeyPointLabels',
  'Polygon',
  'PolygonLabels',
  'Rectangle',
  'RectangleLabels',
  'HyperTextLabels',
  'ParagraphLabels',
  'TimeSeriesLabels',
  'VideoRectangle',
]);
const PER_REGION_CHECKED = new Set(['Choices', 'Taxonomy', 'DateTime', 'Number', 'Rating', 'TextArea']);

export function suitableForBulkAnnotation(config: string): boolean {
  const root = parseXml(config).root;
  if (!root) return true;
  let ok = true;
  walk(root, (node) => {
    const a = node.attr;
    if (NOT_BULK.has(node.tag)) ok = false;
    if (PER_REGION_CHECKED.has(node.tag)) {
      if ((a.perRegion ?? 'false').toLowerCase() === 'true' || (a.perItem ?? 'false').toLowerCase() === 'true')
        ok = false;
      if ((node.tag === 'Choices' || node.tag === 'Taxonomy') && 'value' in a) ok = false;
    }
    if (node.tag === 'Taxonomy' && ((a.labeling ?? 'false').toLowerCase() === 'true' || a.apiUrl !== undefined))
      ok = false;
  });
  return ok;
}

/** `config_essential_data_has_changed`: `true`, or `null` (never `false`) when nothing essential moved. */
export function essentialDataChanged(newConfig: string, oldConfig: string): true | null {
  const next = parseLabelConfig(newConfig);
  const prev = parseLabelConfig(oldConfig);
  for (const [tag, info] of Object.entries(next)) {
    const old = prev[tag];
    if (!old) return true;
    if (info.type !== old.type) return true;
    if (JSON.stringify(info.inputs) !== JSON.stringify(old.inputs)) return true;
    if (!old.labels.every((l) => info.labels.includes(l))) return true;
  }
  return null;
}

export interface SummaryCounters {
  readonly created_annotations: Record<string, number>;
  readonly created_labels: Record<string, Record<string, number>>;
  readonly created_labels_drafts: Record<string, Record<string, number>>;
}

/**
 * The annotation part of `Project.validate_config` (after the structural check): what a config
 * change would orphan, judged only from the project summary. `strict` is the per-project validate
 * endpoint; PATCH runs it non-strict and only logs removed labels.
 */
export function checkAgainstSummary(config: string, summary: SummaryCounters, strict: boolean): string | undefined {
  const parsed = parseLabelConfig(config);
  const tuples = new Set(
    Object.entries(parsed).map(([name, info]) => `${name}|${info.to_name.join(',')}|${info.type.toLowerCase()}`),
  );
  if (tuples.size === 0) return undefined;
  const types = Object.values(parsed).map((info) => info.type.toLowerCase());
  const diff: string[] = [];
  for (const [key, count] of Object.entries(summary.created_annotations)) {
    if (tuples.has(key)) continue;
    const [from, to, type] = key.split('|') as [string, string, string];
    if (from === to && type === 'chatmessage') continue;
    if (type === 'textarea') continue;
    if (!controlMatches(parsed, from) || !toNameMatches(parsed, to) || !types.includes(type)) {
      diff.push(`${count} with from_name=${from}, to_name=${to}, type=${type}`);
    }
  }
  if (diff.length > 0)
    return `Created annotations are incompatible with provided labeling schema, we found:\n${diff.join('\n')}`;

  const labelsFromData = mergeCounters(summary.created_labels, summary.created_labels_drafts);
  for (const [control, used] of Object.entries(labelsFromData)) {
    const info = parsed[control];
    const dynamic = info?.dynamic_labels === true;
    if (Object.keys(used).length > 0 && !info && !controlMatches(parsed, control)) {
      const n = Object.values(used).reduce((a, b) => a + b, 0);
      return `There are ${n} annotation(s) created with tag "${control}", you can't remove it`;
    }
    const original = originalControlName(parsed, control);
    const inConfig = new Set(parsed[original]?.labels ?? []);
    if (Object.values(parsed).some((c) => c.type === 'VideoRectangle'))
      for (const c of Object.values(parsed)) c.labels.forEach((l) => inConfig.add(l));
    const missing = Object.keys(used).filter((l) => !inConfig.has(l));
    if (missing.length === 0) continue;
    let text = '';
    for (const label of missing) {
      const shown = [
        plural(summary.created_labels[control]?.[label] ?? 0, 'annotation'),
        plural(summary.created_labels_drafts[control]?.[label] ?? 0, 'draft'),
      ].filter(Boolean);
      if (shown.length) text += `${label} (${shown.join(', ')})\n`;
    }
    // With no dynamic controls the regex filter is empty and never matches, so strict always refuses.
    const dynamicNames = Object.keys(parsed).filter((k) => parsed[k]!.dynamic_labels);
    if (strict && !dynamic && !(dynamicNames.length > 0 && controlMatches(pick(parsed, dynamicNames), control))) {
      return `These labels still exist in annotations or drafts:\n${text}Please add labels to tag with name="${control}".`;
    }
  }
  return undefined;
}

/** One message per missing required property, as jsonschema words it (with `@` removed). */
function checkSchema(root: XmlNode): string | undefined {
  if (root.tag !== 'View') return undefined;
  return checkView(root);
}

function checkView(view: XmlNode): string | undefined {
  for (const child of view.children) {
    const problem = checkViewChild(child);
    if (problem) return problem;
  }
  return undefined;
}

function checkViewChild(node: XmlNode): string | undefined {
  const has = (key: string) =>
    key.startsWith('@') ? node.attr[key.slice(1)] !== undefined : node.children.some((c) => c.tag === key);
  const firstMissing = (keys: string[]) => keys.find((k) => !has(k));
  const required = (keys: string[]) => {
    const missing = firstMissing(keys);
    return missing ? `'${missing.replace('@', '')}' is a required property` : undefined;
  };
  switch (node.tag) {
    case 'View':
      return checkView(node);
    case 'Choices':
    case 'Labels': {
      const item = node.tag === 'Choices' ? 'Choice' : 'Label';
      const alternatives = [
        ['@name', '@toName', item],
        ['@name', '@toName', '@value'],
        ['@name', '@toName', 'View'],
      ];
      if (!alternatives.some((alt) => !firstMissing(alt))) return required(alternatives[0]!);
      for (const child of node.children) {
        if (child.tag === item && child.attr.value === undefined) return `'value' is a required property`;
        if (child.tag === 'View') {
          const problem = checkView(child);
          if (problem) return problem;
        }
      }
      return undefined;
    }
    case 'Choice':
    case 'Label':
      return required(['@value']);
    case 'Image':
    case 'Text':
    case 'HyperText':
      return has('@name') && (has('@value') || has('@valueList')) ? undefined : required(['@name', '@value']);
    case 'TextArea':
    case 'Number':
      return required(['@name', '@toName']);
    default:
      return undefined;
  }
}

function walk(node: XmlNode, visit: (node: XmlNode) => void): void {
  visit(node);
  for (const child of node.children) walk(child, visit);
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return pattern === value;
  }
}

function controlPattern(name: string, info: ControlInfo): string {
  let expression = name;
  for (const [k, v] of Object.entries(info.regex ?? {})) expression = expression.split(k).join(v);
  return expression;
}

function controlMatches(parsed: ParsedConfig, fromName: string): boolean {
  return Object.entries(parsed).some(([name, info]) => fullMatch(controlPattern(name, info), fromName));
}

function toNameMatches(parsed: ParsedConfig, toName: string): boolean {
  return Object.values(parsed).some((info) =>
    info.to_name.some((to) => {
      let expression = to;
      for (const [k, v] of Object.entries(info.regex ?? {})) expression = expression.split(k).join(v);
      return fullMatch(expression, toName);
    }),
  );
}

function originalControlName(parsed: ParsedConfig, fromName: string): string {
  for (const [name, info] of Object.entries(parsed)) if (fullMatch(controlPattern(name, info), fromName)) return name;
  return fromName;
}

function pick(parsed: ParsedConfig, names: string[]): ParsedConfig {
  return Object.fromEntries(names.map((n) => [n, parsed[n]!]));
}

function mergeCounters(
  a: Record<string, Record<string, number>>,
  b: Record<string, Record<string, number>>,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const source of [a, b]) {
    for (const [control, labels] of Object.entries(source)) {
      const target = (out[control] ??= {});
      for (const [label, n] of Object.entries(labels)) target[label] = (target[label] ?? 0) + n;
    }
  }
  return out;
}

function plural(count: number, word: string): string {
  return count ? `${count} ${word}${count > 1 ? 's' : ''}` : '';
}
