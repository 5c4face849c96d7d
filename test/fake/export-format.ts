/**
 * Export files: which formats a config supports (label-studio-sdk's `_get_supported_formats`,
 * ported), and the four text formats written the way the server writes them. Image, brush and
 * CoNLL conversions are not reproduced.
 */
import { EXPORT_FORMATS } from './catalog.ts';
import type { ParsedConfig } from './label-config.ts';

export const TEXT_FORMATS = ['JSON', 'JSON_MIN', 'CSV', 'TSV'] as const;

export function supportedFormats(parsed: ParsedConfig): Set<string> {
  const outputs = new Set<string>();
  const inputs = new Set<string>();
  const dataKeys = new Set<string>();
  let mig = false;
  for (const info of Object.values(parsed)) {
    outputs.add(info.type);
    for (const input of info.inputs) {
      for (const k of ['value', 'valueList']) if (typeof input[k] === 'string') dataKeys.add(input[k]);
      if (input.valueList) mig = true;
      if (input.type === 'Text' && input.valueType === 'url') continue;
      inputs.add(String(input.type));
    }
  }
  const doclang = Object.values(parsed).some((i) => ['TextArea', 'ReactCode', 'CustomInterface'].includes(i.type));
  if (dataKeys.size > 1) return new Set([...TEXT_FORMATS, ...(doclang ? ['DOCLANG'] : [])]);
  const all = new Set(EXPORT_FORMATS.map((f) => f.name));
  const drop = (...names: string[]) => names.forEach((n) => all.delete(n));
  if (!doclang) drop('DOCLANG');
  const has = (s: Set<string>, n: string) => s.has(n);
  if (has(outputs, 'KeyPointLabels') && !has(outputs, 'RectangleLabels'))
    drop('COCO', 'COCO_WITH_IMAGES', 'YOLO', 'YOLO_WITH_IMAGES');
  if (!(has(inputs, 'Text') && has(outputs, 'Labels'))) drop('CONLL2003');
  if (
    mig ||
    !(
      has(inputs, 'Image') &&
      (has(outputs, 'RectangleLabels') || (has(outputs, 'Rectangle') && has(outputs, 'Labels')))
    )
  )
    drop('VOC');
  const labels = has(outputs, 'Labels');
  if (
    mig ||
    !(
      (has(inputs, 'Image') &&
        (has(outputs, 'RectangleLabels') || has(outputs, 'PolygonLabels') || has(outputs, 'KeyPointLabels'))) ||
      (has(outputs, 'Rectangle') && labels) ||
      (has(outputs, 'PolygonLabels') && labels) ||
      (has(outputs, 'KeyPointLabels') && labels)
    )
  ) {
    drop('COCO', 'COCO_WITH_IMAGES', 'YOLO', 'YOLO_WITH_IMAGES', 'YOLO_OBB', 'YOLO_OBB_WITH_IMAGES');
  }
  if (!(
    has(inputs, 'Image') &&
    (has(outputs, 'BrushLabels') || has(outputs, 'brushlabels') || (has(outputs, 'Brush') && labels))
  )) {
    drop('BRUSH_TO_NUMPY', 'BRUSH_TO_PNG', 'BRUSH_TO_COCO');
  }
  if (!((has(inputs, 'Audio') || has(inputs, 'AudioPlus')) && has(outputs, 'TextArea'))) drop('ASR_MANIFEST');
  if (mig || (has(inputs, 'Video') && has(outputs, 'TimelineLabels'))) drop('YOLO_OBB', 'YOLO_OBB_WITH_IMAGES');
  return all;
}

/** `GET /api/projects/{id}/export/formats`: every format, unsupported ones marked and last. */
export function exportFormatList(parsed: ParsedConfig): Array<Record<string, unknown>> {
  const supported = supportedFormats(parsed);
  const list = EXPORT_FORMATS.map((f) => (supported.has(f.name) ? { ...f } : { ...f, disabled: true }));
  return [...list.filter((f) => !('disabled' in f)), ...list.filter((f) => 'disabled' in f)];
}

/** File body and extension for a text format; undefined for formats the fake cannot write. */
export function renderExport(
  tasks: ReadonlyArray<Record<string, unknown>>,
  format: string,
  json: 'compact' | 'python',
): { body: string; ext: string } | undefined {
  switch (format) {
    case 'JSON':
      return { body: json === 'compact' ? JSON.stringify(tasks) : pythonJson(tasks), ext: 'json' };
    case 'JSON_MIN': {
      const rows = minRows(tasks, false);
      return { body: `[\n${rows.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]`, ext: 'json' };
    }
    case 'CSV':
    case 'TSV':
      return { body: table(minRows(tasks, true), format === 'CSV' ? ',' : '\t'), ext: 'csv' };
    default:
      return undefined;
  }
}

/** Python's `json.dumps` defaults: `", "` and `": "` separators, non-ASCII escaped. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
    .join(', ')}}`;
}

/** One row per annotation (a task without any gives one bare row when `keepEmpty`). */
function minRows(tasks: ReadonlyArray<Record<string, unknown>>, keepEmpty: boolean): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const task of tasks) {
    const data = (task.data ?? {}) as Record<string, unknown>;
    const annotations = (task.annotations ?? []) as Array<Record<string, unknown>>;
    if (annotations.length === 0 && keepEmpty) rows.push({ ...data, id: task.id });
    for (const a of annotations) {
      const row: Record<string, unknown> = { ...data, id: task.id };
      for (const r of Array.isArray(a.result) ? (a.result as Array<Record<string, unknown>>) : []) {
        if (!r || typeof r !== 'object' || !r.from_name) continue;
        row[String(r.from_name)] = resultValue(r);
      }
      Object.assign(row, {
        annotator: a.completed_by,
        annotation_id: a.id,
        created_at: a.created_at,
        updated_at: a.updated_at,
        lead_time: a.lead_time ?? null,
      });
      rows.push(row);
    }
  }
  return rows;
}

function resultValue(r: Record<string, unknown>): unknown {
  const type = String(r.type ?? '');
  const value = (r.value ?? {}) as Record<string, unknown>;
  const v = value[type];
  if (Array.isArray(v) && v.length === 1 && (type === 'choices' || type === 'textarea')) return v[0];
  if (type === 'choices' && Array.isArray(v)) return { choices: v };
  return v ?? value;
}

/** pandas `to_csv(quoting=QUOTE_NONNUMERIC)`: sorted columns, numbers bare, the rest quoted, CRLF. */
function table(rows: ReadonlyArray<Record<string, unknown>>, sep: string): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  const cell = (column: string, v: unknown) => {
    if (typeof v === 'number' && column !== 'annotator') return String(v);
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${text.replace(/"/g, '""')}"`;
  };
  const lines = [
    columns.map((c) => `"${c}"`).join(sep),
    ...rows.map((r) => columns.map((c) => cell(c, r[c])).join(sep)),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
