import equal from 'fast-deep-equal';
import type { LsProject } from '../../api/types.ts';
import type { ProjectManifest, ProjectSpec } from '../../generated/schema-types.ts';

export type { PullSecret };
import { parseLabelConfigXml } from '../../labelconfig/parse-xml.ts';
import { escapeInterpolation, holdsSecret, writeBack, type PullSecret } from '../../manifest/pulled.ts';
import { summarizeLabelConfig } from '../../labelconfig/summarize.ts';
import { maskUrlsInText } from '../../util/credentials.ts';
import {
  pulledVariableNames,
  urlCredentialAsVariable,
  urlCredentialLinksAsVariables,
} from '../shared/pulled-credentials.ts';
import { literalTextCredentials } from '../shared/text-credentials.ts';
import { PROJECT_FIELD_DEFAULTS, PROJECT_FIELDS, type ProjectField } from './fields.ts';
import { stripMarker } from './marker.ts';
import { normaliseProjectField, pythonStrip } from './normalise.ts';

/** Fields `pull` never writes into git: secrets, and values the server derives from others. */
const NOT_PULLED: ReadonlySet<ProjectField> = new Set([
  'task_data_login',
  'task_data_password',
  'start_training_on_annotation_update',
  'label_config',
  'description',
]);

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
 *
 * Every string is written so that interpolation gives it back exactly: a literal `${` becomes
 * `$${`, and a secret value (`secrets`, longest first) becomes its `${env:NAME}` reference. A value
 * holding a secret that cannot be written back exactly is left out, with a note; a label config
 * holding one is written inline (an .xml file is not interpolated). A text holding a URL
 * credential (user info, a token parameter, a Slack path) is written as `${env:PROJECT_<KEY>_<FIELD>}`
 * to set, and each such link of a label config as its own reference, in the XML written inline.
 * No secret value is returned.
 */
export function projectToManifest(
  p: LsProject,
  key: string,
  adoptId?: number,
  secrets: readonly PullSecret[] = [],
): PulledProject {
  const notes: string[] = [];
  const spec: Record<string, unknown> = {};
  const variable = pulledVariableNames('PROJECT', key);
  const put = (field: string, value: string): void => {
    const written = writeBack(value, secrets);
    if (written.ok) {
      if (written.refs.length)
        notes.push(
          `${field}: holds the value of ${written.refs.map((n) => `\${env:${n}}`).join(', ')}, written as that reference`,
        );
      if (field === 'label_config') {
        // A link with a credential in the XML becomes its own reference: the rest stays readable.
        const links = urlCredentialLinksAsVariables(written.text, () => variable(field, 'URL'), {
          field,
          owner: 'the label config',
        });
        notes.push(...links.notes);
        spec[field] = links.text;
        return;
      }
      // The value as a URL, or URLs inside it (a description with a link), as one reference: what
      // to set is then simply the value the server has.
      const inUrl = urlCredentialAsVariable(written.text, () => variable(field), { field, owner: `the ${field}` });
      if (inUrl) notes.push(inUrl.note);
      spec[field] = inUrl?.text ?? written.text;
    } else {
      notes.push(
        `${field}: left out, it holds the value of ${written.names.map((n) => `\${env:${n}}`).join(', ')} and a reference would not give it back exactly`,
      );
    }
  };
  // Numbers, switches and mappings (control_weights): a secret in one is left out, not rewritten.
  const putStructured = (field: string, value: unknown): void => {
    const names = secrets
      .filter((s) => JSON.stringify(value ?? null).includes(JSON.stringify(s.value).slice(1, -1)))
      .map((s) => s.name);
    if (names.length)
      notes.push(`${field}: left out, it holds the value of ${names.map((n) => `\${env:${n}}`).join(', ')}`);
    else spec[field] = escapeStrings(value);
  };
  // As the server trims and counts: Python's whitespace (U+FEFF stays) and code points, not UTF-16 units.
  const title = pythonStrip(p.title ?? '');
  const titleLength = [...title].length;
  if (titleLength >= 3 && titleLength <= 50) put('title', title);
  else
    notes.push(
      `title ${holdsSecret(p.title ?? '', secrets) ? '(sensitive)' : JSON.stringify(maskUrlsInText(p.title ?? ''))} is not 3-50 characters and was left out`,
    );
  const description = stripMarker(p.description);
  if (description) put('description', description);
  const xml = String(normaliseProjectField('label_config', p.label_config, 'live'));
  let hasConfig = xml !== '' && xml !== PROJECT_FIELD_DEFAULTS.label_config;
  if (hasConfig && (holdsSecret(xml, secrets) || literalTextCredentials(xml).length > 0)) {
    // config.xml is read as it is, so a reference (a secret's value, a link with a credential) can only live in the manifest.
    hasConfig = false;
    put('label_config', xml);
    if (spec.label_config !== undefined)
      notes[notes.length - 1] += ' (inline in project.yaml: an .xml file is not interpolated)';
  } else if (hasConfig) {
    spec.label_config = { file: './config.xml' };
  }
  for (const field of PROJECT_FIELDS) {
    if (NOT_PULLED.has(field) || field === 'title') continue;
    const value = p[field];
    if (value === undefined) continue;
    if (field === 'control_weights') {
      if (!isDerivedWeights(value, p.label_config)) putStructured(field, value);
      continue;
    }
    const norm = normaliseProjectField(field, value, 'live');
    if (equal(norm, normaliseProjectField(field, PROJECT_FIELD_DEFAULTS[field], 'live'))) continue;
    if (typeof value === 'string') put(field, value);
    else putStructured(field, value);
  }
  if (p.task_data_login || p.task_data_password) {
    notes.push(
      'task_data_login/task_data_password are set on the server and were left out (secrets stay out of git; manage them with ${env:NAME} if you want)',
    );
  }
  const manifest = {
    apiVersion: 'labelform/v1' as const,
    kind: 'Project' as const,
    metadata: { name: key },
    // Each field was put in under its API name with the API's value, the type ProjectSpec gives that name.
    spec: spec as ProjectSpec,
    ...(adoptId !== undefined ? { import: { id: adoptId } } : {}),
  };
  return { manifest, ...(hasConfig ? { xml } : {}), notes };
}

function escapeStrings(value: unknown): unknown {
  if (typeof value === 'string') return escapeInterpolation(value);
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)]));
  return value;
}

/** True when weights are what the server derives by itself: 1.0 for every control and label. */
function isDerivedWeights(weights: unknown, labelConfig: unknown): boolean {
  if (weights === null || weights === undefined) return true;
  if (typeof weights !== 'object') return false;
  const parsed = parseLabelConfigXml(String(labelConfig ?? '').trim());
  // The server's {control: {overall, type, labels}}; each value is read with ?. and compared, so another shape reads as not derived.
  const entries = Object.entries(
    weights as Record<string, { overall?: unknown; type?: unknown; labels?: Record<string, unknown> }>,
  );
  if (!parsed.ok)
    return entries.every(([, w]) => w?.overall === 1 && Object.values(w.labels ?? {}).every((v) => v === 1));
  const controls = summarizeLabelConfig(parsed.root).controls.filter((c) => c.type !== 'Filter');
  if (entries.length !== controls.length) return false;
  return entries.every(([name, w]) => {
    const control = controls.find((c) => c.name === name);
    return control !== undefined && w?.overall === 1 && Object.values(w.labels ?? {}).every((v) => v === 1);
  });
}
