/**
 * Authentication: legacy tokens (right, wrong, missing, X-Api-Key) and personal access tokens —
 * a JWT refresh token exchanged for short-lived access tokens, one valid PAT per user, revoked
 * through the blacklist endpoint. On the real server the PAT made here is always blacklisted at
 * the end: while it lives, nobody else can create one for this user.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyFrom, releaseAtLeast } from '../helpers/applicable.ts';
import { decodeJwtPayload } from '../../src/api/auth.ts';
import type { LabelStudioClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import { expectApiError, rawRequest, targetKind, useTarget } from './target.ts';

const { t, client: legacy } = useTarget(test);

test('a wrong legacy token is a 401 ApiError "Invalid token."', async () => {
  const err = await expectApiError(t.client({ token: 'wrongtoken123' }).whoami());
  assert.is(err.status, 401);
  assert.is(err.kind, 'http');
  assert.is(err.detail, 'Invalid token.');
  assert.not.match(err.message, 'wrongtoken123');
});

test('no credentials: 401 "not provided" with WWW-Authenticate: Token', async () => {
  const res = await rawRequest(t.url, 'GET', '/api/current-user/whoami');
  assert.is(res.status, 401);
  assert.is(res.headers['www-authenticate'], 'Token');
  const body = JSON.parse(res.text);
  assert.is(body.detail, 'Authentication credentials were not provided.');
  assert.is(body.status_code, 401);
  assert.type(body.id, 'string');
});

onlyFrom(
  test,
  '1.13',
  'the X-Api-Key header and a lower-case scheme (1.8.2 answers 401)',
)('legacy token variants: X-Api-Key and a lower-case scheme work', async () => {
  const viaHeader = await rawRequest(t.url, 'GET', '/api/current-user/whoami', { headers: { 'X-Api-Key': t.token } });
  assert.is(viaHeader.status, 200);
  const lower = await rawRequest(t.url, 'GET', '/api/current-user/whoami', {
    headers: { Authorization: `token ${t.token}` },
  });
  assert.is(lower.status, 200);
});

onlyFrom(
  test,
  '1.17',
  'personal access tokens',
)('a personal access token created through the API works, and is revoked by the blacklist', async () => {
  const me = await legacy.whoami();
  const pat = await createPat(legacy);
  let blacklisted = false;
  try {
    const payload = decodeJwtPayload(pat)!;
    assert.is(payload.token_type, 'refresh');
    assert.is(payload.user_id, String(me.id));
    assert.is(payload.exp! - payload.iat!, 6_307_200_000);
    const second = await expectApiError(legacy.createPersonalAccessToken());
    assert.is(second.status, 409);
    assert.is(second.detail, 'You already have a valid token. Please revoke it before creating a new one.');

    const withPat = t.client({ token: pat });
    assert.is(withPat.http.scheme, 'personal-access-token');
    assert.is((await withPat.whoami()).id, me.id);
    await withPat.version();
    assert.is(withPat.http.stats.refreshes, 1, 'one refresh: the access token lasts minutes');

    const asBearer = await rawRequest(t.url, 'GET', '/api/current-user/whoami', {
      headers: { Authorization: `Bearer ${pat}` },
    });
    assert.is(asBearer.status, 401, 'a PAT is not an access token');
    assert.is(JSON.parse(asBearer.text).detail, 'Authentication credentials were not provided.');
    const refreshed = await rawRequest(t.url, 'POST', '/api/token/refresh/', { body: { refresh: pat } });
    assert.is(refreshed.status, 200);
    const access = JSON.parse(refreshed.text).access as string;
    assert.is(decodeJwtPayload(access)!.token_type, 'access');
    const wrongType = await rawRequest(t.url, 'POST', '/api/token/refresh/', { body: { refresh: access } });
    assert.is(wrongType.status, 401);
    assert.is(JSON.parse(wrongType.text).detail, 'Token has wrong type');
    const lowerBearer = await rawRequest(t.url, 'GET', '/api/current-user/whoami', {
      headers: { Authorization: `bearer ${access}` },
    });
    assert.is(lowerBearer.status, 401, 'Bearer is case-sensitive');

    assert.is(await blacklist(pat), 204);
    blacklisted = true;
    // An access token issued before the blacklist keeps working until it expires.
    const stillValid = await rawRequest(t.url, 'GET', '/api/current-user/whoami', {
      headers: { Authorization: `Bearer ${access}` },
    });
    assert.is(stillValid.status, 200);
    const revoked = await expectApiError(t.client({ token: pat }).whoami());
    assert.is(revoked.status, 401);
    assert.is(revoked.detail, 'Token is blacklisted');
    const again = await rawRequest(t.url, 'POST', '/api/token/blacklist/', {
      body: { refresh: pat },
      headers: { Authorization: `Token ${t.token}` },
    });
    assert.is(again.status, 404);
    // 1.17.0 says so in other words.
    assert.equal(JSON.parse(again.text), {
      detail: releaseAtLeast('1.20') ? 'Token is invalid or already blacklisted.' : 'Token is blacklisted',
    });
  } finally {
    if (!blacklisted) await blacklist(pat);
  }
});

onlyFrom(
  test,
  '1.17',
  'personal access tokens',
)('refresh errors: garbage is "Token is invalid", a missing field is a 400', async () => {
  const garbage = await rawRequest(t.url, 'POST', '/api/token/refresh/', { body: { refresh: 'garbage' } });
  assert.is(garbage.status, 401);
  assert.is(JSON.parse(garbage.text).detail, 'Token is invalid');
  const missing = await rawRequest(t.url, 'POST', '/api/token/refresh/', { body: {} });
  assert.is(missing.status, 400);
  assert.equal(JSON.parse(missing.text).validation_errors, { refresh: ['This field is required.'] });
});

if (targetKind() === 'fake') {
  // Waiting out a real 5-minute access token, or switching a shared server's auth settings, is
  // not something a contract run should do; the fake reproduces what was observed on 1.23.2.
  test('fake: an expired access token is refreshed transparently (before exp, and once on a 401)', async () => {
    const fake = t.fake!;
    // An access token living 20 s is inside the client's 30 s margin from the moment it is issued,
    // so it is replaced before every call; still valid on the server, a slow machine cannot turn
    // that into a 401 and a third refresh (a 1 s token could expire at the next second boundary).
    fake.state.accessTokenLifetimeSeconds = 20;
    const pat = await createPat(legacy);
    try {
      const withPat = t.client({ token: pat });
      await withPat.whoami();
      await withPat.whoami();
      assert.is(withPat.http.stats.refreshes, 2, 'the access token about to expire was replaced before the call');

      // The server's clock runs ahead: the client still trusts its token, the server says 401.
      fake.state.accessTokenLifetimeSeconds = 300;
      const skewed = t.client({ token: pat });
      await skewed.whoami();
      fake.state.clockOffsetMs += 301_000;
      await skewed.whoami();
      assert.is(skewed.http.stats.refreshes, 2, 'one refresh after the 401, then the call went through');
    } finally {
      fake.state.clockOffsetMs = 0;
      await blacklist(pat);
    }
  });

  test('fake: legacy tokens switched off for the organisation give their own 401', async () => {
    const fake = t.fake!;
    fake.state.jwtSettings.legacy_api_tokens_enabled = false;
    try {
      const err = await expectApiError(legacy.whoami());
      assert.is(err.status, 401);
      assert.is(
        err.detail,
        'Authentication token no longer valid: legacy token authentication has been disabled for this organization',
      );
      const wrong = await expectApiError(t.client({ token: 'wrongtoken123' }).whoami());
      assert.is(wrong.detail, 'Invalid token.');
    } finally {
      fake.state.jwtSettings.legacy_api_tokens_enabled = true;
    }
  });
}

/** On a shared server another run may hold this user's one PAT for a moment: wait for it. */
async function createPat(client: LabelStudioClient): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.createPersonalAccessToken();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409 || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 1_500));
    }
  }
}

async function blacklist(pat: string): Promise<number> {
  const res = await rawRequest(t.url, 'POST', '/api/token/blacklist/', {
    body: { refresh: pat },
    headers: { Authorization: `Token ${t.token}` },
  });
  return res.status;
}

test.run();
