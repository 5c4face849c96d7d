/**
 * One rule for what is a credential, used by validate (a credential written in git is an error),
 * plan and every message (a credential is never printed) and pull (a credential is written as an
 * `${env:NAME}` reference, never in clear).
 *
 * - A *name* (an HTTP header, an environment variable, a query parameter) is a credential's name
 *   when it says so: `Authorization`, `X-Api-Key`, `X-Access-Key`, `Private-Key`, `*_TOKEN`,
 *   `X-Session`, `Cookie`, `X-Custom-Credential`, `key`, `sig`, ...
 * - A *value* is a credential when it says so whatever its name: `Bearer …`, `Token …`,
 *   `Basic …`, and token formats no ordinary value has (a JWT, `ghp_…`, `xoxb-…`, `glpat-…`).
 * - In a *URL*: its user info (`user:pass@`), a query parameter that is a credential by the two
 *   rules above, and the path segments that are the secret of a chat webhook URL (Slack, Discord,
 *   Microsoft Teams, Zapier, Telegram, IFTTT: whoever knows the URL can post).
 */

/** What a credential is shown as. The same text as `SENSITIVE_MASK` in redact.ts (which imports this module). */
const MASK = '(sensitive)';

/** Parts of a compound name that make it a credential's name (`clientsecret`, `xauthtoken`, `accesskey`). */
const CREDENTIAL_PART =
  /auth(?!or(?!iz))|token|secret|passw(or)?d|passphrase|credential|signature|cookie|session|api-?key|access-?key|private-?key/;

/** Whole words of a name that make it a credential's name (`X-Key`, `pwd`, `sig`); never a part of a word (`monkey`). */
const CREDENTIAL_WORD = new Set(['key', 'pass', 'pwd', 'sig', 'jwt', 'bearer', 'creds', 'cred', 'otp', 'hmac', 'sid']);

/** Whole names that are credentials only on their own (Azure Functions' `?code=`). */
const CREDENTIAL_WHOLE = new Set(['code']);

/** Values that are credentials whatever the name they are under: an authorization scheme and its credential. */
const AUTH_SCHEME_VALUE = /^\s*(bearer|token|basic|digest|negotiate|hmac|apikey|api-key)\s+\S+/i;

/** Token formats that no ordinary value has. */
const TOKEN_FORMATS: readonly RegExp[] = [
  /^eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*$/, // a JWT
  /^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})$/, // GitHub
  /^glpat-[A-Za-z0-9_-]{16,}$/, // GitLab
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/, // Slack
  /^(AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key id
  /^(sk|rk)_(live|test)_[A-Za-z0-9]{10,}$/, // Stripe
];

/** Whether a header, environment-variable or query-parameter name names a credential. */
export function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  if (words.length === 0) return false;
  if (words.length === 1 && CREDENTIAL_WHOLE.has(words[0]!)) return true;
  if (words.some((w) => CREDENTIAL_WORD.has(w))) return true;
  // Compound words are looked at whole and joined (`X-Api-Key` as `x-api-key`, `apikey`).
  return CREDENTIAL_PART.test(words.join('-')) || CREDENTIAL_PART.test(words.join(''));
}

/**
 * Environment variables every session has whose names only look like a credential's (`PWD` is
 * the working directory, `SSH_AUTH_SOCK` a socket path, `XDG_SESSION_ID` a number): their values
 * are ordinary text, and taking them for secrets would rewrite a path wherever it appears.
 */
const ORDINARY_VARIABLE =
  /^(PWD|OLDPWD|SSH_AUTH_SOCK|SSH_AGENT_PID|SESSION_MANAGER|DESKTOP_SESSION|KRB5CCNAME|(XDG|DBUS|GPG|GNOME_KEYRING)_[A-Z0-9_]*)$/;

/** Whether an environment variable holds a secret by its name (the credential rule, less the session's ordinary variables). */
export function isSecretVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !ORDINARY_VARIABLE.test(name) && isCredentialName(name);
}

/** Whether a value is a credential by its form alone (`Bearer …`, `Token …`, `Basic …`, a JWT, …). */
export function isCredentialValue(value: string): boolean {
  const v = value.trim();
  return AUTH_SCHEME_VALUE.test(v) || TOKEN_FORMATS.some((f) => f.test(v));
}

/** Whether a name/value pair (a header, a query parameter) carries a credential. */
export function isCredential(name: string, value: string): boolean {
  return value !== '' && value !== MASK && (isCredentialName(name) || isCredentialValue(value));
}

