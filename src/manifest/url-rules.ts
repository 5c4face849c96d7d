/**
 * The one rule for URL-typed manifest fields, as schema formats (see schemas.ts): each schema field
 * that holds a URL or a host names one of these, and validate reports a value the server would
 * refuse at the value's file:line:col instead of a 400 at apply.
 *
 * - `webhook-url` (Webhook `url`): what Label Studio's `Webhook.url` accepts. It is a Django
 *   `URLField`, so Django's `URLValidator` decides (Django 5.2 in Label Studio 1.23.2): no
 *   whitespace, a host that is `localhost`, an IPv4 or bracketed IPv6 address, or a name with a
 *   dot and a top-level domain (`receiver:8080` is refused), a port of at most 5 digits.
 * - `http-url` (MlBackend `url`, storages' `s3_endpoint`, labelform.yaml's environment `url`): an
 *   http(s) URL with a host and nothing a client would have to guess at (no whitespace, no
 *   control characters). The server checks these with urllib3's parser and a DNS look-up
 *   (`validate_url_for_ssrf`), and boto3 refuses an endpoint whose host is not DNS labels, so a
 *   space fails there one way or another; a single-label host (`http://ml-backend:9090`, a
 *   container's name) is fine.
 * - `host-name` (a Redis storage's `host`): a host name or address, not a URL.
 */
import { replaceReferences } from './interpolate.ts';

export type UrlFormat = 'webhook-url' | 'http-url' | 'env-http-url' | 'host-name';

export const URL_FORMATS: readonly UrlFormat[] = ['webhook-url', 'http-url', 'env-http-url', 'host-name'];

