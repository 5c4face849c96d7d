import type { AppliedFrom } from '../kinds/project/applied-record.ts';
import { execGit, readCheckout, type RunGit } from './git.ts';

export type { RunGit };

/**
 * Where an apply runs from, for the ownership marker: CI's own variables first (`GITHUB_SHA`
 * with `GITHUB_REPOSITORY`, GitLab's `CI_COMMIT_SHA` with `CI_PROJECT_PATH`), else the commit
 * checked out in the repository, marked `-dirty` when the manifests' folder has uncommitted
 * changes (then the commit alone is not what was applied). Nothing when none of these is known
 * (no git, not a repository): the marker then records the values without a commit.
 */
export async function readAppliedFrom(
  env: Readonly<Record<string, string | undefined>>,
  root: string,
  runGit: RunGit = execGit,
): Promise<AppliedFrom> {
  const fromCi = ciCommit(env);
  if (fromCi) return fromCi;
  const checkout = await readCheckout(runGit, root);
  return checkout ? { commit: `${checkout.head.slice(0, COMMIT_LENGTH)}${checkout.dirty ? '-dirty' : ''}` } : {};
}

/** 12 hex digits: unambiguous in any repository of ordinary size, short enough to read. */
const COMMIT_LENGTH = 12;

function ciCommit(env: Readonly<Record<string, string | undefined>>): AppliedFrom | undefined {
  for (const [shaVar, repoVar] of [
    ['GITHUB_SHA', 'GITHUB_REPOSITORY'],
    ['CI_COMMIT_SHA', 'CI_PROJECT_PATH'],
  ] as const) {
    const sha = env[shaVar]?.trim().toLowerCase();
    if (!sha || !/^[0-9a-f]{40}$/.test(sha)) continue;
    const repository = env[repoVar]?.trim();
    return {
      commit: sha.slice(0, COMMIT_LENGTH),
      ...(repository && /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(repository) ? { repository } : {}),
    };
  }
  return undefined;
}
