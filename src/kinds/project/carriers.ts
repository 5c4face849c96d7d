import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { deleteIgnoringGone } from '../shared/apply-child.ts';
import type { LsProject } from '../../api/types.ts';
import { LOOKUP_INCLUDE, readAllProjects, readProjectsNewerThan } from './project-list.ts';
import { parseMarker, type Marker } from './marker.ts';

/** A project carrying an ownership marker, with what tells a fresh, empty copy. */
export interface Carrier {
  readonly id: number;
  readonly title: string;
  readonly marker: Marker;
  readonly tasks: number;
  readonly annotations: number;
}

/**
 * Which projects carry which marker, kept current during an apply. Seeded from the live state
 * read at plan time; `refresh` reads only the projects created since (usually one request), so
 * checking after every create stays cheap with thousands of projects on the server.
 */
export interface MarkerIndex {
  refresh(): Promise<void>;
  /** Every known project carrying this marker, lowest id first. */
  carriers(marker: Marker): Carrier[];
  /** Records a project this run created or learned about from an answer. */
  add(p: LsProject): void;
  forget(id: number): void;
  /** The highest project id seen. */
  readonly highestId: number;
}

export function createMarkerIndex(client: LabelStudioClient, seed: readonly LsProject[]): MarkerIndex {
  const byId = new Map<number, Carrier>();
  let highest = 0;
  const add = (p: LsProject) => {
    highest = Math.max(highest, p.id);
    const c = toCarrier(p);
    if (c) byId.set(p.id, c);
    else byId.delete(p.id);
  };
  for (const p of seed) add(p);
  return {
    async refresh() {
      for (const p of await readProjectsNewerThan(client, highest, LOOKUP_INCLUDE)) add(p);
    },
    carriers: (m) => [...byId.values()].filter((c) => sameMarker(c.marker, m)).sort((a, b) => a.id - b.id),
    add,
    forget: (id) => void byId.delete(id),
    get highestId() {
      return highest;
    },
  };
}

/** Every project on the server carrying this marker, lowest id first (reads the whole list). */
export async function findMarkedProjects(client: LabelStudioClient, marker: Marker): Promise<Carrier[]> {
  return (await readAllProjects(client, LOOKUP_INCLUDE))
    .map(toCarrier)
    .filter((c): c is Carrier => c !== undefined && sameMarker(c.marker, marker));
}

export interface Settlement {
  /** The project the key settles on: the lowest id, so racing runs choose the same one. */
  readonly winner: Carrier;
  /** Copies deleted: provably fresh, empty copies made during this run. */
  readonly removed: readonly number[];
  /** Copies left in place, with why (they hold data, or predate this run). */
  readonly left: ReadonlyArray<{ readonly id: number; readonly reason: string }>;
}

export interface SettleOptions {
  /** Copies this run's own POST made (the server may have run it twice): deleted at once. */
  readonly own?: (id: number) => boolean;
  /** Waits before a copy made by another run is removed here: that run normally removes it itself. */
  readonly waitsMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly index?: MarkerIndex;
}

/** 0.5 s, 1 s, 2 s: a racing run settles its own copy within a request or two. */
const OTHERS_WAITS_MS = [500, 1000, 2000];

/**
 * Settles a key carried by more than one project on exactly one: the lowest id wins, so every
 * run settling the same key chooses the same survivor. A copy is deleted only when it is
 * provably a fresh, empty copy: it carries the same marker, was created during this run (an id
 * above `createdAfter`), and — read again right before the delete — has no tasks and no
 * annotations. Anything else is left and reported with its id.
 *
 * Each run deletes the copies its own POST made at once. A copy another run made is left to that
 * run for a few seconds and deleted here only if it is still there afterwards (the other run died
 * before settling): deletes from two clients at once are what leave Label Studio's model signals
 * switched off process-wide (reference §11; `temporary_disconnect_all_signals` is not reentrant),
 * so racing runs avoid deleting at the same time.
 */
export async function settleCarriers(
  client: LabelStudioClient,
  carriers: readonly Carrier[],
  createdAfter: number,
  opts: SettleOptions = {},
): Promise<Settlement> {
  const [winner, ...others] = [...carriers].sort((a, b) => a.id - b.id);
  if (!winner) throw new Error('settleCarriers needs at least one carrier');
  const { index } = opts;
  const removed: number[] = [];
  const left: Array<{ id: number; reason: string }> = [];
  const theirs: Carrier[] = [];
  /** Reads a copy again and deletes it when it is still a fresh, empty carrier of the key. */
  const removeIfEmpty = async (copy: Carrier): Promise<void> => {
    const now = await readProject(client, copy.id);
    if (!now) {
      index?.forget(copy.id); // its own run settled it
      return;
    }
    const fresh = toCarrier(now);
    if (!fresh || !sameMarker(fresh.marker, winner.marker)) {
      index?.add(now);
      return; // no longer a copy of this key
    }
    if (fresh.tasks > 0 || fresh.annotations > 0) {
      left.push({ id: copy.id, reason: `it holds ${fresh.tasks} task(s) and ${fresh.annotations} annotation(s)` });
      return;
    }
    await deleteIgnoringGone(() => client.deleteProject(copy.id));
    index?.forget(copy.id);
    removed.push(copy.id);
  };
  for (const copy of others) {
    if (copy.id <= createdAfter) left.push({ id: copy.id, reason: 'it existed before this run' });
    else if (opts.own?.(copy.id)) await removeIfEmpty(copy);
    else theirs.push(copy);
  }
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (const ms of opts.waitsMs ?? OTHERS_WAITS_MS) {
    if (theirs.length === 0) break;
    await sleep(ms);
    for (const copy of [...theirs]) {
      if (!(await readProject(client, copy.id))) {
        index?.forget(copy.id);
        theirs.splice(theirs.indexOf(copy), 1);
      }
    }
  }
  for (const copy of theirs) await removeIfEmpty(copy);
  return { winner, removed, left };
}

/** A project with the lookup fields (marker, counters), or undefined when it is gone (404). */
export async function readProject(client: LabelStudioClient, id: number): Promise<LsProject | undefined> {
  try {
    return await client.http.request<LsProject>('GET', `/api/projects/${id}/`, { params: { include: LOOKUP_INCLUDE } });
  } catch (err) {
    if (isApiError(err) && err.status === 404) return undefined;
    throw err;
  }
}

function toCarrier(p: LsProject): Carrier | undefined {
  const marker = parseMarker(p.description);
  if (!marker) return undefined;
  return {
    id: p.id,
    title: p.title ?? '',
    marker,
    tasks: Number(p.task_number ?? 0) || 0,
    annotations: Number(p.total_annotations_number ?? 0) || 0,
  };
}

function sameMarker(a: Marker, b: Marker): boolean {
  return a.namespace === b.namespace && a.key === b.key;
}
