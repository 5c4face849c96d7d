import equal from 'fast-deep-equal';
import { stringify } from 'yaml';
import type { LsProject } from '../../api/types.ts';
import type { ProjectManifest, ProjectSpec } from '../../generated/schema-types.ts';
import { parseLabelConfigXml } from '../../labelconfig/parse-xml.ts';
import { summarizeLabelConfig } from '../../labelconfig/summarize.ts';
import { PROJECT_FIELD_DEFAULTS, PROJECT_FIELDS, type ProjectField } from './fields.ts';
import { stripMarker } from './marker.ts';
import { normaliseProjectField, pythonStrip } from './normalise.ts';

/** Fields `pull` never writes into git: secrets, and values the server derives from others. */
const NOT_PULLED: ReadonlySet<ProjectField> = new Set(['task_data_login', 'task_data_password', 'start_training_on_annotation_update', 'label_config', 'description']);

export interface PulledProject {
  readonly manifest: ProjectManifest;
  /** The label config, to write beside the manifest as config.xml. */
  readonly xml?: string;
  /** Things a person should know (secrets left out, odd values). */
  readonly notes: readonly string[];
}

/**
 * A manifest for a live project: its title, description (without the marker), label config and
 * every setting that differs from the server default, so that planning it changes nothing.
 * `adoptId` adds `import: {id}` for a project that does not carry the marker yet.
 */
export function projectToManifest(p: LsProject, key: string, adoptId?: number): PulledProject {
  const notes: string[] = [];
  const spec: Record<string, unknown> = {};
  // As the server trims and counts: Python's whitespace (U+FEFF stays) and code points, not UTF-16 units.
  const title = pythonStrip(p.title ?? '');
  const titleLength = [...title].length;
  if (titleLength >= 3 && titleLength <= 50) spec.title = title;
  else notes.push(`title ${JSON.stringify(p.title)} is not 3-50 characters and was left out`);
  const description = stripMarker(p.description);
  if (description) spec.description = description;
  const xml = normaliseProjectField('label_config', p.label_config, 'live') as string;
  const hasConfig = xml !== '' && xml !== PROJECT_FIELD_DEFAULTS.label_config;
  if (hasConfig) spec.label_config = { file: './config.xml' };
  for (const field of PROJECT_FIELDS) {
    if (NOT_PULLED.has(field) || field === 'title') continue;
    const value = p[field];
    if (value === undefined) continue;
    if (field === 'control_weights') {
      if (!isDerivedWeights(value, p.label_config)) spec.control_weights = value;
      continue;
    }
    const norm = normaliseProjectField(field, value, 'live');
    if (equal(norm, normaliseProjectField(field, PROJECT_FIELD_DEFAULTS[field], 'live'))) continue;
    spec[field] = value;
  }
  if (p.task_data_login || p.task_data_password) {
    notes.push('task_data_login/task_data_password are set on the server and were left out (secrets stay out of git; manage them with ${env:NAME} if you want)');
  }
  const manifest = {
    apiVersion: 'labelform/v1' as const,
    kind: 'Project' as const,
    metadata: { name: key },
    spec: spec as ProjectSpec,
    ...(adoptId !== undefined ? { import: { id: adoptId } } : {}),
  };
  return { manifest, ...(hasConfig ? { xml } : {}), notes };
}

/** True when weights are what the server derives by itself: 1.0 for every control and label. */
function isDerivedWeights(weights: unknown, labelConfig: unknown): boolean {
  if (weights === null || weights === undefined) return true;
  if (typeof weights !== 'object') return false;
  const parsed = parseLabelConfigXml(String(labelConfig ?? '').trim());
  const entries = Object.entries(weights as Record<string, { overall?: unknown; type?: unknown; labels?: Record<string, unknown> }>);
  if (!parsed.ok) return entries.every(([, w]) => w?.overall === 1 && Object.values(w.labels ?? {}).every((v) => v === 1));
  const controls = summarizeLabelConfig(parsed.root).controls.filter((c) => c.type !== 'Filter');
  if (entries.length !== controls.length) return false;
  return entries.every(([name, w]) => {
    const control = controls.find((c) => c.name === name);
    return control !== undefined && w?.overall === 1 && Object.values(w.labels ?? {}).every((v) => v === 1);
  });
}

/** The manifest as YAML, with the editor schema comment first. */
export function manifestYaml(manifest: ProjectManifest, schemaPath: string, header?: string): string {
  const body = stringify(manifest, { lineWidth: 0, blockQuote: 'literal' });
  return `# yaml-language-server: $schema=${schemaPath}\n${header ? `# ${header}\n` : ''}${body}`;
}

/** A manifest key from a title: lowercase letters, digits and dashes. */
export function keyFromTitle(title: string | null | undefined, id: number): string {
  const slug = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug || `project-${id}`;
}
