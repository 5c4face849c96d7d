import { SaxesParser } from 'saxes';

/** One element of a label config, with where its start tag begins in the XML text (1-based). */
export interface XmlElement {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly line: number;
  readonly col: number;
  readonly children: XmlElement[];
}

export interface XmlProblem {
  readonly code: string;
  readonly message: string;
  readonly line: number;
  readonly col: number;
}

export type XmlParseResult =
  { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly problem: XmlProblem };

/** Label configs are a few KB; a megabyte of XML is a mistake. */
export const MAX_LABEL_CONFIG_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;

/**
 * Parses label-config XML strictly (well-formedness, one root) with element positions.
 * DTDs are refused outright, so no entity can be declared or expanded: "billion laughs" and
 * external entities never get a chance. Only XML's five predefined entities and character
 * references are accepted — what Label Studio's defusedxml parser (`forbid_dtd=True`) allows.
 * An XML declaration with an encoding is refused too: Label Studio answers a 500 to it.
 */
export function parseLabelConfigXml(xml: string): XmlParseResult {
  if (Buffer.byteLength(xml, 'utf8') > MAX_LABEL_CONFIG_BYTES) {
    return fail('xml-too-large', `label config is over ${MAX_LABEL_CONFIG_BYTES / 1024} KiB`, 1, 1);
  }
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let problem: XmlProblem | undefined;
  let tagLine = 1;
  let tagCol = 1;
  const stop = (code: string, message: string, line = parser.line, col = Math.max(1, parser.column)) => {
    problem ??= { code, message, line, col };
  };

  // saxes reports a DOCTYPE once it has read all of it: point at where it starts instead.
  parser.on('doctype', () => {
    const start = positionOf(xml, xml.lastIndexOf('<!DOCTYPE', parser.position));
    stop(
      'xml-doctype',
      'a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)',
      start?.line,
      start?.col,
    );
  });
  parser.on('xmldecl', (decl) => {
    // Label Studio stores `<?xml version="1.0"?>` as it is, but answers a 500 to an encoding.
    if (decl.encoding !== undefined) {
      stop(
        'xml-declaration',
        `remove encoding="${decl.encoding}" from the <?xml ...?> declaration: Label Studio fails with a 500 on an encoding declaration`,
        1,
        1,
      );
    }
  });
  parser.on('processinginstruction', (pi) =>
    stop('xml-processing-instruction', `processing instruction <?${pi.target} ...?> is not allowed`),
  );
  parser.on('opentagstart', (tag) => {
    tagLine = parser.line;
    tagCol = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = {
      tag: tag.name,
      attrs: Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, String(v)])),
      line: tagLine,
      col: tagCol,
      children: [],
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root ??= el;
    stack.push(el);
    if (stack.length > MAX_DEPTH) stop('xml-too-deep', `elements nest deeper than ${MAX_DEPTH} levels`);
  });
  // saxes closes the elements a mismatched end tag skips over, then reports the mismatch at the
  // same position: remember what it closed so the message can name the unclosed element.
  let lastClosed: { el: XmlElement; line: number; col: number } | undefined;
  parser.on('closetag', () => {
    const el = stack.pop();
    if (el) lastClosed = { el, line: parser.line, col: parser.column };
  });
  // An end tag that matches no open element makes saxes pop (and blame) every open element first.
  let blamedAtPosition: number | undefined;
  parser.on('error', (err) => {
    const message = err.message.replace(/^\d+:\d+: /, '');
    const open = stack[stack.length - 1];
    const skipped =
      lastClosed && lastClosed.line === parser.line && lastClosed.col === parser.column ? lastClosed.el : undefined;
    const unmatched = /^unmatched closing tag: (.*?)\.?$/.exec(message);
    if (unmatched && (problem === undefined || blamedAtPosition === parser.position)) {
      const start = positionOf(xml, xml.lastIndexOf('</', parser.position - 1));
      problem = {
        code: 'xml-syntax',
        message: `XML is not well-formed: </${unmatched[1]}> does not close any open element`,
        line: start?.line ?? parser.line,
        col: start?.col ?? parser.column,
      };
    } else if (skipped && /^unexpected close tag/.test(message)) {
      if (problem === undefined) blamedAtPosition = parser.position;
      stop(
        'xml-syntax',
        `XML is not well-formed: ${describeOpen(skipped)} is never closed (a later end tag closes its parent)`,
        skipped.line,
        skipped.col,
      );
    } else if (open && /^unclosed tag/.test(message)) {
      stop('xml-syntax', `XML is not well-formed: ${describeOpen(open)} is never closed`, open.line, open.col);
    } else {
      stop('xml-syntax', `XML is not well-formed: ${message}`);
    }
  });

  try {
    parser.write(xml);
    if (!problem) parser.close();
  } catch (err) {
    stop('xml-syntax', `XML is not well-formed: ${(err as Error).message.replace(/^\d+:\d+: /, '')}`);
  }
  if (problem) return { ok: false, problem };
  if (!root) return fail('xml-empty', 'label config has no root element', 1, 1);
  return { ok: true, root };
}

function fail(code: string, message: string, line: number, col: number): XmlParseResult {
  return { ok: false, problem: { code, message, line, col } };
}

/** 1-based line and column of a character offset (undefined when not found). */
function positionOf(text: string, offset: number): { line: number; col: number } | undefined {
  if (offset < 0) return undefined;
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, col: offset - lineStart + 1 };
}

function describeOpen(el: XmlElement): string {
  const attr =
    el.attrs.name !== undefined
      ? ` name="${el.attrs.name}"`
      : el.attrs.value !== undefined
        ? ` value="${el.attrs.value}"`
        : '';
  return `<${el.tag}${attr}>`;
}

/** Depth-first walk of an element and its descendants. */
export function* walkElements(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walkElements(c);
}

/** `<Choices name="sentiment">`: how messages name an element. */
export function describeElement(el: XmlElement): string {
  return el.attrs.name !== undefined ? `<${el.tag} name="${el.attrs.name}">` : `<${el.tag}>`;
}
