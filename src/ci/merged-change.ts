/**
 * The pull request (GitHub) or merge request (GitLab) that was merged as a given commit on the
 * base branch: what a run on that commit can name as the change it applies.
 */
export interface MergedChange {
  /** The pull request's number, or the merge request's iid. */
  readonly number: number;
  /** The head commit of the change as it was merged (GitHub `head.sha`, GitLab `sha`). */
  readonly headSha: string;
  /** The branch it was merged into (GitHub `base.ref`, GitLab `target_branch`). */
  readonly baseRef: string;
  /** When it was merged (ISO 8601), when the API says. */
  readonly mergedAt?: string;
  /** Its page. */
  readonly url?: string;
}
