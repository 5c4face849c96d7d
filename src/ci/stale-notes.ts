import { createHash } from 'node:crypto';
import type { Plan } from '../generated/schema-types.ts';
import type { Io } from '../util/io.ts';
import { UserError } from '../util/errors.ts';
import { readCiContext } from './ci-context.ts';
import { contextOf, renderFooter } from './compose-report.ts';
import { markerFor } from './marker.ts';
import { decodePlanData } from './plan-data.ts';
import { readToken } from './read-token.ts';
import { scopeFor } from './report-scope.ts';
import { fingerprintOf, movedSince, renderStaleNote, type MovedResource } from './stale-plan.ts';
import { ownMarked, upsertMarkedComment } from './upsert-comment.ts';

export interface StaleNotesOptions {
  /** `-C`: the directory holding labelform.yaml, as given. */
  readonly dir: string;
  /** `-e`, when given. */
  readonly env?: string;
  /** `--comment-token-env` (default GITHUB_TOKEN). */
  readonly tokenEnv?: string;
  /**
   * `--comment-author`: the account whose plan comments are read (default: the token's own). The
   * plan job's account: `github-actions[bot]` when it comments with the workflow token.
   */
  readonly author?: string;
  readonly debug: boolean;
}

/** What one pull request got in a check. */
export interface StaleNoteOutcome {
  readonly number: number;
  /** `noted`: the note written or brought up to date; `cleared`: the note removed (the plan matches again). */
  readonly action: 'noted' | 'cleared';
  readonly moved: readonly MovedResource[];
  readonly url?: string;
}

export interface StaleNotes {
  /**
   * Compares the plan saved in each open pull request's plan comment with `fresh` (a plan of the
   * same server made now) and keeps the stale note in step. A pull request is read again only
   * when it changed (a comment, a push) or the server's state did.
   */
  check(fresh: Plan): Promise<StaleNoteOutcome[]>;
}

/**
 * `watch --comment`: tells the open pull requests whose reviewed plan the server moved under (a
 * change made in the UI, or another pull request's apply), with one note of labelform's own per
 * pull request, directory and environment, removed once the plan matches again. The plan
 * comments read are those of one account (`author`), never anyone's look-alike; the notes are
 * written and removed only as the token's own account. GitHub only, as `--issue`.
 */
export function createStaleNotes(io: Io, opts: StaleNotesOptions): StaleNotes {
  /** Per pull request: when it last changed and the server state it was checked against. */
  const seen = new Map<number, { updatedAt: string; state: string }>();
  let session: Promise<Session> | undefined;
  return {
    check: async (fresh) => {
      session ??= open(io, opts, fresh.server.environment).catch((err: unknown) => {
        session = undefined;
        throw err;
      });
      const s = await session;
      const state = stateOf(fresh);
      const pulls = await s.openPullRequests();
      const out: StaleNoteOutcome[] = [];
      for (const id of seen.keys()) if (!pulls.some((p) => p.number === id)) seen.delete(id);
      for (const pull of pulls) {
        const last = seen.get(pull.number);
        if (last && last.updatedAt === pull.updatedAt && last.state === state) continue;
        const outcome = await s.keep(pull.number, fresh);
        seen.set(pull.number, { updatedAt: pull.updatedAt, state });
        if (outcome) out.push(outcome);
      }
      return out;
    },
  };
}

interface Session {
  openPullRequests(): Promise<ReadonlyArray<{ number: number; updatedAt: string }>>;
  keep(number: number, fresh: Plan): Promise<StaleNoteOutcome | undefined>;
}

async function open(io: Io, opts: StaleNotesOptions, environment: string): Promise<Session> {
  const ci = await readCiContext(io.env);
  if (ci.platform === 'gitlab')
    throw new UserError('--comment of watch writes to GitHub pull requests; on GitLab it is not available yet');
  if (ci.platform === 'none' || !ci.repository)
    throw new UserError(
      '--comment: GITHUB_REPOSITORY is not set to owner/name, so there are no pull requests to look at',
    );
  const repository = ci.repository;
  const tokenEnv = opts.tokenEnv ?? 'GITHUB_TOKEN';
  const token = readToken(
    io,
    tokenEnv,
    '--comment',
    'Give watch a token that can read pull requests and write their comments (pull-requests: write)',
  );
  const scope = await scopeFor(io, opts.dir, environment, opts.env);
  const { gitHubFor } = await import('./github-client.ts');
  const { openPullRequests, ownLogin, pullRequestComments } = await import('./github-threads.ts');
  const gh = gitHubFor(io, token, ci.apiUrl, opts.debug);
  const settings = { tokenEnv, apiUrl: ci.apiUrl };
  const own = ownLogin(gh, settings);
  const planMarker = markerFor('plan', scope);
  const noteMarker = markerFor('stale', scope);
  const footer = renderFooter(contextOf(scope, { platform: 'none' }));
  return {
    openPullRequests: () => openPullRequests(gh, repository, settings),
    keep: async (number, fresh) => {
      const thread = pullRequestComments(gh, repository, number, settings, own);
      const comments = await thread.list();
      const self = await thread.self();
      const planComment = ownMarked(comments, planMarker, opts.author ?? self)[0];
      const decoded = planComment ? decodePlanData(planComment.body, `the plan comment of #${number}`) : undefined;
      const moved = decoded && 'plan' in decoded ? movedSince(decoded.plan, fresh) : [];
      const notes = ownMarked(comments, noteMarker, self);
      if (moved.length) {
        const body = renderStaleNote(noteMarker, moved, { environment: scope.env, footer });
        if (notes.length === 1 && notes[0]!.body.trim() === body.trim()) return undefined;
        const r = await upsertMarkedComment(thread, noteMarker, body);
        return { number, action: 'noted', moved, ...(r.comment.url ? { url: r.comment.url } : {}) };
      }
      if (!notes.length) return undefined;
      for (const n of notes) await thread.remove(n.id);
      return { number, action: 'cleared', moved: [] };
    },
  };
}

/** The live state a fresh plan was made against, as far as the notes go: every change's resource, id and hashes. */
function stateOf(fresh: Plan): string {
  const parts = fresh.changes.map((c) => [c.kind, c.parent?.key ?? '', c.key, c.id ?? null, fingerprintOf(c)]);
  return createHash('sha256')
    .update(JSON.stringify([fresh.server.url, parts]))
    .digest('hex');
}
