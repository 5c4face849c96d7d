import { redact, showRequestPath, withholdSecrets } from '../util/redact.ts';

export type ApiErrorKind =
  /** The server answered with an HTTP error status. */
  | 'http'
  /** No answer: refused, reset, DNS failure. */
  | 'network'
  /** No answer within the timeout. */
  | 'timeout'
  /** Something answered, but not Label Studio's API (HTML, a proxy page, wrong JSON). */
  | 'not-label-studio';

/**
 * The one error type of the API client. It carries what a person needs (method, path, status,
 * Label Studio's `detail` and `validation_errors`) and never the request's headers or body:
 * an axios error holds the Authorization header, so it is never passed on.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    readonly method: string,
    /** Path and query, relative to the server's base URL. */
    readonly path: string,
    readonly status: number | undefined,
    detail: string,
    validationErrors: Readonly<Record<string, string[]>> | undefined,
    /** Network error code (ECONNREFUSED, ...) when kind is network. */
    readonly code?: string,
  ) {
    // The server's own words may quote a value sent from ${env:...}: such a message is withheld
    // whole (never cut), here, so that no caller can pass it on.
    const safeDetail = withholdSecrets(detail);
    const safeErrors = validationErrors && withholdFieldErrors(validationErrors);
    super(redact(formatApiError(kind, method, showRequestPath(path), status, safeDetail, safeErrors)));
    this.detail = safeDetail;
    this.validationErrors = safeErrors;
  }

  /** Label Studio's `detail` (withheld when it contains a secret value). */
  readonly detail: string;
  /** Label Studio's field errors (each withheld when it contains a secret value). */
  readonly validationErrors: Readonly<Record<string, string[]>> | undefined;
}

function withholdFieldErrors(errors: Readonly<Record<string, string[]>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(errors).map(([field, msgs]) => [field, msgs.map(withholdSecrets)]));
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

function formatApiError(
  kind: ApiErrorKind,
  method: string,
  path: string,
  status: number | undefined,
  detail: string,
  validationErrors: Readonly<Record<string, string[]>> | undefined,
): string {
  const head = `${method} ${path}`;
  const fields = validationErrors
    ? Object.entries(validationErrors)
        .map(([field, msgs]) => `${field}: ${msgs.join(' ')}`)
        .join('; ')
    : '';
  switch (kind) {
    case 'http':
      return `${head} failed with HTTP ${status}: ${fields || detail}`;
    case 'network':
      return `${head}: ${detail}`;
    case 'timeout':
      return `${head}: ${detail}`;
    case 'not-label-studio':
      return `${head}: ${detail}`;
  }
}

/**
 * Reads Label Studio's error bodies: the standard envelope (`detail` + `validation_errors`), the
 * plain DRF body of `/api/projects/validate/` (`{"label_config": ["..."]}`), raw
 * `{"message"|"detail"}` bodies, and text. Returns the detail and field errors.
 */
export function parseErrorBody(body: unknown): { detail: string; validationErrors?: Record<string, string[]> } {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (trimmed.startsWith('{')) {
      try {
        return parseErrorBody(JSON.parse(trimmed));
      } catch {
        // fall through to text
      }
    }
    if (/<html|<!doctype/i.test(trimmed)) return { detail: 'the server answered with an HTML page' };
    return { detail: trimmed.slice(0, 300) || 'no details in the response' };
  }
  if (Buffer.isBuffer(body)) return parseErrorBody(body.toString('utf8'));
  if (!body || typeof body !== 'object') return { detail: 'no details in the response' };
  const o = body as Record<string, unknown>;
  const validation = normaliseFieldErrors(o.validation_errors);
  if (typeof o.detail === 'string' && (o.detail !== 'Validation error' || !validation)) {
    return { detail: o.detail, ...(validation ? { validationErrors: validation } : {}) };
  }
  if (validation) return { detail: 'Validation error', validationErrors: validation };
  if (typeof o.message === 'string') return { detail: o.message };
  // A plain DRF body: every key is a field (or non_field_errors).
  const plain = normaliseFieldErrors(o);
  if (plain) return { detail: 'Validation error', validationErrors: plain };
  return { detail: JSON.stringify(o).slice(0, 300) };
}

function normaliseFieldErrors(v: unknown): Record<string, string[]> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, msgs] of Object.entries(v as Record<string, unknown>)) {
    if (Array.isArray(msgs)) out[k] = msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
    else if (typeof msgs === 'string') out[k] = [msgs];
    else if (msgs && typeof msgs === 'object') out[k] = [JSON.stringify(msgs)];
    else return undefined;
  }
  return Object.keys(out).length ? out : undefined;
}
