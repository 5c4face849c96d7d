import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../util/errors.ts';

const run = promisify(execFile);

export interface PublishRequest {
  /** Any directory inside the git work tree whose remote receives the images. */
  readonly cwd: string;
  readonly outDir: string;
  /** Files of outDir to publish. */
  readonly files: readonly string[];
  readonly branch: string;
  readonly remote: string;
  /** Folder in the branch for this run's images (`pr-12/3f9c2ab`), so runs never overwrite each other. */
  readonly folder: string;
  /** URL of the branch's files: `https://github.com/OWNER/REPO/raw/BRANCH`. */
  readonly urlBase: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Tries against a push that lost a race with another run's (non-fast-forward). */
const PUSH_ATTEMPTS = 4;

/**
 * Commits the images onto `branch` of the remote, beside what earlier runs left there, without
 * touching the work tree, the index or the current branch (git plumbing with a private index),
 * and pushes. Two runs publishing at once both land: a rejected push is rebuilt on the new tip.
 * Returns each file's URL.
 */
export async function publishToBranch(req: PublishRequest): Promise<Record<string, string>> {
  if (!/^[A-Za-z0-9._/-]+$/.test(req.branch) || req.branch.includes('..'))
    throw new UserError(`--publish-branch ${req.branch}: not a usable branch name`);
  const tmp = await mkdtemp(join(tmpdir(), 'labelform-publish-'));
  const env = {
    ...req.env,
    GIT_INDEX_FILE: join(tmp, 'index'),
    GIT_AUTHOR_NAME: 'labelform preview',
    GIT_AUTHOR_EMAIL: 'labelform-preview@users.noreply.github.com',
    GIT_COMMITTER_NAME: 'labelform preview',
    GIT_COMMITTER_EMAIL: 'labelform-preview@users.noreply.github.com',
    GIT_TERMINAL_PROMPT: '0',
  };
  const git = async (args: string[]) => {
    try {
      return (await run('git', args, { cwd: req.cwd, env, maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
    } catch (err) {
      const e = err as { code?: string | number; stderr?: string };
      if (e.code === 'ENOENT') throw new UserError('--publish-branch needs git, which is not installed');
      throw Object.assign(new Error(e.stderr?.trim() || String(err)), { gitFailed: true });
    }
  };
  // Private to this call: two publishes at once (in one process or two) never share it.
  const localRef = `refs/labelform/preview-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    // Fetched and pushed by URL, so no remote-tracking ref (or FETCH_HEAD) is written: two runs at
    // once in one clone would otherwise fight over those locks. A URL's credentials (an
    // actions/checkout extraheader) apply all the same.
    const url = await git(['remote', 'get-url', req.remote]).catch(() => req.remote);
    const blobs = new Map<string, string>();
    for (const f of req.files) blobs.set(f, await git(['hash-object', '-w', join(req.outDir, f)]));
    for (let attempt = 1; ; attempt++) {
      let parent: string | undefined;
      try {
        await git([
          'fetch',
          '--quiet',
          '--no-tags',
          '--no-write-fetch-head',
          url,
          `+refs/heads/${req.branch}:${localRef}`,
        ]);
        parent = await git(['rev-parse', localRef]);
      } catch (err) {
        if (!/couldn't find remote ref|could not find remote ref/i.test((err as Error).message))
          throw publishError(req, 'fetch', err);
      }
      await git(parent ? ['read-tree', parent] : ['read-tree', '--empty']);
      for (const [f, blob] of blobs)
        await git(['update-index', '--add', '--cacheinfo', `100644,${blob},${req.folder}/${f}`]);
      const tree = await git(['write-tree']);
      const commit = await git([
        'commit-tree',
        tree,
        ...(parent ? ['-p', parent] : []),
        '-m',
        `labelform preview: ${req.folder}`,
      ]);
      try {
        await git(['push', '--quiet', url, `${commit}:refs/heads/${req.branch}`]);
        break;
      } catch (err) {
        const raced = /non-fast-forward|fetch first|rejected|failed to update ref|cannot lock ref/i.test(
          (err as Error).message,
        );
        if (!raced || attempt >= PUSH_ATTEMPTS) throw publishError(req, 'push', err);
      }
    }
  } finally {
    await git(['update-ref', '-d', localRef]).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
  const base = req.urlBase.replace(/\/+$/, '');
  return Object.fromEntries(
    req.files.map((f) => [
      f,
      `${base}/${req.folder.split('/').map(encodeURIComponent).join('/')}/${encodeURIComponent(f)}`,
    ]),
  );
}

function publishError(req: PublishRequest, step: string, err: unknown): UserError {
  // A remote URL may carry credentials (https://x-access-token:…@github.com/…): never shown.
  const said = ((err as Error).message ?? String(err)).split('\n')[0]!.replace(/\/\/[^/@\s]+@/g, '//');
  return new UserError(
    `--publish-branch ${req.branch}: git ${step} to ${req.remote} failed: ${said}`,
    [],
    'In GitHub Actions the job needs `permissions: contents: write` and a checkout that keeps its credentials (actions/checkout does by default).',
  );
}
