/**
 * A fake of GitLab's merge request notes API (`/api/v4/projects/:id/merge_requests/:iid/notes`):
 * list (pages with `x-next-page`), create, update, delete; system notes among the others;
 * 401 for a bad `PRIVATE-TOKEN`, 403 for a token without the right, 404 for another project.
 * Who a token is: `GET /user` answers its username (a project access token's bot user by
 * default; `addToken` adds others, such as a person's), and notes are written by it. Merge
 * requests merged as a commit are found from it (`repository/commits/:sha/merge_requests`).
 */
import { pageOf, serveFake, type FakeReply, type FakeRequest, type FakeServer } from './serve.ts';

export interface FakeNote {
  readonly id: number;
  readonly iid: number;
  body: string;
  readonly system: boolean;
  /** The username of who wrote it. */
  readonly author: string;
}

/** A merge request as `repository/commits/:sha/merge_requests` shows it. */
export interface FakeMergeRequest {
  readonly iid: number;
  state: 'opened' | 'merged' | 'closed';
  /** The head of the source branch. */
  sha: string;
  /** Every commit of the source branch (the head included). */
  commits: string[];
  targetBranch: string;
  mergeCommitSha: string | null;
  squashCommitSha: string | null;
  mergedAt: string | null;
}

export interface FakeGitLab extends FakeServer {
  /** `CI_API_V4_URL`. */
  readonly apiUrl: string;
  readonly projectId: string;
  /** A project access token; its bot user is `username`. */
  readonly token: string;
  readonly username: string;
  readonly notes: Map<number, FakeNote>;
  readonly mergeRequests: Map<number, FakeMergeRequest>;
  readOnly: boolean;
  /** Another token the fake accepts, of the user `username`. */
  addToken(token: string, username: string): void;
  addNote(iid: number, body: string, system?: boolean, author?: string): number;
  notesOn(iid: number): FakeNote[];
  addMergeRequest(mr: Partial<FakeMergeRequest> & { readonly iid: number }): FakeMergeRequest;
}

export async function startFakeGitLab(
  opts: { projectId?: string; token?: string; username?: string; mergeRequests?: readonly number[] } = {},
): Promise<FakeGitLab> {
  const projectId = opts.projectId ?? '4242';
  const token = opts.token ?? 'glpat-fakeGitLabToken0123456789';
  // GitLab names a project access token's user project_<id>_bot_<random>.
  const username = opts.username ?? 'project_4242_bot_5f0c2a';
  const users = new Map<string, string>([[token, username]]);
  const notes = new Map<number, FakeNote>();
  const mergeRequests = new Map<number, FakeMergeRequest>();
  let nextId = 500;
  let state: { readOnly: boolean } = { readOnly: false };
  const addNote = (iid: number, body: string, system = false, author = username) => {
    const id = nextId++;
    notes.set(id, { id, iid, body, system, author });
    return id;
  };
  const addMergeRequest = (mr: Partial<FakeMergeRequest> & { readonly iid: number }): FakeMergeRequest => {
    const sha = mr.sha ?? String(mr.iid).padStart(40, 'd');
    const made: FakeMergeRequest = {
      state: 'opened',
      targetBranch: 'main',
      mergeCommitSha: null,
      squashCommitSha: null,
      mergedAt: null,
      ...mr,
      sha,
      commits: [...new Set([...(mr.commits ?? []), sha])],
    };
    mergeRequests.set(mr.iid, made);
    return made;
  };
  for (const iid of opts.mergeRequests ?? [7]) addMergeRequest({ iid });
  const json = (n: FakeNote) => ({
    id: n.id,
    body: n.body,
    system: n.system,
    noteable_iid: n.iid,
    author: { username: n.author },
  });
  const mrJson = (mr: FakeMergeRequest) => ({
    iid: mr.iid,
    project_id: 4242,
    state: mr.state,
    sha: mr.sha,
    merge_commit_sha: mr.mergeCommitSha,
    squash_commit_sha: mr.squashCommitSha,
    target_branch: mr.targetBranch,
    source_branch: `branch-${mr.iid}`,
    merged_at: mr.mergedAt,
    web_url: `https://gitlab.example.com/acme/labels/-/merge_requests/${mr.iid}`,
  });

  const handle = (req: FakeRequest): FakeReply => {
    const who = users.get(String(req.headers['private-token'] ?? ''));
    if (!who) return { status: 401, body: { message: '401 Unauthorized' } };
    if (req.path === '/api/v4/user' && req.method === 'GET')
      return { status: 200, body: { id: 9001, username: who, name: who, bot: who.includes('_bot_') } };
    const c = /^\/api\/v4\/projects\/([^/]+)\/repository\/commits\/([^/]+)\/merge_requests$/.exec(req.path);
    if (c && req.method === 'GET') {
      if (decodeURIComponent(c[1]!) !== projectId) return { status: 404, body: { message: '404 Project Not Found' } };
      const sha = decodeURIComponent(c[2]!).toLowerCase();
      const found = [...mergeRequests.values()].filter(
        (mr) => mr.commits.includes(sha) || mr.mergeCommitSha === sha || mr.squashCommitSha === sha,
      );
      const { items, page, last } = pageOf(found, req.query, 20);
      return {
        status: 200,
        body: items.map(mrJson),
        headers: {
          'x-page': String(page),
          'x-total-pages': String(last),
          'x-next-page': page < last ? String(page + 1) : '',
        },
      };
    }
    const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(req.path);
    if (!m || decodeURIComponent(m[1]!) !== projectId || !mergeRequests.has(Number(m[2])))
      return { status: 404, body: { message: '404 Not found' } };
    const iid = Number(m[2]);
    if (req.method !== 'GET' && state.readOnly) return { status: 403, body: { message: '403 Forbidden' } };
    const body = (req.body ?? {}) as { body?: unknown };
    if (!m[3]) {
      if (req.method === 'GET') {
        const all = [...notes.values()]
          .filter((n) => n.iid === iid)
          .sort((a, b) => (req.query.get('sort') === 'asc' ? a.id - b.id : b.id - a.id));
        const { items, page, last } = pageOf(all, req.query, 20);
        return {
          status: 200,
          body: items.map(json),
          headers: {
            'x-page': String(page),
            'x-total-pages': String(last),
            'x-next-page': page < last ? String(page + 1) : '',
          },
        };
      }
      if (req.method === 'POST') {
        if (typeof body.body !== 'string' || !body.body)
          return { status: 400, body: { message: { body: ["can't be blank"] } } };
        return { status: 201, body: json(notes.get(addNote(iid, body.body, false, who))!) };
      }
    } else {
      const note = notes.get(Number(m[3]));
      if (!note || note.iid !== iid) return { status: 404, body: { message: '404 Note Not Found' } };
      if (req.method === 'PUT') {
        if (typeof body.body !== 'string') return { status: 400, body: { error: 'body is missing' } };
        note.body = body.body;
        return { status: 200, body: json(note) };
      }
      if (req.method === 'DELETE') {
        notes.delete(note.id);
        return { status: 204 };
      }
    }
    return { status: 405, body: { message: '405 Method Not Allowed' } };
  };

  const server = await serveFake(handle);
  const fake = Object.assign(server, {
    apiUrl: `${server.url}/api/v4`,
    projectId,
    token,
    username,
    notes,
    mergeRequests,
    readOnly: false,
    addToken: (t: string, user: string) => void users.set(t, user),
    addNote,
    notesOn: (iid: number) => [...notes.values()].filter((n) => n.iid === iid).sort((a, b) => a.id - b.id),
    addMergeRequest,
  });
  state = fake;
  return fake;
}
