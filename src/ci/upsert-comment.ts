import { carriesMarker } from './marker.ts';

/** A comment on a pull request or a note on a merge request. */
export interface ThreadComment {
  readonly id: number;
  readonly body: string;
  readonly url?: string;
}

/** The comments of one pull request (GitHub) or merge request (GitLab): the port the upsert uses. */
export interface CommentThread {
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
  /** Other comments with the same marker, removed. */
  readonly removed: readonly number[];
}

/**
 * Creates or updates the one comment carrying `marker`. Two runs that both found none both
 * create one: each then lists again and settles on the lowest id, which every racing run
 * chooses too, writes its body there and removes the other copies (as `apply` settles a create).
 */
export async function upsertMarkedComment(thread: CommentThread, marker: string, body: string): Promise<UpsertResult> {
  const mine = marked(await thread.list(), marker);
  const first = mine[0];
  if (first) {
    const comment = await thread.update(first.id, body);
    return { action: 'updated', comment, removed: await removeAll(thread, mine.slice(1)) };
  }
  const created = await thread.create(body);
  const after = marked(await thread.list(), marker);
  const lowest = after[0];
  if (!lowest || lowest.id >= created.id) {
    return { action: 'created', comment: created, removed: await removeAll(thread, after.filter((c) => c.id !== created.id)) };
  }
  const comment = await thread.update(lowest.id, body);
  // Ours goes too, also when the list did not show it yet.
  const others = [...after.filter((c) => c.id !== lowest.id && c.id !== created.id), created];
  return { action: 'updated', comment, removed: await removeAll(thread, others) };
}

function marked(comments: readonly ThreadComment[], marker: string): ThreadComment[] {
  return comments.filter((c) => carriesMarker(c.body, marker)).sort((a, b) => a.id - b.id);
}

async function removeAll(thread: CommentThread, comments: readonly ThreadComment[]): Promise<number[]> {
  for (const c of comments) await thread.remove(c.id);
  return comments.map((c) => c.id);
}