/** Headers as they may be shown: the value of each one that carries a credential masked. */
export function maskCredentialHeaders<V>(headers: Readonly<Record<string, V>>): Record<string, V | string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, typeof v === 'string' && isCredential(k, v) ? MASK : v]),
  );
}

/** A credential inside a URL. Offsets are into the string given, so they also work on manifest text holding `${env:...}`. */
export interface UrlCredential {
  readonly part: 'user-info' | 'query' | 'path';
  /** The query parameter's name; for a path, the service whose URL it is. */
  readonly name?: string;
  /** What is masked: the whole user info, a parameter's value, a path segment. */
  readonly start: number;
  readonly end: number;
  /** What must not be written in git: a user info's password (or, without one, its user name); else as above. */
  readonly secretStart: number;
  readonly secretEnd: number;
}

/**
 * Chat and automation webhook URLs whose path is the secret: the host, and from which path
 * segment (counted from 0) every further segment is secret, given the segments before.
 */
const SECRET_PATH_SERVICES: ReadonlyArray<{
  readonly name: string;
  readonly host: RegExp;
  readonly from: (segments: readonly string[]) => number | undefined;
}> = [
  { name: 'Slack', host: /^hooks\.slack(-gov)?\.com$/, from: () => 1 },
  { name: 'Discord', host: /^((ptb|canary)\.)?discord(app)?\.com$/, from: (s) => after(s, 'webhooks') },
  {
    name: 'Microsoft Teams',
    host: /(^|\.)webhook\.office\.com$|^outlook\.office(365)?\.com$/,
    from: (s) => after(s, 'webhook') ?? after(s, 'webhookb2'),
  },
  { name: 'Zapier', host: /^hooks\.zapier\.com$/, from: (s) => after(s, 'catch') },
  {
    name: 'Telegram',
    host: /^api\.telegram\.org$/,
    from: (s) => {
      const i = s.findIndex((x) => /^bot./i.test(x));
      return i < 0 ? undefined : i;
    },
  },
  { name: 'IFTTT', host: /^maker\.ifttt\.com$/, from: (s) => after(s, 'key') },
];

/**
 * The credentials in a URL: its user info, credential query parameters (and fragment
 * parameters: `#access_token=`), and the secret path of a chat webhook URL. A part already
 * masked is not one. Parsed by hand, not with `new URL`, so that offsets point into the text as
 * written and manifest text with `${env:...}` in it can be checked.
 */
