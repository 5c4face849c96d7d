import { carriesMarker } from './marker.ts';

/** A comment on a pull request or a note on a merge request. */
export interface ThreadComment {
  readonly id: number;
  readonly body: string;
  /** The login (GitHub) or username (GitLab) of who wrote it. */
  readonly author: string;
  readonly url?: string;
}

/** The comments of one pull request (GitHub) or merge request (GitLab): the port the upsert uses. */
export interface CommentThread {
  /**
   * The login labelform posts as: the account of the token in use, read from the API (once per
   * thread). Only comments this account wrote are ever updated or removed.
   */
  self(): Promise<string>;
  /** Every comment, all pages, oldest first. */
  list(): Promise<ThreadComment[]>;
  create(body: string): Promise<ThreadComment>;
  update(id: number, body: string): Promise<ThreadComment>;
  /** Removes a comment; one already gone is not an error. */
  remove(id: number): Promise<void>;
}

export interface UpsertResult {
  readonly action: 'created' | 'updated';
  readonly comment: ThreadComment;
  /** Other comments of ours with the same marker, removed. */
  readonly removed: readonly number[];
}

/**
 * Creates or updates the one comment carrying `marker` that labelform's own account wrote. A
 * comment anyone else wrote with the same first line is left alone: never edited, never removed
 * (anyone can type the marker). Two runs that both found none both create one: each then lists
 * again and settles on the lowest id among its own account's, which every racing run chooses too,
 * writes its body there and removes the other copies (as `apply` settles a create).
 */
export async function upsertMarkedComment(thread: CommentThread, marker: string, body: string): Promise<UpsertResult> {
  // The thread first: a wrong repository or token is said as what it is.
  const comments = await thread.list();
  const self = await thread.self();
  const mine = ownMarked(comments, marker, self);
  const first = mine[0];
  if (first) {
    const comment = await thread.update(first.id, body);
    return { action: 'updated', comment, removed: await removeAll(thread, mine.slice(1)) };
  }
  const created = await thread.create(body);
  if (created.author !== self) throw identityMismatch(created, self);
  const after = ownMarked(await thread.list(), marker, self);
  const lowest = after[0];
  if (!lowest || lowest.id >= created.id) {
    return {
      action: 'created',
      comment: created,
      removed: await removeAll(
        thread,
        after.filter((c) => c.id !== created.id),
      ),
    };
  }
  const comment = await thread.update(lowest.id, body);
  // Ours goes too, also when the list did not show it yet.
  const others = [...after.filter((c) => c.id !== lowest.id && c.id !== created.id), created];
  return { action: 'updated', comment, removed: await removeAll(thread, others) };
}

/** The comments that carry `marker` on their first line and were written by `self`, oldest (lowest id) first. */
export function ownMarked(comments: readonly ThreadComment[], marker: string, self: string): ThreadComment[] {
  return comments.filter((c) => c.author === self && carriesMarker(c.body, marker)).sort((a, b) => a.id - b.id);
}

/**
 * The API named another author for the comment just created than the identity it gave for the
 * token: every later run would miss it and post one more. Said loudly rather than repeated.
 */
function identityMismatch(created: ThreadComment, self: string): Error {
  return new Error(
    `the comment just created (${created.id}) is by "${created.author}", but the token reads as "${self}"; labelform would not find it again`,
  );
}

async function removeAll(thread: CommentThread, comments: readonly ThreadComment[]): Promise<number[]> {
  for (const c of comments) await thread.remove(c.id);
  return comments.map((c) => c.id);
}
