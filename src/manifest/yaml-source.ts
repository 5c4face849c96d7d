import {
  CST,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  parseAllDocuments,
  visit,
  type Alias,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { diag, type Diagnostic } from '../util/diagnostics.ts';

/** One YAML (or JSON) document of a manifest file, with a way back from JSON pointers to lines. */
export interface SourceDocument {
  readonly file: string;
  /** 0-based index of the document in a multi-document file. */
  readonly index: number;
  readonly value: unknown;
  /** Line/column of the value (or, with `key`, of the mapping key) at `pointer`. */
  locate(pointer: string, opts?: { key?: boolean }): { line: number; col: number };
  /** Where a string scalar's content begins, and how it is written (for XML inside YAML). */
  scalarInfo(pointer: string): ScalarInfo | undefined;
}

export interface ScalarInfo {
  readonly line: number;
  readonly col: number;
  readonly block: boolean;
  readonly indent: number;
  /**
   * For a quoted or plain scalar: maps a line/column inside its value to the file position.
   * Escapes (`\"` in JSON and double-quoted YAML, `''` in single quotes) make the two differ;
   * a flow scalar folded over several source lines maps every position to its start.
   */
  readonly positionAt?: (line: number, col: number) => { line: number; col: number };
}

export interface ParsedSource {
  readonly documents: SourceDocument[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Deeper nesting than any manifest needs. The YAML composer recurses once per level: a 2 MB file
 * of `[` took 13 s and 1.8 GB and ended in 788 errors, so nesting is measured before parsing.
 */
export const MAX_NESTING = 64;

/** YAML aliases may not expand into more nodes than this ("billion laughs" in YAML form). */
const MAX_ALIAS_COUNT = 100;

/** Aliases (and, apart, anchors) one document may hold: yaml resolves each alias by a scan of all of them. */
const MAX_ALIASES = 1000;

export function parseYamlSource(text: string, file: string): ParsedSource {
  const tooDeep = findExcessiveNesting(text, MAX_NESTING);
  if (tooDeep !== undefined) {
    return {
      documents: [],
      diagnostics: [
        diag(
          'too-deep',
          `nesting is deeper than ${MAX_NESTING} levels here; no manifest needs that many, so this file is not read further`,
          { file, ...lineColAt(text, tooDeep) },
        ),
      ],
    };
  }
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const parsed = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  const pos = linePosOf(lineCounter);
  for (const doc of docs) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      const at = pos(e.pos[0]);
      diagnostics.push(
        diag(
          e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
          yamlMessage(e.code, e.message),
          { file, ...at },
          doc.errors.includes(e) ? 'error' : 'warning',
        ),
      );
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { documents: [], diagnostics };

  const documents: SourceDocument[] = [];
  const mayHoldAliases = text.includes('&') || text.includes('*');
  docs.forEach((doc, index) => {
    // An empty document (a trailing `---`, or two in a row) parses as an empty null scalar.
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null && !contents.source)) return;
    // An anchor is written with `&`, an alias with `*`: a text without either has neither.
    const aliases = mayHoldAliases ? checkAliases(doc) : undefined;
    if (aliases?.unknown) {
      const unknownAlias = aliases.unknown;
      diagnostics.push(
        diag(
          'yaml-unknown-alias',
          `unknown alias *${unknownAlias.source}: no anchor &${unknownAlias.source} is set before it in this document`,
          { file, ...pos(unknownAlias.range?.[0] ?? doc.range[0]) },
        ),
      );
      return;
    }
    if (aliases?.tooMany) {
      const { node, what } = aliases.tooMany;
      diagnostics.push(
        diag(
          'yaml-aliases',
          `YAML aliases expand too far: more than ${MAX_ALIASES} ${what} in this document; no manifest needs that many`,
          { file, ...pos(node.range?.[0] ?? doc.range[0]) },
        ),
      );
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      diagnostics.push(
        diag('yaml-aliases', `YAML aliases expand too far: ${(err as Error).message}`, {
          file,
          ...pos(doc.range[0]),
        }),
      );
      return;
    }
    documents.push(sourceDocument(text, file, index, value, doc, pos));
  });
  if (documents.length === 0 && diagnostics.length === 0) {
    diagnostics.push(diag('empty-file', 'manifest has no YAML documents', { file, line: 1, col: 1 }));
  }
  return { documents, diagnostics };
}

/** The options every manifest is parsed with (again the same when its syntax tree is needed later). */
const PARSE_OPTIONS = {
  uniqueKeys: true,
  prettyErrors: false,
  strict: true,
  keepSourceTokens: false,
} as const;

/**
 * A document that keeps its value and its file's text, not its syntax tree: 10,000 trees held
 * ~63 MB. The positions that loading and
 * planning ask of every document are kept (where it starts, where its name is); any other is found in the tree parsed again
 * from the text (the same text and options give the same tree), once per document, on first use
 * (a message or an inline label config's position mapping, rarely needed when all is well).
 */
function sourceDocument(
  text: string,
  file: string,
  index: number,
  value: unknown,
  parsed: Document.Parsed,
  parsedPos: (offset: number) => { line: number; col: number },
): SourceDocument {
  const start = findIn(parsed, parsedPos, '', false);
  const name = findIn(parsed, parsedPos, '/metadata/name', false);
  let tree: { doc: Document.Parsed; pos: (offset: number) => { line: number; col: number } } | undefined;
  const syntaxTree = () => {
    if (!tree) {
      const lineCounter = new LineCounter();
      const all = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
      const doc = (Array.isArray(all) ? all : [])[index];
      if (!doc) throw new Error(`internal: document ${index} of ${file} did not parse again`);
      tree = { doc, pos: linePosOf(lineCounter) };
    }
    return tree;
  };
  return {
    file,
    index,
    value,
    locate: (pointer, opts) => {
      const key = opts?.key ?? false;
      if (!key && pointer === '') return { ...start };
      if (!key && pointer === '/metadata/name') return { ...name };
      const { doc, pos } = syntaxTree();
      return findIn(doc, pos, pointer, key);
    },
    scalarInfo: (pointer) => {
      const { doc, pos } = syntaxTree();
      const node = findNode(doc.contents, pointerSegments(pointer), false);
      if (!node || !isScalar(node) || !node.range) return undefined;
      const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
      const begin = pos(node.range[0]);
      if (!block) {
        const offsets = flowScalarOffsets(text.slice(node.range[0], node.range[1]), node.type, String(node.value));
        const contentStart = { ...begin, col: begin.col + (node.type === 'PLAIN' ? 0 : 1) };
        const positionAt = (line: number, col: number) => {
          if (!offsets) return contentStart;
          const unit = indexOfLineCol(String(node.value), line, col);
          return pos(node.range![0] + (offsets[Math.min(unit, offsets.length - 1)] ?? 0));
        };
        return { ...contentStart, block, indent: 0, positionAt };
      }
      // A block scalar's content starts on the line after its header; its indentation is that
      // of its first non-blank line.
      const contentLine = begin.line + 1;
      const lines = text.split('\n');
      const lineText = lines.slice(contentLine - 1).find((l) => l.trim() !== '') ?? '';
      const indent = lineText.length - lineText.trimStart().length;
      return { line: contentLine, col: indent + 1, block, indent };
    },
  };
}

function linePosOf(lineCounter: LineCounter): (offset: number) => { line: number; col: number } {
  return (offset) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
}

/** Line/column of the node (or mapping key) at `pointer`, or of the deepest node on its way. */
function findIn(
  doc: Document.Parsed,
  pos: (offset: number) => { line: number; col: number },
  pointer: string,
  key: boolean,
): { line: number; col: number } {
  const node = findNode(doc.contents, pointerSegments(pointer), key);
  return pos(node?.range?.[0] ?? doc.range[0]);
}

/**
 * The first alias (`*name`) with no anchor set before it (toJS would fail on it with a message
 * about expansion), or the first alias or anchor past MAX_ALIASES. One walk of the document in
 * order, recording anchors as they are met (a node's anchor before its contents, as yaml's own
 * `Alias.resolve` sees it); calling `resolve` per alias walked the whole document each time
 * (20,000 aliases: 53 s). toJS's own resolution scans every anchor and alias before each alias,
 * and MAX_ALIAS_COUNT bounds the uses of one anchor only: 400 anchors used 50 times each took 10 s.
 */
function checkAliases(
  doc: Document.Parsed,
): { unknown?: Alias; tooMany?: { node: YamlNode; what: string } } | undefined {
  const anchors = new Set<string>();
  let anchorCount = 0;
  let aliasCount = 0;
  let result: { unknown?: Alias; tooMany?: { node: YamlNode; what: string } } | undefined;
  visit(doc, {
    Node: (_, node) => {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) {
          result = { unknown: node };
          return visit.BREAK;
        }
        if (++aliasCount > MAX_ALIASES) {
          result = { tooMany: { node, what: 'aliases' } };
          return visit.BREAK;
        }
        return undefined;
      }
      if (node.anchor) {
        anchors.add(node.anchor);
        if (++anchorCount > MAX_ALIASES) {
          result = { tooMany: { node, what: 'anchors' } };
          return visit.BREAK;
        }
      }
      return undefined;
    },
  });
  return result;
}