/** Why `value` does not fit `format`, as the end of a sentence ("contains a space …"); undefined when it fits. */
export function urlProblem(format: UrlFormat, value: string): string | undefined {
  switch (format) {
    case 'host-name':
      return hostNameProblem(value);
    case 'http-url':
      return httpUrlProblem(value);
    case 'env-http-url':
      // labelform.yaml is checked before interpolation: `${env:NAME}` for the whole URL is known
      // only at plan time; inside a URL, a reference may stand for any part of it.
      if (/^\s*\$\{/.test(value)) return undefined;
      return whitespaceProblem(value, true) ?? httpUrlProblem(withPlaceholders(value));
    case 'webhook-url':
      return httpUrlProblem(value) ?? webhookUrlProblem(value);
  }
}

const REF = '\u{e000}';

/**
 * `value` with each `${...}` replaced so that only the parts written out are judged: a part of the
 * authority (user info, host, port) holding a reference becomes a valid stand-in (`x` for user info
 * and host, no port; a scheme with one is http), since the variable may give any host or port
 * (`http://localhost:${env:PORT}`, `http://[${env:V6}]`); in the path, query or fragment a
 * reference is plain text. `$${` is a literal `${`, judged as written.
 */
function withPlaceholders(value: string): string {
  const marked = replaceReferences(value, (ref) => (ref === '$${' ? '${' : REF));
  const m = /^([^:/?#]*:\/\/)([^/?#]*)(.*)$/s.exec(marked);
  if (!m) return marked.split(REF).join('x');
  const [, written, authority, rest] = m as unknown as [string, string, string, string];
  const scheme = written.includes(REF) ? 'http://' : written;
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  const split = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/s.exec(hostPort);
  const host = split?.[1] ?? hostPort;
  const port = split?.[2];
  const keep = (part: string, standIn: string) => (part.includes(REF) ? standIn : part);
  return (
    scheme +
    (userInfo === undefined ? '' : `${keep(userInfo, 'x')}@`) +
    keep(host, 'x') +
    (port === undefined || port.includes(REF) ? '' : `:${port}`) +
    rest.split(REF).join('x')
  );
}

function whitespaceProblem(value: string, inUrl: boolean): string | undefined {
  const i = value.search(/[\s\u0000-\u001f\u007f]/);
  if (i < 0) return undefined;
  const c = value[i]!;
  const what =
    c === ' '
      ? 'a space'
      : c === '\t'
        ? 'a tab'
        : c === '\n' || c === '\r'
          ? 'a line break'
          : /\s/.test(c)
            ? 'a whitespace character'
            : 'a control character';
  const where =
    i === 0 ? 'at its start' : i === value.length - 1 ? 'at its end' : `after "${value.slice(Math.max(0, i - 20), i)}"`;
  return `contains ${what} ${where}${inUrl && c === ' ' && i > 0 && i < value.length - 1 ? ' (write a space in a path or query as %20)' : ''}`;
}

function httpUrlProblem(value: string): string | undefined {
  const ws = whitespaceProblem(value, true);
  if (ws) return ws;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(value);
  if (!m) return 'is not a URL: it must start with http:// or https://';
  if (!/^https?$/i.test(m[1]!)) return `must start with http:// or https://, not ${m[1]}://`;
  const host = m[2]!.replace(/^.*@/, '').replace(/:\d*$/, '');
  if (host === '' || host === '[]') return 'has no host after the scheme';
  const port = /:([^:\]]*)$/.exec(m[2]!.replace(/^.*@/, ''))?.[1];
  if (port !== undefined && !host.startsWith('[') && (!/^\d{0,5}$/.test(port) || Number(port) > 65535))
    return `has a port that is not a number from 0 to 65535: ":${port}"`;
  if (
    /^[0-9.]+$/.test(host) &&
    !/^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(host)
  )
    return `has a host "${host}" that is not a valid IPv4 address`;
  try {
    new URL(value);
  } catch {
    return 'is not a URL a client can read';
  }
  return undefined;
}

// Django's URLValidator (5.2), read from its source; matched case-insensitively like Django's.
const UL = '\\u00a1-\\uffff';
const IPV4 =
  '(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)(?:\\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}';
const IPV6 = '\\[[0-9a-f:.]+\\]';
const HOSTNAME = `[a-z${UL}0-9](?:[a-z${UL}0-9-]{0,61}[a-z${UL}0-9])?`;
const DOMAIN = `(?:\\.(?!-)[a-z${UL}0-9-]{1,63}(?<!-))*`;
const TLD = `\\.(?!-)(?:[a-z${UL}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\\.?`;
const DJANGO_URL = new RegExp(
  `^(?:[a-z0-9.+-]*)://(?:[^\\s:@/]+(?::[^\\s:@/]*)?@)?(?:${IPV4}|${IPV6}|(?:${HOSTNAME}${DOMAIN}${TLD}|localhost))(?::[0-9]{1,5})?(?:[/?#][^\\s]*)?$`,
  'iu',
);

function webhookUrlProblem(value: string): string | undefined {
  if (DJANGO_URL.test(value)) {
    const host = new URL(value).hostname;
    return host.length > 253 ? 'has a host name longer than 253 characters' : undefined;
  }
  const authority = /^[^:]*:\/\/([^/?#]*)/.exec(value)?.[1] ?? '';
  const userInfo = /^(.*)@/.exec(authority)?.[1];
  if (userInfo !== undefined && !/^[^\s:@/]+(?::[^\s:@/]*)?$/.test(userInfo))
    return 'has user information the server refuses (a second "@" or ":")';
  const host = authority.replace(/^.*@/, '').replace(/:\d{1,5}$/, '');
  if (/^[a-z0-9-]+$/i.test(host) && host.toLowerCase() !== 'localhost') {
    return `has the host "${host}", which the server refuses for a webhook (Django's URLValidator): use a name with a domain (${host}.example.com), localhost or an IP address`;
  }
  return "is not a URL the server accepts for a webhook (Django's URLValidator)";
}

function hostNameProblem(value: string): string | undefined {
  const ws = whitespaceProblem(value, false);
  if (ws) return ws;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'is a URL; give the host name or address only (without a scheme)';
  if (/[/?#@]/.test(value)) return 'is not a host name or address (it holds "/", "?", "#" or "@")';
  return undefined;
}
