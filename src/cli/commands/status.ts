import { resolve } from 'node:path';
import { decodeJwtPayload } from '../../api/auth.ts';
import { atLeast, FEATURE_NAMES, FEATURE_SINCE, showSince, supports, type Feature } from '../../api/server-versions.ts';
import { PROJECT_FIELD_SINCE } from '../../kinds/project/fields.ts';
import { loadRootConfig } from '../../manifest/load-root-config.ts';
import { UserError } from '../../util/errors.ts';
import { assertTrustedCheckout } from '../ci-trust.ts';
import { connect, resolveEnvironment, withServer } from '../connect.ts';
import { styleFor, type Io } from '../../util/io.ts';

export interface StatusArgs {
  readonly dir: string;
  readonly env?: string;
  readonly json: boolean;
  readonly debug: boolean;
}

/**
 * `labelform status`: checks the URL and token of an environment and reports the server
 * version, the user and the auth scheme in use, or exactly what is wrong.
 */
export async function runStatus(io: Io, args: StatusArgs): Promise<number> {
  const { config, diagnostics } = await loadRootConfig(args.dir, io.cwd);
  if (diagnostics.some((d) => d.severity === 'error'))
    throw new UserError('labelform.yaml is not valid; run `labelform validate`', diagnostics);
  const target = resolveEnvironment(config, args.env, io.env);
  await assertTrustedCheckout(io.env, resolve(io.cwd, args.dir));
  const client = connect(target, io, { debug: args.debug });
  // /api/version/ needs no credentials: it separates "not Label Studio" from "wrong token".
  const version = await withServer(target, () => client.version());
  if (typeof version?.release !== 'string') {
    throw new UserError(
      `${target.url} answered /api/version/ without a release: it does not look like a Label Studio server`,
    );
  }
  const user = await withServer(target, () => client.whoami());
  const scheme =
    client.http.scheme === 'personal-access-token'
      ? 'personal access token (JWT, exchanged for short-lived access tokens)'
      : 'legacy token';
  const pat = client.http.scheme === 'personal-access-token' ? decodeJwtPayload(target.token) : undefined;
  const result = {
    environment: target.name,
    url: target.url,
    version: version.release,
    edition: typeof version.edition === 'string' ? version.edition : undefined,
    user: { id: user.id, email: user.email },
    auth: client.http.scheme,
    tokenEnv: target.tokenEnv,
    ...(pat?.exp ? { tokenExpires: new Date(pat.exp * 1000).toISOString() } : {}),
    // What this release has, from labelform's table (src/api/server-versions.ts, project fields.ts).
    supports: Object.fromEntries(
      (Object.keys(FEATURE_SINCE) as Feature[]).map((f) => [f, supports(version.release, f)]),
    ),
    projectFieldsMissing: Object.entries(PROJECT_FIELD_SINCE)
      .filter(([, since]) => !atLeast(version.release, since))
      .map(([field, since]) => ({ field, since })),
    requests: client.http.stats.requests,
  };
  if (args.json) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const s = styleFor(io.color);
  io.stdout(
    [
      `${s.green('✔')} Label Studio ${result.version}${result.edition ? ` (${result.edition})` : ''} at ${target.url}`,
      `  environment: ${target.name}${config ? '' : ' (from LABEL_STUDIO_URL; no labelform.yaml here)'}`,
      `  user:        ${user.email} (id ${user.id})`,
      `  auth:        ${scheme}, from ${target.tokenEnv}${result.tokenExpires ? `; token valid until ${result.tokenExpires}` : ''}`,
      `  supports:    ${(Object.keys(FEATURE_SINCE) as Feature[]).map((f) => `${result.supports[f] ? s.green('✔') : s.red('✘')} ${FEATURE_NAMES[f]} (${showSince(FEATURE_SINCE[f])}+)`).join('\n               ')}`,
      ...(result.projectFieldsMissing.length
        ? [
            `  not on this server: ${result.projectFieldsMissing.map((m) => `${m.field} (${showSince(m.since)}+)`).join(', ')}; a manifest that sets one is a plan error`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}
