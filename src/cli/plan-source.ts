import type { PlanSource } from '../generated/schema-types.ts';
import { readCiContext } from '../ci/ci-context.ts';
import { execGit, readCheckout, type RunGit } from './git.ts';

/**
 * What a plan is made from, for the plan itself: the commit checked out (what was actually read,
 * which under `pull_request` is GitHub's merge commit and under `pull_request_target` the base),
 * and in a pull request's or merge request's job, that request and its head commit. Nothing of
 * it when there is no git and no CI.
 */
export async function readPlanSource(
  env: Readonly<Record<string, string | undefined>>,
  root: string,
  runGit: RunGit = execGit,
): Promise<PlanSource> {
  const checkout = await readCheckout(runGit, root);
  const ci = await readCiContext(env).catch(() => undefined);
  const pullRequest =
    ci?.platform === 'github' && ci.pullRequest && ci.commit && ci.event !== 'pull_request_target'
      ? { number: ci.pullRequest.number, headSha: ci.commit.sha.toLowerCase() }
      : ci?.platform === 'gitlab' && ci.mergeRequestIid && ci.commit
        ? { number: ci.mergeRequestIid, headSha: ci.commit.sha.toLowerCase() }
        : undefined;
  return {
    ...(checkout ? { commit: checkout.head } : {}),
    ...(checkout?.dirty ? { dirty: true } : {}),
    ...(pullRequest && /^[0-9a-f]{40}$/.test(pullRequest.headSha) ? { pullRequest } : {}),
  };
}
