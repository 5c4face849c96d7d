/**
 * Shared set-up for the validate suites (test/unit and test/integration): throwaway repositories
 * on disk, loaded the way `labelform validate` loads them, with diagnostics reduced to one
 * comparable line each.
 */
import { loadRepository, type LoadResult } from '../../../src/state/load-repository.ts';
import { sortDiagnostics, type Diagnostic } from '../../../src/util/diagnostics.ts';
import { projectYaml, removeTree, ROOT_CONFIG, writeTree } from '../../helpers/files.ts';

export { ROOT_CONFIG, projectYaml };

const made: string[] = [];

/** writeTree, remembered so `cleanupTrees` removes it after the suite. */
export async function tree(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await writeTree(files);
  made.push(dir);
  return dir;
}

export async function cleanupTrees(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => removeTree(d)));
}

export interface Loaded {
  readonly dir: string;
  readonly result: LoadResult;
  /** Every diagnostic as `file:line:col: [warning ]code: message`, sorted; `<repo>` stands for the temp dir. */
  readonly lines: string[];
}

/** Loads a tree as `validate` does (offline: unset `${env:...}` only warns; every environment checked). */
export async function load(
  files: Record<string, string | Uint8Array>,
  opts: { env?: Record<string, string>; environment?: string; dir?: string } = {},
): Promise<Loaded> {
  const dir = opts.dir ?? (await tree(files));
  const result = await loadRepository(dir, {
    env: opts.env ?? {},
    requireEnv: false,
    checkAllEnvironments: true,
    cwd: dir,
    ...(opts.environment ? { environment: opts.environment } : {}),
  });
  return { dir, result, lines: sortDiagnostics(result.diagnostics).map((d) => brief(d, dir)) };
}

export function brief(d: Diagnostic, dir?: string): string {
  const text = `${d.file ?? ''}:${d.line ?? '-'}:${d.col ?? '-'}: ${d.severity === 'warning' ? 'warning ' : ''}${d.code}: ${d.message}`;
  return dir ? text.split(dir).join('<repo>') : text;
}

/** A repository with labelform.yaml and one project `p.yaml` whose spec is `specLines` (spec starts on line 6). */
export function withProject(
  specLines: string,
  extra: Record<string, string | Uint8Array> = {},
): Record<string, string | Uint8Array> {
  return { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': projectYaml('p1', specLines), ...extra };
}

/** A small valid label config (one object tag, one labeled control). */
export const VALID_XML =
  '<View>\n  <Text name="text" value="$text"/>\n  <Labels name="label" toName="text">\n    <Label value="A"/>\n  </Labels>\n</View>\n';

/** The same XML as a YAML block scalar under `  label_config: |` (content indented by four spaces). */
export function blockXml(xml: string): string {
  return `  label_config: |\n${xml
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
}
