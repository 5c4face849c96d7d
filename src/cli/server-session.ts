import { resolve } from 'node:path';
import { assertTrustedCheckout } from './ci-trust.ts';
import type { LabelStudioClient } from '../api/client.ts';
import { loadRootConfig } from '../manifest/load-root-config.ts';
import type { RootConfig } from '../manifest/types.ts';
import { UserError } from '../util/errors.ts';
import { connect, resolveEnvironment, type ResolvedEnvironment } from './connect.ts';
import type { Io } from '../util/io.ts';

/** For commands that need a server but not the manifests: labelform.yaml if there is one. */
export async function openServer(
  io: Io,
  args: { dir: string; env?: string; debug?: boolean },
): Promise<{ config?: RootConfig; target: ResolvedEnvironment; client: LabelStudioClient }> {
  const { config, diagnostics } = await loadRootConfig(args.dir, io.cwd);
  if (diagnostics.some((d) => d.severity === 'error'))
    throw new UserError('labelform.yaml is not valid; run `labelform validate`', diagnostics);
  const target = resolveEnvironment(config, args.env, io.env);
  await assertTrustedCheckout(io.env, resolve(io.cwd, args.dir));
  return { ...(config ? { config } : {}), target, client: connect(target, io, { debug: args.debug ?? false }) };
}
