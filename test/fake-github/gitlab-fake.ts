/**
 * A fake of GitLab's merge request notes API (`/api/v4/projects/:id/merge_requests/:iid/notes`):
 * list (pages with `x-next-page`), create, update, delete; system notes among the others;
 * 401 for a bad `PRIVATE-TOKEN`, 403 for a token without the right, 404 for another project.
 */
import { pageOf, serveFake, type FakeReply, type FakeRequest, type FakeServer } from './serve.ts';

export interface FakeNote {
  readonly id: number;
  readonly iid: number;
  body: string;
  readonly system: boolean;
}

export interface FakeGitLab extends FakeServer {
  /** `CI_API_V4_URL`. */
  readonly apiUrl: string;
  readonly projectId: string;
  readonly token: string;
  readonly notes: Map<number, FakeNote>;
  readOnly: boolean;
  addNote(iid: number, body: string, system?: boolean): number;
  notesOn(iid: number): FakeNote[];
}

export async function startFakeGitLab(opts: { projectId?: string; token?: string; mergeRequests?: readonly number[] } = {}): Promise<FakeGitLab> {
  const projectId = opts.projectId ?? '4242';
  const token = opts.token ?? 'glpat-fakeGitLabToken0123456789';
  const mergeRequests = new Set(opts.mergeRequests ?? [7]);
  const notes = new Map<number, FakeNote>();
  let nextId = 500;
  let state: { readOnly: boolean } = { readOnly: false };
  const addNote = (iid: number, body: string, system = false) => {
    const id = nextId++;
    notes.set(id, { id, iid, body, system });
    return id;
  };
  const json = (n: FakeNote) => ({ id: n.id, body: n.body, system: n.system, noteable_iid: n.iid, author: { username: 'labelform-bot' } });

  const handle = (req: FakeRequest): FakeReply => {
    const given = req.headers['private-token'];
    if (given !== token) return { status: 401, body: { message: '401 Unauthorized' } };
    const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(req.path);
    if (!m || decodeURIComponent(m[1]!) !== projectId || !mergeRequests.has(Number(m[2]))) return { status: 404, body: { message: '404 Not found' } };
    const iid = Number(m[2]);
    if (req.method !== 'GET' && state.readOnly) return { status: 403, body: { message: '403 Forbidden' } };
    const body = (req.body ?? {}) as { body?: unknown };
    if (!m[3]) {
      if (req.method === 'GET') {
        const all = [...notes.values()].filter((n) => n.iid === iid).sort((a, b) => (req.query.get('sort') === 'asc' ? a.id - b.id : b.id - a.id));
        const { items, page, last } = pageOf(all, req.query, 20);
        return { status: 200, body: items.map(json), headers: { 'x-page': String(page), 'x-total-pages': String(last), 'x-next-page': page < last ? String(page + 1) : '' } };
      }
      if (req.method === 'POST') {
        if (typeof body.body !== 'string' || !body.body) return { status: 400, body: { message: { body: ["can't be blank"] } } };
        return { status: 201, body: json(notes.get(addNote(iid, body.body))!) };
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
    notes,
    readOnly: false,
    addNote,
    notesOn: (iid: number) => [...notes.values()].filter((n) => n.iid === iid).sort((a, b) => a.id - b.id),
  });
  state = fake;
  return fake;
}
