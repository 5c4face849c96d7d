import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Environment, LabelformConfig } from '../generated/schema-types.ts';
import { diag, type Diagnostic } from '../util/diagnostics.ts';
import { ROOT_CONFIG_NAMES } from './discover.ts';
import { validateAgainstSchema } from './schemas.ts';
import { readTextFile } from './source-file.ts';
import type { RootConfig } from './types.ts';
import { parseYamlSource, type SourceDocument } from './yaml-source.ts';

export interface RawDoc {
  readonly path: string;
  readonly doc: SourceDocument;
}

/**
 * Reads only labelform.yaml (for commands such as `status` that need the environments but not
 * the manifests). Returns no config and no diagnostics when the file does not exist.
 */
export async function loadRootConfig(
  dir: string,
  cwd: string = process.cwd(),
): Promise<{ config?: RootConfig; diagnostics: Diagnostic[] }> {
  const root = resolve(cwd, dir);
  for (const name of ROOT_CONFIG_NAMES) {
    const path = join(root, name);
    if (!(await stat(path).catch(() => undefined))?.isFile()) continue;
    const file = displayPath(cwd, path);
    const read = await readTextFile(path, file);
    if (!read.ok) return { diagnostics: [read.diagnostic] };
    const source = parseYamlSource(read.text, file);
    const diagnostics = [...source.diagnostics];
    if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
    const config = readRootConfig(
      source.documents.map((doc) => ({ path, doc })),
      file,
      diagnostics,
    );
    return { ...(config && !diagnostics.some((d) => d.severity === 'error') ? { config } : {}), diagnostics };
  }
  return { diagnostics: [] };
}

export function readRootConfig(docs: RawDoc[], file: string, diagnostics: Diagnostic[]): RootConfig | undefined {
  const raw = docs[0];
  if (!raw) return undefined; // parse errors were reported already
  const { doc } = raw;
  const at = (pointer: string, key = false) => ({ file, ...doc.locate(pointer, { key }), pointer });
  if (docs.length > 1)
    diagnostics.push(diag('config-multiple-documents', 'labelform.yaml must hold a single document', at('')));
  const v = doc.value as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    diagnostics.push(
      diag(
        'not-a-manifest',
        'labelform.yaml must be a mapping (apiVersion, kind: Config, namespace, environments)',
        at(''),
      ),
    );
    return undefined;
  }
  // Environment URLs may use ${env:NAME}; they are resolved when a command connects, not here.
  const issues = validateAgainstSchema('labelform', v);
  for (const issue of issues) diagnostics.push(diag('schema', issue.message, at(issue.pointer, issue.atKey)));
  if (issues.length > 0) return undefined;
  const cfg = v as unknown as LabelformConfig;
  const environments: Record<string, Environment> = { ...(cfg.environments ?? {}) };
  const implicitEnvironment = Object.keys(environments).length === 0;
  if (implicitEnvironment) environments.default = {};
  const names = Object.keys(environments);
  const defaultEnvironment = cfg.defaultEnvironment ?? (names.length === 1 ? names[0]! : 'default');
  if (!(defaultEnvironment in environments)) {
    diagnostics.push(
      diag(
        'unknown-environment',
        `defaultEnvironment "${defaultEnvironment}" is not one of the environments (${names.join(', ')})`,
        at(cfg.defaultEnvironment ? '/defaultEnvironment' : '/environments'),
      ),
    );
  }
  return { file, doc, namespace: cfg.namespace, environments, implicitEnvironment, defaultEnvironment };
}

export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
