import { diag, type Diagnostic } from '../util/diagnostics.ts';
import { closest, loadSchema } from './schemas.ts';

/**
 * Files that sit where manifests live but are not read as manifests must not be skipped in
 * silence when they were meant as one: skipped, the resource they declared turns into an orphan
 * that `--prune` deletes. This file decides which files those are, from their text alone.
 */

/**
 * What this file needs to know of the kinds: the loader hands it down from the registry (manifest/
 * sits below the kinds, which read their manifests with its helpers).
 */
export interface KnownKinds {
  /** Every manifest kind (`Project`, `LabelConfig` ...). */
  readonly names: readonly string[];
  /** Their schema stems (`project` for schemas/project.schema.json). */
  readonly schemas: readonly string[];
  /** The kinds as a message lists them ("Project, Webhook ... or LabelConfig"). */
  readonly forMessages: string;
}

const HINT = '(or list the file under exclude: in labelform.yaml)';

/** The message for a manifest-folder file holding no document (docs/manifests.md). */
export const EMPTY_FILE_MESSAGE =
  'empty file: a manifest emptied by a bad merge would delete its resource with --prune; delete the file or add it to exclude: in labelform.yaml';

/**
 * True when the text holds no YAML/JSON document at all: nothing, or only whitespace, `#`
 * comments, `---` / `...` markers, `%` directives, a byte-order mark or NUL bytes (what a crash
 * mid-write leaves). `null`, `{}` or `[]` are documents, not empty.
 */
