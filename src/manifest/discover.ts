import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import pLimit from 'p-limit';
import { diag, type Diagnostic } from '../util/diagnostics.ts';
import { compileExcludes } from './exclude.ts';
import { closest } from './schemas.ts';
import { decodeUtf8, MAX_MANIFEST_BYTES, readTextFile } from './source-file.ts';
import { parseYamlSource, type SourceDocument } from './yaml-source.ts';

export const ROOT_CONFIG_NAMES = ['labelform.yaml', 'labelform.yml'] as const;
const MAX_FILES = 20_000;
/** How much of an oversized file is read to tell whether it is a manifest at all. */
const HEAD_BYTES = 64 * 1024;

/** One file read as a manifest: its documents, or why it could not be read. */
export interface ManifestFile {
  readonly path: string;
  readonly docs: readonly SourceDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface DiscoveredManifests {
  /** Absolute path of labelform.yaml (or .yml), when there is one. */
  readonly configPath?: string;
  /** labelform.yaml first, then every manifest, in path order. */
  readonly files: readonly ManifestFile[];
  /** Folder-level problems, and errors for files that look like manifests but lack labelform's apiVersion. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Finds and reads the manifests under `root`: labelform.yaml always, and every other
 * .yaml/.yml/.json file whose text has a labelform `apiVersion`, minus the `exclude:` globs of
 * labelform.yaml. Other tools' YAML (docker-compose, CI, Helm) is left alone; a file that looks
 * meant as a manifest but has no labelform apiVersion (a typo) is an error, not silence.
 * `show` turns an absolute path into the one shown in messages.
 */
export async function discoverManifests(root: string, show: (path: string) => string): Promise<DiscoveredManifests> {
  const diagnostics: Diagnostic[] = [];
  const files: ManifestFile[] = [];
  let configPath: string | undefined;
  for (const name of ROOT_CONFIG_NAMES) {
    const path = join(root, name);
    if ((await stat(path).catch(() => undefined))?.isFile()) {
      configPath = path;
      break;
    }
  }
  let exclude: readonly string[] = [];
  if (configPath) {
    const config = await readManifest(configPath, show(configPath));
    files.push(config);
    exclude = excludePatterns(config.docs[0]?.value);
  } else {
    diagnostics.push(diag('no-root-config', `no labelform.yaml in ${show(root)}: it names the namespace and the Label Studio environments (see README)`, { file: show(root) }));
  }

  const isExcluded = compileExcludes(exclude);
  const found = await listCandidateFiles(root, (path) => path === configPath || isExcluded(relative(root, path).split(sep).join('/')));
  for (const d of found.unreadable) diagnostics.push(diag('directory-unreadable', `cannot read directory ${show(d)}`, { file: show(d) }));
  if (found.truncated) diagnostics.push(diag('too-many-files', `more than ${found.files.length} candidate manifest files; stopped reading (exclude: in labelform.yaml skips folders)`, { file: show(root) }));

  // Bounded parallelism keeps file descriptors in check.
  const limit = pLimit(32);
  const read = await Promise.all(found.files.map((path) => limit(() => readCandidate(path, show(path)))));
  for (const r of read) {
    if (r.kind === 'manifest') files.push(r.file);
    else if (r.kind === 'look-alike') diagnostics.push(r.problem);
  }
  return { ...(configPath ? { configPath } : {}), files, diagnostics };
}

/** Reads and parses a file known to be a manifest (labelform.yaml). */
async function readManifest(path: string, file: string): Promise<ManifestFile> {
  const read = await readTextFile(path, file);
  if (!read.ok) return { path, docs: [], diagnostics: [read.diagnostic] };
  const source = parseYamlSource(read.text, file);
  return { path, docs: source.documents, diagnostics: source.diagnostics };
}

type Candidate = { kind: 'manifest'; file: ManifestFile } | { kind: 'look-alike'; problem: Diagnostic } | { kind: 'other' };

async function readCandidate(path: string, file: string): Promise<Candidate> {
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (size > MAX_MANIFEST_BYTES) {
    // Only a manifest's size is our business: refuse it (readTextFile says why), skip the rest.
    const head = await readHead(path, HEAD_BYTES).catch(() => undefined);
    return head && hasLabelformApiVersion(sniffText(head)) ? { kind: 'manifest', file: await readManifest(path, file) } : { kind: 'other' };
  }
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) return { kind: 'manifest', file: await readManifest(path, file) }; // says why it cannot be read
  const text = sniffText(bytes);
  if (!hasLabelformApiVersion(text)) {
    const problem = lookAlike(text, file);
    return problem ? { kind: 'look-alike', problem } : { kind: 'other' };
  }
  const decoded = decodeUtf8(bytes, file, 'manifest');
  if (!decoded.ok) return { kind: 'manifest', file: { path, docs: [], diagnostics: [decoded.diagnostic] } };
  const source = parseYamlSource(decoded.text, file);
  return { kind: 'manifest', file: { path, docs: source.documents, diagnostics: source.diagnostics } };
}

// A top-level (or flow/JSON) `apiVersion: labelform/...`; not inside a `#` comment.
const LABELFORM_API_VERSION = /(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)["']?apiVersion["']?[ \t]*:[ \t]*["']?labelform\//m;
const ANY_API_VERSION = /(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)["']?apiVersion["']?[ \t]*:[ \t]*["']?([^\s"'#,}\]]+)/gm;
const MANIFEST_KIND = /^["']?kind["']?[ \t]*:[ \t]*["']?(Project|LabelConfig)\b/m;

/** True when the text declares a labelform `apiVersion` (any version: a wrong one is a schema error). */
export function hasLabelformApiVersion(text: string): boolean {
  return LABELFORM_API_VERSION.test(text);
}

/**
 * An error for a file that was almost certainly meant as a manifest: an apiVersion one or two
 * typos away from labelform's, or a top-level `kind: Project` / `kind: LabelConfig` with no
 * apiVersion at all. Skipping it quietly would turn its project into an orphan (`--prune` would
 * delete it), so it stops validate and plan; `exclude:` is the way to say it is not ours. Another
 * tool's apiVersion (`project.openshift.io/v1`) is not a look-alike and stays silent.
 */
function lookAlike(text: string, file: string): Diagnostic | undefined {
  const hint = '(or list the file under exclude: in labelform.yaml)';
  let sawApiVersion = false;
  for (const m of text.matchAll(ANY_API_VERSION)) {
    sawApiVersion = true;
    const value = m[1]!;
    const group = value.split('/')[0]!;
    if (closest(group.toLowerCase(), ['labelform']) === undefined) continue;
    const at = lineCol(text, m.index! + m[0].length - value.length);
    return diag('manifest-look-alike', `apiVersion "${value}" is not labelform's, so this file would not be read as a manifest; write apiVersion: labelform/v1 ${hint}`, { file, ...at });
  }
  if (sawApiVersion) return undefined;
  const kind = MANIFEST_KIND.exec(text);
  if (!kind) return undefined;
  const at = lineCol(text, kind.index + kind[0].length - kind[1]!.length);
  return diag('manifest-look-alike', `kind: ${kind[1]} but no apiVersion, so this file would not be read as a manifest; add apiVersion: labelform/v1 ${hint}`, { file, ...at });
}

/** Text good enough to look for apiVersion in: UTF-16 (with a byte-order mark) or lenient UTF-8. */
function sniffText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead - (bytesRead % 2)); // whole UTF-16 units, if it is UTF-16
  } finally {
    await handle.close();
  }
}

function lineCol(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: index - start + 1 };
}

/** The `exclude:` list of a root config value, as far as it is a list of strings (the schema reports the rest). */
function excludePatterns(value: unknown): string[] {
  const list = (value as { exclude?: unknown } | null)?.exclude;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * Lists candidate manifest files under a directory: every .yaml/.yml/.json file, skipping
 * dot-directories, node_modules and excluded paths, without following directory symlinks.
 */
async function listCandidateFiles(root: string, excluded: (path: string) => boolean): Promise<{ files: string[]; truncated: boolean; unreadable: string[] }> {
  const files: string[] = [];
  const unreadable: string[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
      unreadable.push(dir);
      return [];
    });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (excluded(path)) continue;
      if (e.isDirectory()) {
        queue.push(path);
      } else if ((e.isFile() || e.isSymbolicLink()) && /\.(ya?ml|json)$/i.test(e.name)) {
        if (e.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isDirectory()) continue;
        files.push(path);
        if (files.length >= MAX_FILES) return { files, truncated: true, unreadable };
      }
    }
  }
  return { files, truncated: false, unreadable };
}
