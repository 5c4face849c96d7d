import type { SourceDocument } from '../../manifest/yaml-source.ts';
import {
  describeUrlCredential,
  findUrlCredentials,
  literalUrlCredentials,
  type UrlCredential,
} from '../../util/credentials.ts';
import { diag, type Diagnostic } from '../../util/diagnostics.ts';

/**
 * A URL field written with a credential in git (user info, a token query parameter, a Slack
 * webhook's secret path): one error per credential, at the credential's own line and column
 * (credentials.ts decides what is one). A credential taken from `${env:...}` is fine: the check
 * reads the manifest text before interpolation. `field` names the field in the message.
 */
export function urlCredentialErrors(
  doc: SourceDocument,
  pointer: string,
  field: string,
  interpolated?: { readonly value: unknown; readonly envPointers: readonly string[] },
): Diagnostic[] {
  const text = valueAt(doc.value, pointer);
  if (typeof text !== 'string') return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  let found = literalUrlCredentials(text);
  // A value with no `${env:...}` in it is git's whole, `${var.NAME}` from labelform.yaml included:
  // when the text shows nothing, its interpolated value is checked (reported at the value).
  const whole =
    found.length === 0 &&
    interpolated &&
    !interpolated.envPointers.includes(pointer) &&
    typeof interpolated.value === 'string' &&
    interpolated.value !== text
      ? interpolated.value
      : undefined;
  if (whole !== undefined) found = findUrlCredentials(whole);
  for (const c of found) {
    const what = describeUrlCredential(c);
    if (seen.has(what)) continue; // a Slack path is one credential in three segments
    seen.add(what);
    out.push(
      diag(
        'secret-literal',
        `${field} holds a credential written in git: ${what}. Take ${c.part === 'path' ? 'the URL' : 'it'} from \${env:NAME} (it is then kept out of plans, logs and saved plans)`,
        { file: doc.file, ...(whole !== undefined ? doc.locate(pointer) : position(doc, pointer, c)), pointer },
      ),
    );
  }
  return out;
}

function position(doc: SourceDocument, pointer: string, c: UrlCredential): { line: number; col: number } {
  const info = doc.scalarInfo(pointer);
  const at = info?.positionAt?.(1, c.secretStart + 1);
  return at ?? doc.locate(pointer);
}

/** The value at a JSON pointer, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const seg of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Reflect.get(v, seg.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return v;
}
