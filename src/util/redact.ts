/**
 * Two kinds of secret, treated differently because replacing text inside other text garbles it
 * (`3 projects un[redacted]`, a key `product-[redacted]` in a saved plan) and shows where the
 * value was:
 *
 * - Credentials (the API token, an access token, a URL's user info) are long random strings
 *   that cannot occur in ordinary text by chance, so `redact` replaces them wherever they appear
 *   in anything labelform prints: the last line of defence, and one that cannot garble.
 * - Values of `${env:NAME}` are ordinary text (`images`, `changed`). They are masked as whole
 *   values where labelform knows it prints one (a sensitive field, a title from the environment):
 *   see `SENSITIVE_MASK`. Text that labelform did not write itself (a server message, a parser
 *   message about a value from the environment) is withheld as a whole when it contains one:
 *   see `withholdSecrets`. Nothing replaces a part of a string.
 */
import { isCredentialName, maskUrlCredentials, maskUrlsInText } from './credentials.ts';

const credentials = new Set<string>();
const envSecrets = new Map<string, string>();

/** Shown instead of a value that came from `${env:...}`. */
export const SENSITIVE_MASK = '(sensitive)';

/**
 * The shortest value `${env:NAME}` may hold. A shorter one could not be told apart from ordinary
 * words when labelform checks a server message or a pulled file for it (see docs/manifests.md, Interpolation).
 */
export const MIN_SECRET_LENGTH = 8;

/** Credentials shorter than this are not replaced in output: "abc" everywhere would garble it. */
const MIN_CREDENTIAL_LENGTH = 6;

/** A credential (API token, access token): replaced by `[redacted]` wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_CREDENTIAL_LENGTH) credentials.add(value);
}

/** The value of `${env:NAME}`: never printed, and never written by `pull`. */
export function registerEnvSecret(name: string, value: string): void {
  if (value !== '') envSecrets.set(value, name);
}

/**
 * Replaces registered credentials, the values of headers that carry a credential (by the one rule
 * in credentials.ts: `X-Access-Key: …`, `"X-Session": "…"`, `Authorization: Bearer …`) and the
 * credentials inside URLs (user info, credential query parameters, a chat webhook's secret path);
 * leaves every other character alone.
 */
export function redact(text: string): string {
  if (text.length === 0) return text;
  let out = text;
  for (const s of credentials) if (out.includes(s)) out = out.split(s).join('[redacted]');
  out = maskUrlsInText(out);
  // A header and its value. Only names shaped like HTTP headers (`X-Access-Key`, `Private-Key`,
  // `Authorization`): a one-word name is a JSON key of labelform's own as often (`"key":` in a
  // saved plan), and snake_case ones are its field names (`task_data_password`). The value looks
  // like a token.
  return out.replace(HEADER_VALUE, (all, name: string, sep: string, scheme: string | undefined, value: string) =>
    (name.includes('-') || ALWAYS_REDACTED.test(name)) &&
    isCredentialName(name) &&
    (scheme !== undefined || ALWAYS_REDACTED.test(name) || looksRandom(value))
      ? `${name}${sep}[redacted]`
      : all,
  );
}

const HEADER_VALUE =
  /(?<![\w-])([A-Za-z][A-Za-z0-9-]*)(["']?\s*[:=]\s*["']?)(?:(Token|Bearer|Basic)\s+)?([A-Za-z0-9._~+/=-]{8,})/gi;

/** Headers whose value is redacted whatever it looks like. */
const ALWAYS_REDACTED = /^(authorization|x-api-key|proxy-authorization|cookie)$/i;

/** A value with a digit, or a long one: a token, not a word in a sentence ("Session: afternoon"). */
function looksRandom(value: string): boolean {
  return /\d/.test(value) || value.length >= 20;
}

/** The name of the first `${env:NAME}` (or credential) whose value occurs in the text. */
export function findSecret(text: string): { readonly name: string } | undefined {
  if (text.length === 0) return undefined;
  for (const [value, name] of envSecrets) if (text.includes(value)) return { name };
  for (const c of credentials) if (text.includes(c)) return { name: 'the API token' };
  return undefined;
}

/**
 * Text labelform did not write (a server's error message, a parser's), unchanged, or, when it
 * contains a secret value, a notice in its place: the whole text goes, never a part of it.
 */
export function withholdSecrets(text: string): string {
  const found = findSecret(text);
  return found ? `(message withheld: it contains the value of ${describeSecret(found.name)})` : text;
}

/** A request path for messages: its query, when it holds a secret value (a `title=` lookup), is withheld whole. */
export function showRequestPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const query = path.slice(q);
  if (!findSecret(query) && !findSecret(decodeQuery(query))) return path;
  return `${path.slice(0, q)}?(query withheld: it contains a secret value)`;
}

/**
 * A project title, quoted, or the mask when it holds a secret value: a live title (an orphan's, a
 * duplicate's) can carry what a manifest took from `${env:...}`. Whole titles only, never a part.
 */
export function showTitle(title: string): string {
  return findSecret(title) ? SENSITIVE_MASK : `"${title}"`;
}

/** A value shown whole, or the mask when it contains a secret value. */
export function maskIfSecret(text: string): string {
  return findSecret(text) ? SENSITIVE_MASK : text;
}

/**
 * A URL as a message may show it: the mask when it holds a secret value (any part of it came
 * from `${env:...}`: not even its host is shown), else with its credentials masked (user info,
 * token parameters, a Slack-style secret path).
 */
export function showUrl(url: string): string {
  return findSecret(url) || findSecret(decodeQuery(url)) ? SENSITIVE_MASK : maskUrlCredentials(url);
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  credentials.clear();
  envSecrets.clear();
}

function decodeQuery(query: string): string {
  try {
    return decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    return query;
  }
}

/** `${env:NAME}`, or "the API token": how messages name a secret without showing it. */
export function describeSecret(name: string): string {
  return name === 'the API token' ? name : `\${env:${name}}`;
}