/**
 * The offset of the first token nested deeper than `max`, or undefined. Read from the YAML lexer
 * (linear, no recursion), so quoted and block scalars and comments never count; stops at the
 * first excess. Block nesting is estimated from the indentation levels open on a line plus the
 * `-` / `?` indicators on it, flow nesting counted exactly; the estimate is within a factor of two
 * of the real depth, far below where the composer's recursion becomes a problem.
 */
function findExcessiveNesting(text: string, max: number): number | undefined {
  // Fewer characters than levels: nothing to measure.
  if (text.length <= max) return undefined;
  if (nestingBound(text) <= max) return undefined;
  const indents: number[] = [];
  let flow = 0;
  let indicators = 0;
  let lineStart = true;
  let indent = 0;
  let offset = 0;
  let scalarNext = false;
  let previous: string | null = null;
  for (const token of new Lexer().lex(text)) {
    if (token.length === 1 && token < '\x20' && token !== '\t' && token !== '\n') {
      // Lexer control tokens (document, flow end, scalar marker) stand for no source text.
      if (token === '\x1f') scalarNext = true;
      continue;
    }
    const at = offset;
    offset += token.length;
    const type = scalarNext ? 'scalar' : CST.tokenType(token);
    scalarNext = false;
    if (type === 'scalar' && previous === 'block-scalar-header') {
      // A block scalar's body (XML, say) with every line of it, up to its last newline.
      previous = type;
      lineStart = true;
      indent = 0;
      indicators = 0;
      continue;
    }
    previous = type;
    if (type === 'newline') {
      lineStart = true;
      indent = 0;
      indicators = 0;
      continue;
    }
    if (type === 'space' || type === 'comment') {
      if (type === 'space' && lineStart) indent = token.length;
      continue;
    }
    if (type === 'doc-start' || type === 'doc-end') {
      indents.length = 0;
      flow = 0;
      continue;
    }
    if (lineStart && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    lineStart = false;
    if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
    else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    else if (type === 'seq-item-ind' || type === 'explicit-key-ind') indicators++;
    if (indents.length + indicators + flow > max) return at;
  }
  return undefined;
}

/**
 * An upper bound of what findExcessiveNesting measures, from characters alone (one pass, no
 * lexer): its indentation levels are distinct widths of leading blanks on a line (so at most the
 * widest plus one), its `-` / `?` indicators and its flow brackets are each one such character.
 * Manifests are far below MAX_NESTING by this bound, and are then not lexed a second time.
 */
function nestingBound(text: string): number {
  let widest = 0;
  let blanks = 0;
  let atLineStart = true;
  let marks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      atLineStart = true;
      blanks = 0;
      continue;
    }
    // A carriage return among leading blanks counts as one: a bound may only be too high.
    if (atLineStart && (c === 0x20 || c === 0x09 || c === 0x0d)) {
      if (++blanks > widest) widest = blanks;
      continue;
    }
    atLineStart = false;
    // - ? [ {
    if (c === 0x2d || c === 0x3f || c === 0x5b || c === 0x7b) marks++;
  }
  return widest + 1 + marks;
}

