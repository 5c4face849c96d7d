/**
 * Label Studio accepts two kinds of API token (reference §5): legacy tokens, sent as
 * `Authorization: Token <key>`, and personal access tokens (PATs), which are JWT *refresh*
 * tokens that must be exchanged at `/api/token/refresh/` for a ~5-minute access token sent as
 * `Authorization: Bearer <access>`. Like Label Studio's SDK, the kind is told from the token's
 * shape: a JWT is a PAT, anything else a legacy token.
 */
export type AuthScheme = 'legacy-token' | 'personal-access-token';

export interface JwtPayload {
  readonly exp?: number;
  readonly iat?: number;
  readonly token_type?: string;
  readonly user_id?: number | string;
  readonly [key: string]: unknown;
}

export function detectAuthScheme(token: string): AuthScheme {
  return decodeJwtPayload(token) ? 'personal-access-token' : 'legacy-token';
}

/** Decodes a JWT's payload without verifying it (the server verifies; we only read `exp`). */
export function decodeJwtPayload(token: string): JwtPayload | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+={0,2}$/.test(p))) return undefined;
  try {
    const json = Buffer.from(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const payload = JSON.parse(json) as unknown;
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as JwtPayload) : undefined;
  } catch {
    return undefined;
  }
}

/** Refresh this long before `exp`, so a request never leaves with an access token about to expire. */
export const ACCESS_TOKEN_MARGIN_MS = 30_000;

export function accessTokenIsFresh(payload: JwtPayload | undefined, nowMs: number): boolean {
  if (!payload?.exp) return false;
  return payload.exp * 1000 - ACCESS_TOKEN_MARGIN_MS > nowMs;
}
