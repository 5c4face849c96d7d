/**
 * Authentication as Label Studio 1.23.2 does it: `X-Api-Key` rewritten to `Authorization: Token`
 * (overriding a Bearer header), legacy tokens (case-insensitive scheme, switchable per
 * organisation), and personal access tokens: HS256 JWT refresh tokens (200 years) exchanged for
 * access tokens (5 minutes by default) sent as `Bearer` (case-sensitive). A bad Bearer token is
 * not an error by itself: the request just goes on unauthenticated.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { envelope, fail, html404, json, noContent, readObject, type Ctx, type Reply } from './http.ts';
import { releaseBefore } from './release.ts';
import { nowMs, type FakeState, type FakeUser } from './state.ts';

const PAT_LIFETIME_SECONDS = 6_307_200_000;
const NOT_PROVIDED = 'Authentication credentials were not provided.';
const WWW_AUTH = { 'WWW-Authenticate': 'Token' };

export type AuthMode = 'required' | 'optional' | 'none';

/**
 * The user behind a request, or a 401 thrown. `optional` (AllowAny views such as the global
 * config validator) still rejects a broken `Token` header; `none` (views without authentication
 * classes) ignores every header.
 */
export function authenticate(ctx: Pick<Ctx, 'headers' | 'state'>, mode: AuthMode): FakeUser | undefined {
  if (mode === 'none') return undefined;
  const { state } = ctx;
  const apiKey = header(ctx.headers['x-api-key']);
  const authorization = apiKey !== undefined ? `Token ${apiKey}` : header(ctx.headers.authorization);
  let user: FakeUser | undefined;
  if (authorization !== undefined) {
    const [scheme = '', ...rest] = authorization.split(' ').filter((p) => p !== '');
    if (scheme.toLowerCase() === 'token') {
      if (rest.length === 0) unauthorized('Invalid token header. No credentials provided.');
      if (rest.length > 1) unauthorized('Invalid token header. Token string should not contain spaces.');
      if (rest[0] !== state.legacyToken) unauthorized('Invalid token.');
      if (!state.jwtSettings.legacy_api_tokens_enabled) {
        unauthorized(
          'Authentication token no longer valid: legacy token authentication has been disabled for this organization',
        );
      }
      user = state.user;
    } else if (scheme === 'Bearer' && rest.length === 1 && state.jwtSettings.api_tokens_enabled) {
      const payload = verifyJwt(state, rest[0]!);
      if (payload?.token_type === 'access' && payload.user_id === String(state.user.id)) user = state.user;
    }
  }
  if (!user && mode === 'required') unauthorized(NOT_PROVIDED);
  return user;
}

/** POST /api/token/: the caller's one personal access token (409 while a valid one exists). */
export function createPat(ctx: Ctx): Reply {
  const { state } = ctx;
  const user = ctx.user!;
  const now = Math.floor(nowMs(state) / 1000);
  for (const pat of state.pats.values()) {
    if (pat.userId === user.id && !pat.blacklisted && pat.exp > now) {
      return envelope(409, 'You already have a valid token. Please revoke it before creating a new one.');
    }
  }
  const jti = randomBytes(16).toString('hex');
  const exp = now + PAT_LIFETIME_SECONDS;
  const token = signJwt(state, { token_type: 'refresh', exp, iat: now, jti, user_id: String(user.id) });
  state.pats.set(jti, { jti, userId: user.id, token, exp, blacklisted: false });
  return json(201, { token });
}

/** GET /api/token/: the caller's valid PATs, signature stripped. */
export function listPats(ctx: Ctx): Reply {
  const now = Math.floor(nowMs(ctx.state) / 1000);
  const out = [...ctx.state.pats.values()]
    .filter((p) => p.userId === ctx.user!.id && !p.blacklisted && p.exp > now)
    .map((p) => ({ token: p.token.split('.').slice(0, 2).join('.') }));
  return json(200, out);
}

/** POST /api/token/refresh/ {refresh} → {access}; no auth, the PAT is the credential. */
export function refreshAccess(ctx: Ctx): Reply {
  const { state } = ctx;
  // Before 1.17 there is no jwt_auth app: Django's HTML 404 page.
  if (releaseBefore(state.release, [1, 17])) return html404();
  const body = readObject(ctx);
  if (body.refresh === undefined || body.refresh === null || body.refresh === '') {
    const msg =
      body.refresh === undefined
        ? 'This field is required.'
        : body.refresh === null
          ? 'This field may not be null.'
          : 'This field may not be blank.';
    return envelope(400, 'Validation error', { refresh: [msg] });
  }
  const payload = verifyJwt(state, String(body.refresh));
  if (!payload) return envelope(401, 'Token is invalid');
  if (payload.token_type !== 'refresh') return envelope(401, 'Token has wrong type');
  const pat = state.pats.get(String(payload.jti));
  if (!pat) return envelope(401, 'Token is invalid');
  if (pat.blacklisted) return envelope(401, 'Token is blacklisted');
  const now = Math.floor(nowMs(state) / 1000);
  const access = signJwt(state, {
    token_type: 'access',
    exp: now + state.accessTokenLifetimeSeconds,
    iat: now,
    jti: randomBytes(16).toString('hex'),
    user_id: payload.user_id,
  });
  return json(200, { access });
}

/** POST /api/token/blacklist/ {refresh}: 204, or a raw (envelope-less) 404. No auth needed. */
export function blacklistPat(ctx: Ctx): Reply {
  const body = readObject(ctx);
  const payload = typeof body.refresh === 'string' ? verifyJwt(ctx.state, body.refresh) : undefined;
  const pat = payload?.token_type === 'refresh' ? ctx.state.pats.get(String(payload.jti)) : undefined;
  if (!pat || pat.blacklisted) return json(404, { detail: 'Token is invalid or already blacklisted.' });
  pat.blacklisted = true;
  return noContent();
}

/** GET/POST /api/jwt/settings (POST, not PATCH, updates; partial bodies allowed). */
export function jwtSettings(ctx: Ctx): Reply {
  if (ctx.method === 'POST') {
    const body = readObject(ctx);
    for (const key of ['api_tokens_enabled', 'legacy_api_tokens_enabled'] as const) {
      if (typeof body[key] === 'boolean') ctx.state.jwtSettings[key] = body[key];
    }
  }
  return json(200, { ...ctx.state.jwtSettings });
}

interface JwtPayload {
  readonly token_type?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly user_id?: string;
}

export function signJwt(state: FakeState, payload: JwtPayload): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  return `${head}.${body}.${sign(state, `${head}.${body}`)}`;
}

/** The payload of a well-signed, unexpired token; undefined otherwise. */
export function verifyJwt(state: FakeState, token: string): JwtPayload | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = Buffer.from(sign(state, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as JwtPayload;
    if (typeof payload.exp !== 'number' || payload.exp <= nowMs(state) / 1000) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

function sign(state: FakeState, input: string): string {
  return createHmac('sha256', state.signingKey).update(input).digest('base64url');
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function unauthorized(detail: string): never {
  const reply = envelope(401, detail);
  fail({ ...reply, headers: { ...reply.headers, ...WWW_AUTH } });
}
