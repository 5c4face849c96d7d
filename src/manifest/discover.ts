import { readFileSync, statSync, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { diag, type Diagnostic } from '../util/diagnostics.ts';
import { compileExcludes } from './exclude.ts';
import { EMPTY_FILE_MESSAGE, findLookAlike, isEmptyText, type KnownKinds } from './look-alike.ts';
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
  /** Folder-level problems. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Files not read as manifests that must not be skipped in silence: empty ones, and look-alikes
   * (meant as manifests, but without labelform's apiVersion). The loader reports them, except the
   * files a manifest names as its data (task files), which are not manifests whatever they hold.
   */
  readonly suspects: readonly Suspect[];
}

/** A file that is not read as a manifest, with the error it is unless a manifest names it as data. */
export interface Suspect {
  readonly path: string;
  readonly problem: Diagnostic;
}

/**
 * Finds and reads the manifests under `root`: labelform.yaml always, and every other
 * .yaml/.yml/.json file whose text has a labelform `apiVersion`, minus the `exclude:` globs of
 * labelform.yaml. Other tools' YAML (docker-compose, CI, Helm) is left alone; an empty file, or
 * one that looks meant as a manifest but has no labelform apiVersion (a typo, a lost first line),
 * is a suspect, not silence (see `findLookAlike`, `isEmptyText`).
 * `show` turns an absolute path into the one shown in messages; `known` are the kinds of the
 * registry, which a look-alike is told of.
 */
export async function discoverManifests(
  root: string,
  show: (path: string) => string,
  known: KnownKinds,
): Promise<DiscoveredManifests> {
  const diagnostics: Diagnostic[] = [];
  const files: ManifestFile[] = [];
  const suspects: Suspect[] = [];
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
    diagnostics.push(
      diag(
        'no-root-config',
        `no labelform.yaml in ${show(root)}: it names the namespace and the Label Studio environments (see README)`,
        { file: show(root) },
      ),
    );
  }

  const isExcluded = compileExcludes(exclude);
  const found = await listCandidateFiles(
    root,
    (path) => path === configPath || isExcluded(relative(root, path).split(sep).join('/')),
  );
  for (const d of found.unreadable)
    diagnostics.push(diag('directory-unreadable', `cannot read directory ${show(d)}`, { file: show(d) }));
  if (found.truncated)
    diagnostics.push(
      diag(
        'too-many-files',
        `more than ${found.files.length} candidate manifest files; stopped reading (exclude: in labelform.yaml skips folders)`,
        { file: show(root) },
      ),
    );

  // One after another, read synchronously: for small files that is far cheaper than the
  // promise API's open, stat, read and close on the thread pool (10,000 manifests: ~2 s less CPU).
  for (const path of found.files) {
    const r = await readCandidate(path, show(path), known);
    if (r.kind === 'manifest') files.push(r.file);
    else if (r.kind === 'suspect') suspects.push(r.suspect);
  }
  return { ...(configPath ? { configPath } : {}), files, diagnostics, suspects };
}

/** Reads and parses a file known to be a manifest (labelform.yaml). */
async function readManifest(path: string, file: string): Promise<ManifestFile> {
  const read = await readTextFile(path, file);
  if (!read.ok) return { path, docs: [], diagnostics: [read.diagnostic] };
  const source = parseYamlSource(read.text, file);
  return { path, docs: source.documents, diagnostics: source.diagnostics };
}

type Candidate = { kind: 'manifest'; file: ManifestFile } | { kind: 'suspect'; suspect: Suspect } | { kind: 'other' };

async function readCandidate(path: string, file: string, known: KnownKinds): Promise<Candidate> {
  const size = statOrUndefined(path)?.size ?? 0;
  if (size > MAX_MANIFEST_BYTES) {
    // Only a manifest's size is our business: refuse it (readTextFile says why), skip the rest.
    const head = await readHead(path, HEAD_BYTES).catch(() => undefined);
    if (!head) return { kind: 'other' };
    const text = sniffText(head);
    if (hasLabelformApiVersion(text)) return { kind: 'manifest', file: await readManifest(path, file) };
    return suspect(path, findLookAlike(text, file, known));
  }
  const bytes = readOrUndefined(path);
  if (!bytes) return { kind: 'manifest', file: await readManifest(path, file) }; // says why it cannot be read
  const text = sniffText(bytes);
  if (!hasLabelformApiVersion(text)) {
    // An emptied manifest and a truncated one must stop validate and plan: skipped, --prune would delete what they declared.
    if (isEmptyText(text)) return suspect(path, diag('empty-file', EMPTY_FILE_MESSAGE, { file, line: 1, col: 1 }));
    return suspect(path, findLookAlike(text, file, known));
  }
  const decoded = decodeUtf8(bytes, file, 'manifest');
  if (!decoded.ok) return { kind: 'manifest', file: { path, docs: [], diagnostics: [decoded.diagnostic] } };
  const source = parseYamlSource(decoded.text, file);
  return { kind: 'manifest', file: { path, docs: source.documents, diagnostics: source.diagnostics } };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function suspect(path: string, problem: Diagnostic | undefined): Candidate {
  return problem ? { kind: 'suspect', suspect: { path, problem } } : { kind: 'other' };
}

// A top-level (or flow/JSON) `apiVersion: labelform/...`; not inside a `#` comment.
const LABELFORM_API_VERSION = /(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)["']?apiVersion["']?[ \t]*:[ \t]*["']?labelform\//m;

/** True when the text declares a labelform `apiVersion` (any version: a wrong one is a schema error). */
export function hasLabelformApiVersion(text: string): boolean {
  return LABELFORM_API_VERSION.test(text);
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

/** The `exclude:` list of a root config value, as far as it is a list of strings (the schema reports the rest). */
function excludePatterns(value: unknown): string[] {
  const list = (value as { exclude?: unknown } | null)?.exclude;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * Lists candidate manifest files under a directory: every .yaml/.yml/.json file, skipping
 * dot-directories, node_modules and excluded paths, without following directory symlinks.
 */
async function listCandidateFiles(
  root: string,
  excluded: (path: string) => boolean,
): Promise<{ files: string[]; truncated: boolean; unreadable: string[] }> {
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
