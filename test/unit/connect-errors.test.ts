import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError } from '../../src/api/errors.ts';
import { explainApiError, resolveEnvironment, type ResolvedEnvironment } from '../../src/cli/connect.ts';

const target: ResolvedEnvironment = {
  name: 'default',
  url: 'http://ls.example:8080',
  token: 'secret-token-value',
  tokenEnv: 'LABEL_STUDIO_API_KEY',
  urlSource: 'LABEL_STUDIO_URL',
  timeoutMs: 30000,
  concurrency: 4,
};
const explain = (e: ApiError) => {
  const u = explainApiError(e, target);
  return `${u.message}${u.hint ? ` | ${u.hint}` : ''}`;
};

test('each failure has its own message', () => {
  assert.match(
    explain(
      new ApiError(
        'network',
        'GET',
        '/api/version/',
        undefined,
        'cannot connect to http://ls.example:8080: connection refused',
        undefined,
        'ECONNREFUSED',
      ),
    ),
    /^cannot reach Label Studio at http:\/\/ls\.example:8080 \(LABEL_STUDIO_URL\): .*connection refused/,
  );
  assert.match(
    explain(new ApiError('timeout', 'GET', '/api/version/', undefined, 'no answer within 30 s', undefined)),
    /^cannot reach Label Studio .*no answer within 30 s/,
  );
  assert.match(
    explain(new ApiError('not-label-studio', 'GET', '/api/version/', 200, 'answered with an HTML page', undefined)),
    /does not look like a Label Studio server/,
  );
  assert.match(
    explain(new ApiError('http', 'GET', '/api/current-user/whoami', 401, 'Invalid token.', undefined)),
    /^the API token in LABEL_STUDIO_API_KEY was rejected by http:\/\/ls\.example:8080: Invalid token\./,
  );
  assert.match(
    explain(
      new ApiError(
        'http',
        'GET',
        '/api/current-user/whoami',
        401,
        'Authentication token no longer valid: legacy token authentication has been disabled for this organization',
        undefined,
      ),
    ),
    /legacy token authentication is disabled for this organization \| Fix: use a personal access token instead .* POST \/api\/jwt\/settings/,
  );
  assert.match(
    explain(new ApiError('http', 'POST', '/api/token/refresh/', 401, 'Token is blacklisted', undefined)),
    /personal access token in LABEL_STUDIO_API_KEY cannot be exchanged for an access token: it has been revoked/,
  );
  assert.match(
    explain(new ApiError('http', 'POST', '/api/token/refresh/', 401, 'Token is invalid or expired', undefined)),
    /cannot be exchanged for an access token: it has expired/,
  );
  assert.match(
    explain(new ApiError('http', 'POST', '/api/token/refresh/', 401, 'Token is invalid', undefined)),
    /cannot be exchanged for an access token: the server does not accept it/,
  );
  assert.match(
    explain(
      new ApiError('http', 'GET', '/api/projects/', 401, 'Authentication credentials were not provided.', undefined),
    ),
    /refused the credentials from LABEL_STUDIO_API_KEY .* personal access tokens are enabled/,
  );
  assert.match(
    explain(
      new ApiError(
        'http',
        'GET',
        '/api/projects/',
        403,
        'You do not have permission to perform this action.',
        undefined,
      ),
    ),
    /^the user behind LABEL_STUDIO_API_KEY may not do this/,
  );
  for (const kind of ['network', 'http'] as const) {
    assert.not.match(explain(new ApiError(kind, 'GET', '/x', 401, 'Invalid token.', undefined)), /secret-token-value/);
  }
});

test('environment settings: each missing or malformed one named exactly', () => {
  assert.throws(
    () => resolveEnvironment(undefined, undefined, {}),
    /LABEL_STUDIO_URL is not set: environment "default" has no url/,
  );
  assert.throws(
    () => resolveEnvironment(undefined, undefined, { LABEL_STUDIO_URL: 'localhost:8080' }),
    /LABEL_STUDIO_URL: "localhost:8080" is not an http\(s\) URL/,
  );
  assert.throws(
    () => resolveEnvironment(undefined, undefined, { LABEL_STUDIO_URL: 'http://x' }),
    /LABEL_STUDIO_API_KEY is not set: environment "default" reads its Label Studio API token from it/,
  );
  const ok = resolveEnvironment(undefined, undefined, {
    LABEL_STUDIO_URL: ' http://x/ls/ ',
    LABEL_STUDIO_API_KEY: ' tok-123456 ',
  });
  assert.equal([ok.url, ok.token, ok.tokenEnv], ['http://x/ls/', 'tok-123456', 'LABEL_STUDIO_API_KEY']);
});

test.run();