function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Walks the YAML AST along a JSON pointer; stops at the deepest node that exists. */
function findNode(root: YamlNode | null, segments: string[], wantKey: boolean): YamlNode | undefined {
  let node: YamlNode | undefined = root ?? undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return node;
      if (last && wantKey) return pair.key as YamlNode;
      node = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (!item) return node;
      node = item as YamlNode;
    } else {
      return node;
    }
  }
  return node;
}

/**
 * For each UTF-16 unit of a one-line flow scalar's value, its offset in the scalar's source
 * (`source` includes the quotes). Undefined when the scalar spans lines (folding) or the
 * mapping does not add up.
 */
function flowScalarOffsets(source: string, type: string | undefined, value: string): number[] | undefined {
  if (/[\r\n]/.test(source)) return undefined;
  const offsets: number[] = [];
  if (type === 'QUOTE_DOUBLE') {
    for (let i = 1; i < source.length - 1;) {
      if (source[i] !== '\\') {
        offsets.push(i++);
        continue;
      }
      const kind = source[i + 1];
      const length = kind === 'x' ? 4 : kind === 'u' ? 6 : kind === 'U' ? 10 : 2;
      const codePoint = kind === 'U' ? Number.parseInt(source.slice(i + 2, i + 10), 16) : 0;
      const units = codePoint > 0xffff && codePoint <= 0x10ffff ? 2 : 1; // astral: a surrogate pair
      for (let k = 0; k < units; k++) offsets.push(i);
      i += length;
    }
  } else if (type === 'QUOTE_SINGLE') {
    for (let i = 1; i < source.length - 1; i++) {
      offsets.push(i);
      if (source[i] === "'") i++; // '' writes one quote
    }
  } else {
    for (let i = 0; i < value.length; i++) offsets.push(i);
  }
  return offsets.length === value.length ? offsets : undefined;
}

/** Index in `text` of a 1-based line and column. */
function indexOfLineCol(text: string, line: number, col: number): number {
  let index = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', index);
    if (nl < 0) break;
    index = nl + 1;
  }
  return index + col - 1;
}

function yamlMessage(code: string, message: string): string {
  // The yaml library appends a source excerpt and position; the diagnostic carries both already.
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return `duplicate key in a YAML mapping: ${first}`;
  return `YAML syntax error: ${first}`;
}