export function findUrlCredentials(url: string): UrlCredential[] {
  const m = /^(\s*[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)/.exec(url);
  if (!m) return [];
  const out: UrlCredential[] = [];
  const authorityStart = m[1]!.length;
  const authority = m[2]!;
  const at = authority.lastIndexOf('@');
  if (at > 0 && authority.slice(0, at) !== MASK) {
    const info = authority.slice(0, at);
    const colon = colonOutsideReferences(info);
    const secretStart = authorityStart + (colon >= 0 && colon < info.length - 1 ? colon + 1 : 0);
    out.push({
      part: 'user-info',
      start: authorityStart,
      end: authorityStart + at,
      secretStart,
      secretEnd: authorityStart + at,
    });
  }
  const host = authority
    .slice(at + 1)
    .replace(/:\d*$/, '')
    .toLowerCase();
  let i = authorityStart + authority.length;
  const pathEnd = firstOf(url, ['?', '#'], i);
  const path = url.slice(i, pathEnd);
  const service = SECRET_PATH_SERVICES.find((s) => s.host.test(host));
  if (service) {
    const segments = path.split('/').slice(1);
    const from = service.from(segments.map(safeDecode));
    let offset = i + 1;
    for (const [n, seg] of segments.entries()) {
      if (from !== undefined && n >= from && seg !== '' && seg !== MASK)
        out.push({
          part: 'path',
          name: service.name,
          start: offset,
          end: offset + seg.length,
          secretStart: offset,
          secretEnd: offset + seg.length,
        });
      offset += seg.length + 1;
    }
  }
  i = pathEnd;
  while (i < url.length) {
    // A query (after `?`) or a fragment (after `#`): name=value pairs split on & and ;.
    const end = url[i] === '?' ? firstOf(url, ['#'], i + 1) : url.length;
    let p = i + 1;
    for (const pair of url.slice(i + 1, end).split(/[&;]/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) {
        const value = pair.slice(eq + 1);
        if (!value.startsWith(MASK) && isCredential(safeDecode(pair.slice(0, eq)), safeDecode(value))) {
          out.push({
            part: 'query',
            name: safeDecode(pair.slice(0, eq)),
            start: p + eq + 1,
            end: p + pair.length,
            secretStart: p + eq + 1,
            secretEnd: p + pair.length,
          });
        }
      }
      p += pair.length + 1;
    }
    i = end;
  }
  return out;
}

/** Whether a URL holds a credential (user info, a credential query parameter, a secret path). */
export function hasUrlCredentials(url: string): boolean {
  return findUrlCredentials(url).length > 0;
}

/** A URL as it may be shown: each credential in it replaced by `(sensitive)`; the rest as it is. */
export function maskUrlCredentials(url: string): string {
  const found = findUrlCredentials(url);
  if (found.length === 0) return url;
  // Pieces joined once: a slice of the whole URL per credential was quadratic (25,000 path segments of a Slack URL: 5 s).
  const pieces: string[] = [];
  let from = 0;
  for (const c of found) {
    pieces.push(url.slice(from, c.start), MASK);
    from = c.end;
  }
  pieces.push(url.slice(from));
  return pieces.join('');
}

/**
 * A link in text, as validate, plan and pull read one: `http(s)://`, then, when an `@` follows
 * before any whitespace, `/`, `?` or `#`, a user info that may hold what ends a link in prose
 * (`'`, `"`, `<`, `\`, a backtick: `https://u:pa'ss@host/` was shown whole), though not a `"`
 * that ends a JSON string or an HTML attribute (`",` `":` `"}` `"]` `">`: a later field's `@` is
 * no user info); then the rest of the link.
 */
export const LINK = /\bhttps?:\/\/(?:(?:[^\s/?#"]|"(?![,:}\]>]))*@)?[^\s"'<>`\\]+/gi;

/**
 * Where a link matched by LINK ends: punctuation after a URL in prose, and the `)` closing a
 * parenthesis around it, are not part of it. Parentheses are counted once (a count per trailing
 * `)` was quadratic: 50,000 took 28 s).
 */
export function linkEnd(u: string): number {
  const open = count(u, '(');
  let close = count(u, ')');
  let end = u.length;
  for (;;) {
    const last = u[end - 1];
    if (last !== undefined && '.,;:!?'.includes(last)) end--;
    else if (last === ')' && open < close) {
      end--;
      close--;
    } else break;
  }
  return end;
}

/** Every `http(s)://…` URL in a text, masked as `maskUrlCredentials` does. */
export function maskUrlsInText(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(LINK, (u) => {
    const end = linkEnd(u);
    return maskUrlCredentials(u.slice(0, end)) + u.slice(end);
  });
}

/** How a message names a credential in a URL, without showing it. */
export function describeUrlCredential(c: UrlCredential): string {
  switch (c.part) {
    case 'user-info':
      return 'its user info (before "@")';
    case 'query':
      return `its query parameter ${c.name}`;
    case 'path':
      return `its path (a ${c.name} webhook URL's path is its secret)`;
    default: {
      const never: never = c.part;
      return never;
    }
  }
}

/**
 * The credentials of a URL as written in a manifest that are not taken from `${env:...}`: each
 * one is a credential written in git. `text` is the manifest's text for the value, before
 * interpolation (`${var.NAME}` comes from labelform.yaml: also git).
 */
export function literalUrlCredentials(text: string): UrlCredential[] {
  return findUrlCredentials(text).filter((c) => !/(^|[^$])\$\{env:/.test(text.slice(c.secretStart, c.secretEnd)));
}

/** The first `:` of a user info that is not inside a `${...}` reference, or -1. */
function colonOutsideReferences(info: string): number {
  let depth = 0;
  for (let i = 0; i < info.length; i++) {
    if (info.startsWith('${', i)) depth++;
    else if (info[i] === '}' && depth > 0) depth--;
    else if (info[i] === ':' && depth === 0) return i;
  }
  return -1;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function after(segments: readonly string[], word: string): number | undefined {
  const i = segments.findIndex((s) => s.toLowerCase() === word);
  return i < 0 ? undefined : i + 1;
}

function firstOf(text: string, chars: readonly string[], from: number): number {
  let best = text.length;
  for (const c of chars) {
    const i = text.indexOf(c, from);
    if (i >= 0 && i < best) best = i;
  }
  return best;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
