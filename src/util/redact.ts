/**
 * Last line of defence for secrets: every value registered here (API tokens, access tokens,
 * `${env:...}` values) is replaced by `[redacted]` in anything labelform prints. Code should not
 * print secrets in the first place; this catches what slips through (an error message that
 * quotes a header, a server that echoes a field).
 */
const secrets = new Set<string>();

/** Values shorter than this are not registered: redacting "abc" everywhere would garble output. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redact(text: string): string {
  if (secrets.size === 0 || text.length === 0) return text;
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  // Authorization headers, whatever their value: never print one.
  return out.replace(/\b(Authorization|X-Api-Key)(["']?\s*[:=]\s*["']?)(Token|Bearer)?\s*[A-Za-z0-9._~+/=-]{8,}/gi, '$1$2[redacted]');
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
