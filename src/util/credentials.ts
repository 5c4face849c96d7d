/**
 * One rule for what is a credential, used by validate (a credential written in git is an error),
 * plan and every message (a credential is never printed) and pull (a credential is written as an
 * `${env:NAME}` reference, never in clear).
 *
 * - A *name* (an HTTP header, an environment variable, a query parameter) is a credential's name
 *   when it says so: `Authorization`, `X-Api-Key`, `X-Access-Key`, `Private-Key`, `*_TOKEN`,
 *   `X-Session`, `Cookie`, ...
 * - A *value* is a credential when it says so whatever its name: `Bearer …`, `Token …`, `Basic …`.
 */

/** Words that make a header, variable or query-parameter name a credential's name. */
const CREDENTIAL_NAME = /auth|token|secret|passw(or)?d|passwd|api[-_]?key|access[-_]?key|private[-_]?key|credential|signature|cookie|session|sig$/i;

/** Values that are credentials whatever the name they are under. */
const CREDENTIAL_VALUE = /^\s*(bearer|token|basic|digest)\s+\S{6,}/i;

/** Whether a header, environment-variable or query-parameter name names a credential. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** Whether a value is a credential by its form alone (`Bearer …`, `Token …`, `Basic …`). */
export function isCredentialValue(value: string): boolean {
  return CREDENTIAL_VALUE.test(value);
}

/** Whether a name/value pair (a header, a query parameter) carries a credential. */
export function isCredential(name: string, value: string): boolean {
  return value !== '' && (isCredentialName(name) || isCredentialValue(value));
}
