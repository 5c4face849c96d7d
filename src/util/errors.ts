import type { Diagnostic } from './diagnostics.ts';

/**
 * A user mistake or an environment problem that stops a command: printed as one clear message
 * (no stack trace), exit code 1. Bugs are any other exception.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
