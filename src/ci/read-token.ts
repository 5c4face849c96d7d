import type { Io } from '../util/io.ts';
import { UserError } from '../util/errors.ts';

/** The token for GitHub or GitLab from the variable the user named; a clear error when unset. */
export function readToken(io: Io, tokenEnv: string, flag: string, hint: string): string {
  const token = io.env[tokenEnv];
  if (!token)
    throw new UserError(
      `${flag}: ${tokenEnv} is not set; labelform writes with the token it holds`,
      [],
      `${hint}, or name another variable with ${flag}-token-env.`,
    );
  return token;
}
