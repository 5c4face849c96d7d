import type { SourceDocument } from '../../manifest/yaml-source.ts';
import {
  describeUrlCredential,
  LINK,
  linkEnd,
  literalUrlCredentials,
  type UrlCredential,
} from '../../util/credentials.ts';
import { valueAt } from './url-credentials.ts';
import { diag, type Diagnostic } from '../../util/diagnostics.ts';

/**
 * The links in a text (`http(s)://…`, as `maskUrlsInText` finds them: punctuation after a link in
 * prose is not part of it), each with its offset into the text.
 */
export function linksInText(text: string): Array<{ readonly link: string; readonly at: number }> {
  if (!text.includes('://')) return [];
  const out: Array<{ link: string; at: number }> = [];
  for (const m of text.matchAll(LINK)) {
    const link = m[0];
    const end = linkEnd(link);
    out.push({ link: link.slice(0, end), at: m.index });
  }
  return out;
}

/** The credentials written in clear in the links of a text (a description, a label config), with their offsets into the text. */
export function literalTextCredentials(
  text: string,
): Array<{ readonly credential: UrlCredential; readonly offset: number }> {
  return linksInText(text).flatMap(({ link, at }) =>
    literalUrlCredentials(link).map((credential) => ({ credential, offset: at + credential.secretStart })),
  );
}

/**
 * A project text (a description or instruction linking a URL, a label config's `value="https://…"`)
 * holding a credential written in git: one `secret-literal` error per credential, at its line and
 * column, worded as `urlCredentialErrors` words it. `at` maps a line and column inside the text
 * to the file's. A credential from `${env:...}` is fine (the text is read before interpolation).
 */
export function textCredentialErrors(
  text: string,
  field: string,
  file: string,
  pointer: string | undefined,
  at: (line: number, col: number) => { line: number; col: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  // Line starts once (a text with many links is read once, not once per credential).
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset)
        lo = mid; // 0 <= mid < lineStarts.length
      else hi = mid - 1;
    }
    return lo;
  };
  for (const { link: l, at: linkAt } of linksInText(text)) {
    for (const credential of literalUrlCredentials(l)) {
      const offset = linkAt + credential.secretStart;
      const what = describeUrlCredential(credential);
      // A Slack path is one credential in three segments: one error per link and kind of credential.
      if (seen.has(`${linkAt} ${what}`)) continue;
      seen.add(`${linkAt} ${what}`);
      const index = lineOf(offset);
      const line = index + 1;
      const col = offset - lineStarts[index]! + 1; // lineOf returns an index of lineStarts
      out.push(
        diag(
          'secret-literal',
          `${field} holds a credential written in git: ${what}. Take ${credential.part === 'path' ? 'the URL' : 'it'} from \${env:NAME} (it is then kept out of plans, logs and saved plans)`,
          { file, ...at(line, col), ...(pointer ? { pointer } : {}) },
        ),
      );
    }
  }
  return out;
}

/**
 * Line and column inside a YAML string value → the manifest's, as the label config loader maps
 * inline XML. Worked out on first use: a value with nothing to report never needs it (the
 * document's syntax tree is then not parsed again, see `parseYamlSource`).
 */
export function valuePosition(
  doc: SourceDocument,
  pointer: string,
): (line: number, col: number) => { line: number; col: number } {
  let mapping: ((line: number, col: number) => { line: number; col: number }) | undefined;
  return (line, col) => (mapping ??= positionMapping(doc, pointer))(line, col);
}

function positionMapping(
  doc: SourceDocument,
  pointer: string,
): (line: number, col: number) => { line: number; col: number } {
  const info = doc.scalarInfo(pointer);
  if (info?.positionAt) return info.positionAt;
  const start = info ?? { ...doc.locate(pointer), block: false, indent: 0 };
  return (line, col) =>
    start.block
      ? { line: start.line + line - 1, col: start.indent + col }
      : { line: start.line + line - 1, col: line === 1 ? start.col + col - 1 : col };
}

/**
 * A label config holding a credential written in git (`<Image value="https://…?token=…"/>`): an
 * error at the credential, in the manifest for inline XML (read before interpolation, so one from
 * `${env:...}` passes), in the .xml file for `{file}` (a file is never interpolated).
 */
export function labelConfigCredentialErrors(
  doc: SourceDocument,
  pointer: string,
  spec: unknown,
  source:
    | {
        readonly xml: string;
        readonly file: string;
        readonly at: (line: number, col: number) => { line: number; col: number };
      }
    | undefined,
): Diagnostic[] {
  const written = valueAt(doc.value, pointer);
  if (typeof written === 'string')
    return textCredentialErrors(written, 'label_config', doc.file, pointer, valuePosition(doc, pointer));
  if (source && typeof spec === 'object' && spec !== null && 'file' in spec)
    return textCredentialErrors(source.xml, 'label_config', source.file, undefined, source.at);
  return [];
}
