import type { Issue, IssueTracker } from './github-threads.ts';

export type DriftIssueOutcome =
  | { readonly action: 'opened' | 'updated' | 'closed'; readonly issue: Issue }
  /** No drift, and no open issue to close. */
  | { readonly action: 'none' }
  /** The check had errors and found no drift: it cannot say the drift is gone, so the issue stays as it is. */
  | { readonly action: 'left' };

export interface DriftIssueInput {
  readonly marker: string;
  readonly title: string;
  /** The issue body: starts with the marker. */
  readonly body: string;
  /** The comment written when the drift is gone, before closing. */
  readonly closingComment: string;
  readonly drift: boolean;
  readonly errors: boolean;
}

/**
 * Keeps one open issue per directory and environment in step with the drift check: opened (or
 * its body updated) while there is drift, closed with a comment once there is none. A check with
 * errors and no drift leaves it alone: an incomplete check must not close it. The issue is the
 * one `tracker.findOpen` returns: carrying the marker and opened by the token's own account, so
 * a look-alike anyone else opened is never updated or closed.
 */
export async function syncDriftIssue(tracker: IssueTracker, input: DriftIssueInput): Promise<DriftIssueOutcome> {
  if (!input.drift && input.errors) return { action: 'left' };
  const open = await tracker.findOpen(input.marker);
  if (input.drift) {
    if (open) return { action: 'updated', issue: await tracker.update(open.number, input.title, input.body) };
    return { action: 'opened', issue: await tracker.open(input.title, input.body) };
  }
  if (!open) return { action: 'none' };
  await tracker.comment(open.number, input.closingComment);
  await tracker.close(open.number);
  return { action: 'closed', issue: open };
}
