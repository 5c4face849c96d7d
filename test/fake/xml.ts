/**
 * A small XML parser for label configs that fails the way Label Studio's two parsers do. The
 * server parses a config twice, with different libraries, and their messages reach the client:
 * Python's expat (defusedxml, on create and `/api/projects/validate/`: `mismatched tag: line 1,
 * column 34`, 0-based columns) and libxml2 (lxml, in the PATCH and per-project validate
 * pre-checks: `Opening and ending tag mismatch: Text line 1 and View, line 1, column 40
 * (<string>, line 1)`, 1-based columns, usually one step further on). Both messages are produced
 * from one pass. Covers what configs get wrong in practice, not the whole XML spec.
 */

export interface XmlNode {
  readonly tag: string;
  /** Attributes in document order. */
  readonly attrs: ReadonlyArray<readonly [string, string]>;
  readonly attr: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  readonly parent: XmlNode | undefined;
  readonly line: number;
}

export interface XmlDoctype {
  readonly name: string;
  readonly systemId: string | null;
  readonly publicId: string | null;
}

export interface XmlParseResult {
  readonly root: XmlNode | undefined;
  readonly doctype: XmlDoctype | undefined;
  /** `<?xml ... encoding="..."?>`: lxml refuses it for str input (a 500 on the server). */
  readonly encodingDeclared: boolean;
  /** Message as expat words it, if expat would fail. */
  readonly expatError: string | undefined;
  /** Message as lxml words it, if lxml would fail. */
  readonly lxmlError: string | undefined;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const WS = /[ \t\r\n]/;

export function parseXml(text: string): XmlParseResult {
  const s = text;
  let i = 0;
  let expatError: string | undefined;
  let lxmlError: string | undefined;
  let doctype: XmlDoctype | undefined;
  let encodingDeclared = false;
  const declaredEntities = new Set<string>();
  let root: XmlNode | undefined;

  // Newline offsets, found once: every element asks for its line, and a scan from the start each
  // time made a 10,000-label config take minutes.
  const newlines: number[] = [];
  for (let k = 0; k < s.length; k++) if (s[k] === '\n') newlines.push(k);
  const lineCol = (pos: number): [number, number] => {
    const end = Math.min(pos, s.length);
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < end) lo = mid + 1;
      else hi = mid;
    }
    return [lo + 1, pos - (lo > 0 ? newlines[lo - 1]! : -1) - 1];
  };
  const expat = (msg: string, pos: number) => {
    if (expatError) return;
    const [l, c] = lineCol(pos);
    expatError = `${msg}: line ${l}, column ${c}`;
  };
  const lxml = (msg: string, pos: number) => {
    if (lxmlError) return;
    const [l, c] = lineCol(pos);
    lxmlError = `${msg}, line ${l}, column ${c + 1} (<string>, line ${l})`;
  };
  const done = () => expatError !== undefined && lxmlError !== undefined;
  const skipWs = () => {
    while (i < s.length && WS.test(s[i]!)) i++;
  };
  const readName = (): string => {
    const start = i;
    if (i < s.length && NAME_START.test(s[i]!)) {
      i++;
      while (i < s.length && NAME_CHAR.test(s[i]!)) i++;
    }
    return s.slice(start, i);
  };
  /** Reads `&...;` at s[i] === '&'; false (both errors set) when it is broken. */
  const readReference = (): boolean => {
    const amp = i;
    i++;
    if (s[i] === '#') {
      const m = /^#(x[0-9a-fA-F]+|[0-9]+);/.exec(s.slice(i, i + 12));
      if (!m) {
        expat('not well-formed (invalid token)', amp);
        lxml('CharRef: invalid decimal value', i + 1);
        return false;
      }
      i += m[0].length;
      return true;
    }
    const name = readName();
    if (!name) {
      expat('not well-formed (invalid token)', amp);
      lxml('xmlParseEntityRef: no name', i);
      return false;
    }
    if (s[i] !== ';') {
      expat('not well-formed (invalid token)', i);
      lxml("EntityRef: expecting ';'", i);
      return false;
    }
    i++;
    if (!(name in PREDEFINED) && !declaredEntities.has(name)) {
      expat('undefined entity', amp);
      lxml(`Entity '${name}' not defined`, i);
      return false;
    }
    return true;
  };
  /** Comment, PI or CDATA at s[i] === '<'; false when unterminated. */
  const skipSpecial = (open: string, close: string, lxmlMsg: string): boolean => {
    const start = i;
    const end = s.indexOf(close, i + open.length);
    if (end < 0) {
      expat('unclosed token', start);
      lxml(lxmlMsg, s.length);
      return false;
    }
    i = end + close.length;
    return true;
  };
  const readDoctype = (): boolean => {
    const start = i;
    i += '<!DOCTYPE'.length;
    skipWs();
    const name = readName();
    skipWs();
    let systemId: string | null = null;
    let publicId: string | null = null;
    const literal = (): string | null => {
      const q = s[i];
      if (q !== '"' && q !== "'") return null;
      const end = s.indexOf(q, i + 1);
      if (end < 0) return null;
      const v = s.slice(i + 1, end);
      i = end + 1;
      skipWs();
      return v;
    };
    if (s.startsWith('SYSTEM', i)) {
      i += 6;
      skipWs();
      systemId = literal();
    } else if (s.startsWith('PUBLIC', i)) {
      i += 6;
      skipWs();
      publicId = literal();
      systemId = literal();
    }
    if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) {
        expat('unclosed token', start);
        lxml('xmlParseInternalSubset: error detected in Markup declaration', s.length);
        return false;
      }
      for (const m of s.slice(i, end).matchAll(/<!ENTITY\s+([^\s%]+)\s/g)) declaredEntities.add(m[1]!);
      i = end + 1;
      skipWs();
    }
    if (s[i] !== '>') {
      expat('unclosed token', start);
      lxml('DOCTYPE improperly terminated', i);
      return false;
    }
    i++;
    doctype = { name, systemId, publicId };
    return true;
  };

  // The XML declaration, only at the very start.
  if (/^<\?xml[ \t\r\n]/.test(s)) {
    const end = s.indexOf('?>');
    if (end < 0) {
      expat('unclosed token', 0);
      lxml('parsing XML declaration: ?> expected', s.length);
    } else {
      encodingDeclared = /\sencoding\s*=/.test(s.slice(0, end));
      i = end + 2;
    }
  }

  // Prolog: whitespace, comments, PIs, one DOCTYPE.
  while (!done() && i < s.length) {
    skipWs();
    if (i >= s.length) break;
    if (s.startsWith('<!--', i)) {
      if (!skipSpecial('<!--', '-->', 'Comment not terminated')) break;
    } else if (s.startsWith('<?xml', i) && WS.test(s[i + 5] ?? '')) {
      expat('XML or text declaration not at start of entity', i);
      lxml('XML declaration allowed only at the start of the document', i + 5);
      break;
    } else if (s.startsWith('<?', i)) {
      if (!skipSpecial('<?', '?>', 'ParsePI: PI xml space expected')) break;
    } else if (s.startsWith('<!DOCTYPE', i) && !doctype) {
      if (!readDoctype()) break;
    } else if (s[i] === '<') {
      break;
    } else {
      expat('syntax error', i);
      lxml("Start tag expected, '<' not found", i);
      break;
    }
  }
  if (!done() && i >= s.length) {
    expat('no element found', s.length);
    lxml('Document is empty', s.length);
  }

  // The root element and its content.
  const stack: Array<{ node: XmlNode; start: number }> = [];
  const parseStartTag = (): boolean => {
    const start = i;
    i++;
    const tag = readName();
    if (!tag) {
      expat('not well-formed (invalid token)', start + 1);
      lxml('StartTag: invalid element name', start + 1);
      return false;
    }
    const attrs: Array<[string, string]> = [];
    const attr: Record<string, string> = {};
    let duplicate = false;
    for (;;) {
      const beforeWs = i;
      skipWs();
      if (i >= s.length) {
        expat('unclosed token', start);
        lxml(`Couldn't find end of Start Tag ${tag} line ${lineCol(start)[0]}`, s.length);
        return false;
      }
      if (s[i] === '>' || s.startsWith('/>', i)) break;
      if (i === beforeWs) {
        expat('not well-formed (invalid token)', i);
        lxml('attributes construct error', i);
        return false;
      }
      const namePos = i;
      const name = readName();
      if (!name) {
        expat('not well-formed (invalid token)', i);
        lxml('attributes construct error', i);
        return false;
      }
      skipWs();
      if (s[i] !== '=') {
        expat('not well-formed (invalid token)', i);
        lxml(`Specification mandates value for attribute ${name}`, i);
        return false;
      }
      i++;
      skipWs();
      const q = s[i];
      if (q !== '"' && q !== "'") {
        expat('not well-formed (invalid token)', i);
        lxml(`AttValue: " or ' expected`, i);
        return false;
      }
      i++;
      let value = '';
      for (;;) {
        if (i >= s.length) {
          expat('unclosed token', start);
          lxml(`AttValue: ${q} expected`, s.length);
          return false;
        }
        const ch = s[i]!;
        if (ch === q) {
          i++;
          break;
        }
        if (ch === '<') {
          expat('not well-formed (invalid token)', i);
          lxml("Unescaped '<' not allowed in attributes values", i);
          return false;
        }
        if (ch === '&') {
          const refStart = i;
          if (!readReference()) return false;
          value += decodeReference(s.slice(refStart, i));
          continue;
        }
        value += /[\t\n\r]/.test(ch) ? ' ' : ch;
        i++;
      }
      if (name in attr) {
        if (!duplicate) expat('duplicate attribute', namePos);
        duplicate = true;
        continue;
      }
      attrs.push([name, value]);
      attr[name] = value;
    }
    if (duplicate) {
      lxml('Attribute name redefined', i);
      return false;
    }
    const parent = stack[stack.length - 1]?.node;
    const node: XmlNode = { tag, attrs, attr, children: [], parent, line: lineCol(start)[0] };
    if (parent) parent.children.push(node);
    else root = node;
    if (s.startsWith('/>', i)) {
      i += 2;
    } else {
      i++;
      stack.push({ node, start });
    }
    return true;
  };
  const parseEndTag = (): boolean => {
    const start = i;
    i += 2;
    const namePos = i;
    const name = readName();
    skipWs();
    if (s[i] !== '>') {
      expat(i >= s.length ? 'unclosed token' : 'not well-formed (invalid token)', i >= s.length ? start : i);
      lxml(`expected '>'`, i);
      return false;
    }
    i++;
    const open = stack[stack.length - 1]!;
    if (name !== open.node.tag) {
      expat('mismatched tag', namePos);
      lxml(`Opening and ending tag mismatch: ${open.node.tag} line ${open.node.line} and ${name}`, i);
      return false;
    }
    stack.pop();
    return true;
  };

  if (!done() && i < s.length) {
    if (parseStartTag()) {
      // Content until the root closes.
      while (!done() && stack.length > 0) {
        if (i >= s.length) {
          const open = stack[stack.length - 1]!.node;
          expat('no element found', s.length);
          lxml(`Premature end of data in tag ${open.tag} line ${open.line}`, s.length);
          break;
        }
        const ch = s[i]!;
        if (ch === '<') {
          if (s.startsWith('</', i)) {
            if (!parseEndTag()) break;
          } else if (s.startsWith('<!--', i)) {
            if (!skipSpecial('<!--', '-->', 'Comment not terminated')) break;
          } else if (s.startsWith('<![CDATA[', i)) {
            if (!skipSpecial('<![CDATA[', ']]>', 'CData section not finished')) break;
          } else if (s.startsWith('<?', i)) {
            if (!skipSpecial('<?', '?>', 'ParsePI: PI xml space expected')) break;
          } else if (!parseStartTag()) {
            break;
          }
        } else if (ch === '&') {
          if (!readReference()) break;
        } else {
          const code = ch.charCodeAt(0);
          if (code < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r') {
            expat('not well-formed (invalid token)', i);
            lxml(`PCDATA invalid Char value ${code}`, i);
            break;
          }
          i++;
        }
      }
      // Misc after the root: whitespace, comments and PIs only.
      while (!done() && stack.length === 0 && i < s.length) {
        skipWs();
        if (i >= s.length) break;
        if (s.startsWith('<!--', i)) {
          if (!skipSpecial('<!--', '-->', 'Comment not terminated')) break;
        } else if (s.startsWith('<?', i) && !s.startsWith('<?xml', i)) {
          if (!skipSpecial('<?', '?>', 'ParsePI: PI xml space expected')) break;
        } else {
          expat('junk after document element', i);
          lxml('Extra content at the end of the document', i);
          break;
        }
      }
    }
  }
  return { root: expatError && lxmlError ? undefined : root, doctype, encodingDeclared, expatError, lxmlError };
}

function decodeReference(ref: string): string {
  const body = ref.slice(1, -1);
  if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
  if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
  return PREDEFINED[body] ?? '';
}
