/**
 * The environment a GitHub Actions or GitLab CI job gives labelform, for runs against the fakes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeGitHub } from './github-fake.ts';
import type { FakeGitLab } from './gitlab-fake.ts';

export interface GitHubRunOptions {
  /** A pull request number: the event is `pull_request` with this PR and `sha` as its head. */
  readonly pr?: number;
  /** The head commit (pull request) or GITHUB_SHA (other events). */
  readonly sha?: string;
  readonly event?: string;
  /** Where the event payload is written (a test's throwaway directory). */
  readonly dir: string;
  /** A GITHUB_STEP_SUMMARY file in `dir`. */
  readonly summary?: boolean;
  readonly workspace?: string;
  readonly repository?: string;
  readonly token?: string | null;
}

/** GITHUB_* variables of a job on the fake GitHub, and the event payload file they name. */
export function githubEnv(gh: FakeGitHub, opts: GitHubRunOptions): Record<string, string> {
  const sha = opts.sha ?? 'a'.repeat(40);
  const event = opts.event ?? (opts.pr !== undefined ? 'pull_request' : 'push');
  const payload =
    opts.pr !== undefined
      ? {
          action: 'synchronize',
          number: opts.pr,
          pull_request: { number: opts.pr, head: { sha }, base: { ref: 'main' } },
        }
      : { ref: 'refs/heads/main', after: sha };
  const eventPath = join(opts.dir, `event-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(eventPath, JSON.stringify(payload));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: opts.repository ?? `${gh.owner}/${gh.repo}`,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    // On pull_request events GITHUB_SHA is GitHub's merge commit, never the head.
    GITHUB_SHA: opts.pr !== undefined ? 'f'.repeat(40) : sha,
    GITHUB_RUN_ID: '4242',
    ...(opts.token === null ? {} : { GITHUB_TOKEN: opts.token ?? gh.token }),
    ...(opts.summary ? { GITHUB_STEP_SUMMARY: join(opts.dir, 'step-summary.md') } : {}),
    ...(opts.workspace ? { GITHUB_WORKSPACE: opts.workspace } : {}),
  };
}

/** CI_* variables of a merge request pipeline on the fake GitLab. */
export function gitlabEnv(
  gl: FakeGitLab,
  opts: { iid?: number | null; sha?: string; token?: string | null; tokenEnv?: string } = {},
): Record<string, string> {
  return {
    GITLAB_CI: 'true',
    CI_API_V4_URL: gl.apiUrl,
    CI_PROJECT_ID: gl.projectId,
    CI_PROJECT_URL: 'https://gitlab.example.com/acme/labels',
    CI_COMMIT_SHA: opts.sha ?? 'c'.repeat(40),
    CI_JOB_URL: 'https://gitlab.example.com/acme/labels/-/jobs/99',
    ...(opts.iid === null
      ? {}
      : {
          CI_MERGE_REQUEST_IID: String(opts.iid ?? 7),
          CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: opts.sha ?? 'c'.repeat(40),
        }),
    ...(opts.token === null ? {} : { [opts.tokenEnv ?? 'GITLAB_TOKEN']: opts.token ?? gl.token }),
  };
}