export function isEmptyText(text: string): boolean {
  for (const raw of text
    .replace(/^\uFEFF/, '')
    .replace(/\0/g, '')
    .split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^[ \t]*(#.*)?$/.test(line) || /^(---|\.\.\.)([ \t]+(#.*)?)?$/.test(line) || /^%/.test(line)) continue;
    return false;
  }
  return true;
}

// A top-level (or flow/JSON) `apiVersion: ...`, anywhere in the file; not inside a `#` comment.
const ANY_API_VERSION = /(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)["']?apiVersion["']?[ \t]*:[ \t]*["']?([^\s"'#,}\]]+)/gm;

/**
 * An error for a file without labelform's apiVersion that was almost certainly meant as a
 * manifest:
 * - its apiVersion is one or two typos away from labelform's (`labelfrom/v1`, `Labelform/v1`);
 * - it has no apiVersion at all, and a document of it has a top-level `kind:` naming one of the
 *   kinds of the registry (`kind: View`: the apiVersion line was lost);
 * - it has no apiVersion at all, and a document of it has the shape of a manifest cut at the top:
 *   top-level `metadata:` with a `name:` and `spec:`, and no top-level key a manifest cannot have.
 * Another tool's file with its own apiVersion (`project.openshift.io/v1`), and YAML or JSON of
 * other shapes (docker-compose, CI configs, task data) stay silent.
 */
export function findLookAlike(text: string, file: string, known: KnownKinds): Diagnostic | undefined {
  let sawApiVersion = false;
  for (const m of text.matchAll(ANY_API_VERSION)) {
    sawApiVersion = true;
    const value = m[1]!;
    const group = value.split('/')[0]!;
    if (closest(group.toLowerCase(), ['labelform']) === undefined) continue;
    const at = lineCol(text, m.index + m[0].length - value.length);
    return diag(
      'manifest-look-alike',
      `apiVersion "${value}" is not labelform's, so this file would not be read as a manifest; write apiVersion: labelform/v1 ${HINT}`,
      { file, ...at },
    );
  }
  if (sawApiVersion) return undefined;
  // Both rules below need one of these words; most data files have neither and are not scanned.
  if (!/\bkind\b/.test(text) && !(text.includes('metadata') && text.includes('spec'))) return undefined;
  const docs = topLevelShapes(text);
  const kinds = new Set(known.names);
  for (const doc of docs) {
    const kind = doc.entries.find((e) => e.key === 'kind' && e.scalar !== undefined && kinds.has(e.scalar));
    if (kind) {
      return diag(
        'manifest-look-alike',
        `kind: ${kind.scalar} but no apiVersion, so this file would not be read as a manifest; add apiVersion: labelform/v1 ${HINT}`,
        { file, ...lineCol(text, kind.valueIndex) },
      );
    }
  }
  const allowed = manifestTopLevelKeys(known.schemas);
  for (const doc of docs) {
    const keys = doc.entries.map((e) => e.key);
    const metadata = doc.entries.find((e) => e.key === 'metadata');
    if (
      doc.other ||
      !metadata?.childKeys.includes('name') ||
      !keys.includes('spec') ||
      !keys.every((k) => allowed.has(k))
    )
      continue;
    return diag(
      'manifest-look-alike',
      `metadata.name and spec but no apiVersion or kind, so this file would not be read as a manifest (was its top cut off?); add apiVersion: labelform/v1 and its kind (${known.forMessages}) ${HINT}`,
      { file, ...lineCol(text, metadata.index) },
    );
  }
  return undefined;
}

/** One top-level key of a document: where it is, its value when a scalar, its own keys when a mapping. */
interface TopLevelEntry {
  readonly key: string;
  readonly index: number;
  valueIndex: number;
  scalar?: string;
  readonly childKeys: string[];
}

interface DocumentShape {
  readonly entries: TopLevelEntry[];
  /** Top-level content that is not a `key:` (a list item, a scalar, text of a cut-off line). */
  other: boolean;
}

/**
 * The top-level keys of each document, read leniently from the text rather than parsed: a file
 * cut short is rarely valid YAML or JSON any more, and this must still see what it was.
 */
function topLevelShapes(text: string): DocumentShape[] {
  const body = text.replace(/^\uFEFF/, '');
  const first = /^(?:[ \t\r\n]|#[^\n]*)*/.exec(body)![0].length;
  // A JSON array (task data) is no manifest, however its items look.
  if (body[first] === '[') return [];
  return body[first] === '{' ? [scanFlow(body, first)] : scanBlock(body);
}

const BLOCK_KEY = /^(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z_$][\w$.-]*))[ \t]*:(?=[ \t\r]|$)/;

function scanBlock(text: string): DocumentShape[] {
  const docs: DocumentShape[] = [{ entries: [], other: false }];
  let current: TopLevelEntry | undefined;
  let childIndent: number | undefined;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const lineStart = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const marker = /^(---|\.\.\.)(?=[ \t]|$)/.exec(line);
    if (marker) {
      docs.push({ entries: [], other: !/^[ \t]*(#.*)?$/.test(line.slice(3)) });
      current = undefined;
      continue;
    }
    if (/^[ \t]*(#.*)?$/.test(line) || line.startsWith('%')) continue;
    const doc = docs.at(-1)!;
    const indent = /^[ \t]*/.exec(line)![0].length;
    if (indent > 0) {
      if (!current) {
        doc.other = true;
        continue;
      }
      childIndent ??= indent;
      const child = indent === childIndent ? BLOCK_KEY.exec(line.slice(indent)) : null;
      if (child) current.childKeys.push(child[1] ?? child[2] ?? child[3]!);
      continue;
    }
    const m = BLOCK_KEY.exec(line);
    if (!m) {
      doc.other = true;
      current = undefined;
      continue;
    }
    const rest = line.slice(m[0].length);
    const valueIndex = lineStart + m[0].length + /^[ \t]*["']?/.exec(rest)![0].length;
    current = { key: m[1] ?? m[2] ?? m[3]!, index: lineStart, valueIndex, childKeys: [] };
    childIndent = undefined;
    const value = rest.replace(/(^|[ \t]+)#.*$/, '').trim();
    const scalar = /^(?:"([^"]*)"|'([^']*)'|([^\s{[|>&*!"'][^#]*))$/.exec(value);
    if (scalar) current.scalar = (scalar[1] ?? scalar[2] ?? scalar[3]!).trim();
    if (value.startsWith('{'))
      for (const k of value.matchAll(/[{,][ \t]*["']?([\w$.-]+)["']?[ \t]*:/g)) current.childKeys.push(k[1]!);
    doc.entries.push(current);
  }
  return docs.filter((d) => d.entries.length > 0 || d.other);
}

/** A JSON (or YAML flow) document: the keys at depth 1, and the keys of the objects they hold. */
function scanFlow(text: string, start: number): DocumentShape {
  const doc: DocumentShape = { entries: [], other: false };
  const stack: string[] = [];
  let current: TopLevelEntry | undefined;
  let pending: Token | undefined; // a string or word that is a key if a ":" follows
  let afterColon = false;
  let i = start;
  const token = (t: Token): void => {
    if (!afterColon) {
      pending = t;
      return;
    }
    afterColon = false;
    if (stack.length === 1 && current && current.scalar === undefined) {
      current.scalar = t.text;
      current.valueIndex = t.index + (t.quoted ? 1 : 0);
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      // Escapes are kept as written: only keys and kind names are compared.
      token({ text: text.slice(i + 1, j), index: i, quoted: true });
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length === 0 && c === '[') doc.other = true;
      if (afterColon && stack.length === 1 && current) current.valueIndex = i;
      stack.push(c);
      afterColon = false;
      pending = undefined;
    } else if (c === '}' || c === ']') {
      stack.pop();
      if (stack.length === 0) break;
    } else if (c === ':') {
      if (pending && stack.at(-1) === '{') {
        if (stack.length === 1) {
          current = { key: pending.text, index: pending.index, valueIndex: i + 1, childKeys: [] };
          doc.entries.push(current);
        } else if (stack.length === 2 && current) {
          current.childKeys.push(pending.text);
        }
        afterColon = true;
      }
      pending = undefined;
    } else if (c !== ',' && c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') {
      WORD.lastIndex = i;
      const word = WORD.exec(text)?.[0] ?? c;
      token({ text: word, index: i, quoted: false });
      i += word.length;
      continue;
    }
    i++;
  }
  return doc;
}

/** A plain word of flow YAML, or a JSON number or literal; a ":" inside (a URL) does not end it. */
const WORD = /[^\s{}[\],:"']+(?::[^\s{}[\],"']+)*/y;

interface Token {
  readonly text: string;
  readonly index: number;
  readonly quoted: boolean;
}

const topLevelKeys = new Map<string, Set<string>>();

/** The top-level keys any kind's manifest may have, from the kinds' schemas (`$schema`, kind, metadata, spec, import, tasks, ...). */
function manifestTopLevelKeys(schemas: readonly string[]): Set<string> {
  const key = schemas.join('\n');
  let keys = topLevelKeys.get(key);
  if (!keys) {
    keys = new Set(
      schemas.flatMap((schema) => Object.keys((loadSchema(schema) as { properties?: object }).properties ?? {})),
    );
    topLevelKeys.set(key, keys);
  }
  return keys;
}

export function lineCol(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: index - start + 1 };
}
