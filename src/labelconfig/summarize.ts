import { walkElements, type XmlElement } from './parse-xml.ts';
import { LABEL_TAGS, NON_RESULT_CONTROLS, OBJECT_TAGS } from './tags.ts';

export interface ControlSummary {
  readonly name: string;
  readonly type: string;
  readonly toName: readonly string[];
  /** Each option as annotations and control_weights store it: its alias when it has one, else its value. */
  readonly labels: readonly string[];
  /** Options come from task data (`value="$key"`) or an API, not from the config. */
  readonly dynamic: boolean;
  /** Where the control's element starts in the XML (1-based). */
  readonly line: number;
  readonly col: number;
}

export interface DataKey {
  /** Top-level key of a task's `data` (`$image` -> `image`). */
  readonly key: string;
  readonly tag: string;
  readonly line: number;
}

export interface LabelConfigSummary {
  readonly controls: readonly ControlSummary[];
  readonly dataKeys: readonly DataKey[];
  /** Where the root element (`<View>`) starts in the XML, when the config was parsed. */
  readonly root?: { readonly line: number; readonly col: number };
}

/** Controls with their options, and the task data keys the object tags read. */
export function summarizeLabelConfig(root: XmlElement): LabelConfigSummary {
  const controls: ControlSummary[] = [];
  const dataKeys: DataKey[] = [];
  for (const el of walkElements(root)) {
    const { name, toName } = el.attrs;
    if (name !== undefined && toName !== undefined && !NON_RESULT_CONTROLS.has(el.tag)) {
      const labels = [...walkElements(el)]
        .filter((c) => c !== el && LABEL_TAGS.has(c.tag))
        .map((c) => c.attrs.alias ?? c.attrs.value ?? '')
        .filter((v) => v !== '');
      const dynamic = el.attrs.value !== undefined || el.attrs.apiUrl !== undefined;
      controls.push({
        name,
        type: el.tag,
        toName: toName.split(',').map((s) => s.trim()),
        labels,
        dynamic,
        line: el.line,
        col: el.col,
      });
    }
    if (OBJECT_TAGS.has(el.tag)) {
      for (const attr of ['value', 'valueList']) {
        const key = dataKeyOf(el.attrs[attr]);
        if (key && !dataKeys.some((k) => k.key === key)) dataKeys.push({ key, tag: el.tag, line: el.line });
      }
    }
  }
  return { controls, dataKeys, root: { line: root.line, col: root.col } };
}

/** `$image` -> `image`; `$item.url` -> `item`; a literal value or `$` alone -> undefined. */
function dataKeyOf(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^\$([A-Za-z_][\w-]*)/.exec(value.trim());
  return m?.[1];
}

export interface ControlChange {
  readonly control: string;
  readonly type: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly labelsAdded: readonly string[];
  readonly labelsRemoved: readonly string[];
  /** Set when the control's type or targets changed. */
  readonly detail?: string;
}

/** Per control tag: labels added and removed, controls added, removed or retargeted. */
export function diffLabelConfigs(before: LabelConfigSummary, after: LabelConfigSummary): ControlChange[] {
  const changes: ControlChange[] = [];
  const afterByName = new Map(after.controls.map((c) => [c.name, c]));
  const beforeByName = new Map(before.controls.map((c) => [c.name, c]));
  for (const b of before.controls) {
    const a = afterByName.get(b.name);
    if (!a) {
      changes.push({ control: b.name, type: b.type, change: 'removed', labelsAdded: [], labelsRemoved: [...b.labels] });
      continue;
    }
    const labelsAdded = a.labels.filter((l) => !b.labels.includes(l));
    const labelsRemoved = b.labels.filter((l) => !a.labels.includes(l));
    const details: string[] = [];
    if (a.type !== b.type) details.push(`type ${b.type} -> ${a.type}`);
    if (a.toName.join(',') !== b.toName.join(','))
      details.push(`toName ${b.toName.join(',')} -> ${a.toName.join(',')}`);
    if (labelsAdded.length || labelsRemoved.length || details.length) {
      changes.push({
        control: a.name,
        type: a.type,
        change: 'changed',
        labelsAdded,
        labelsRemoved,
        ...(details.length ? { detail: details.join('; ') } : {}),
      });
    }
  }
  for (const a of after.controls) {
    if (!beforeByName.has(a.name)) {
      changes.push({ control: a.name, type: a.type, change: 'added', labelsAdded: [...a.labels], labelsRemoved: [] });
    }
  }
  return changes;
}
