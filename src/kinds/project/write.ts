import type { LabelStudioClient, ProjectWrite } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { LOOKUP_INCLUDE, readAllProjects } from './project-list.ts';
import { createMarkerIndex, settleCarriers, type MarkerIndex, type Settlement } from './carriers.ts';
import type { ProjectResource } from './types.ts';
import { isProjectField } from './fields.ts';
import { recordApplied, type AppliedFrom } from './applied-record.ts';
import { stripMarker, withMarker, type Marker } from './marker.ts';

/**
 * The POST body for a new project: every field the manifest sets, and the marker with the record
 * of what was applied, with the kinds of children about to be created under it (`children`).
 */
export function createBody(
  desired: ProjectResource,
  marker: Marker,
  from: AppliedFrom = {},
  children: readonly string[] = [],
): ProjectWrite {
  const body: Record<string, unknown> = { ...desired.spec };
  // A new project has no annotations: every declared migration is done on it from the start.
  body.description = withMarker(
    desired.spec.description ?? '',
    marker,
    recordApplied(
      desired,
      from,
      desired.migrations.map((m) => m.id),
      children,
    ),
  );
  return body;
}

/**
 * The PATCH body for an existing project: the given fields, and the description with the marker
 * after the person-written part. Whenever anything is written the marker's record is rewritten
 * for every managed field (after the write the project holds all of them as git has them), so
 * the description is always sent. Nothing to write gives an empty body. `children`: the kinds of
 * children the record lists (absent: a record of no children at all, as an older marker's).
 */
export function updateBody(
  desired: ProjectResource,
  fields: readonly string[],
  liveDescription: string,
  marker: Marker,
  addMarker: boolean,
  from: AppliedFrom = {},
  doneMigrations: readonly string[] = [],
  children?: readonly string[],
): ProjectWrite {
  const body: Record<string, unknown> = {};
  // A name that is not a project field (none comes from a plan) has no value, as before.
  for (const f of fields) body[f] = isProjectField(f) ? desired.spec[f] : undefined;
  if (fields.length || addMarker) {
    body.description = withMarker(
      desired.spec.description ?? stripMarker(liveDescription),
      marker,
      recordApplied(desired, from, doneMigrations, children),
    );
  }
  return body;
}

export interface CreateOutcome {
  /** The project the key settled on (not always the one this run's POST made). */
  readonly id: number;
  /** Set when the project was found instead of created (a run that died after its POST, or a racing run). */
  readonly found?: 'before-post' | 'after-failed-post';
  /** The id this run's POST returned, when the key settled on another project. */
  readonly createdId?: number;
  /** Copies removed and copies left when more than one project carried the marker. */
  readonly removed: readonly number[];
  readonly left: Settlement['left'];
}

export interface CreateContext {
  /** Known carriers, kept current through the run; default: one read of the whole list. */
  readonly index?: MarkerIndex;
  /** Projects with a higher id were created during this run (default: the index's highest id now). */
  readonly createdAfter?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates a project for a marker exactly once, and settles the key on one project afterwards.
 *
 * Before the POST it looks for the marker (an earlier run may have died after its POST, or a
 * racing run may have made it). After a POST whose answer was lost (network error, timeout, 5xx)
 * it looks again before trying a second time; a create is never retried blindly. After the POST
 * it reads what was created since and settles the key on the lowest id: on SQLite the server
 * re-runs a POST that hit a locked database (reference §12.2) and a racing apply may have posted
 * too, so more than one project can carry the marker even though this run posted once. When the
 * answer's id follows the highest id known with no gap, neither can have happened and the read
 * is skipped: one request per create in the common case.
 */
export async function createProjectOnce(
  client: LabelStudioClient,
  body: ProjectWrite,
  marker: Marker,
  ctx: CreateContext = {},
): Promise<CreateOutcome> {
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const index = ctx.index ?? createMarkerIndex(client, await readAllProjects(client, LOOKUP_INCLUDE));
  const createdAfter = ctx.createdAfter ?? index.highestId;
  const settle = async (
    found?: CreateOutcome['found'],
    createdId?: number,
    own?: (id: number) => boolean,
  ): Promise<CreateOutcome> => {
    const s = await settleCarriers(client, index.carriers(marker), createdAfter, {
      index,
      sleep,
      ...(own ? { own } : {}),
    });
    return {
      id: s.winner.id,
      ...(found ? { found } : {}),
      ...(createdId !== undefined && createdId !== s.winner.id ? { createdId } : {}),
      removed: s.removed,
      left: s.left,
    };
  };
  if (index.carriers(marker).length > 0) return settle('before-post');
  // Projects above this id and up to the answer's were made by this run's POST: the server may
  // have run it more than once, and only the last run's answer reaches us.
  const before = index.highestId;
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await client.createProject(body);
      index.add(created);
      // The id right after the highest one known: nothing was created between, so the server ran
      // this POST once and no racing run made the key meanwhile (project ids only grow: SQLite
      // AUTOINCREMENT, PostgreSQL sequences; pinned in the contract suite). A copy a racing run
      // posts later is that run's to settle, and the caller's last look reads once more.
      if (created.id === before + 1 && index.carriers(marker).length === 1)
        return { id: created.id, removed: [], left: [] };
      await index.refresh();
      return await settle(undefined, created.id, (id) => id > before && id <= created.id);
    } catch (err) {
      // A refused connection (or a name that does not resolve) sent nothing: there is nothing to look for.
      const unsent =
        isApiError(err) && err.kind === 'network' && (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND');
      const ambiguous =
        isApiError(err) && !unsent && (err.kind === 'network' || err.kind === 'timeout' || (err.status ?? 0) >= 500);
      if (!ambiguous || attempt >= 2) throw err;
      // The server may have created it and only the answer was lost: look before posting again,
      // and post again only when a look positively found nothing.
      let lookedOk = false;
      for (let look = 0; look < 3; look++) {
        await sleep(400 * (look + 1));
        try {
          await index.refresh();
          if (index.carriers(marker).length > 0)
            return await settle('after-failed-post', undefined, (id) => id > before);
          lookedOk = true;
        } catch {
          // the server is still unreachable; look again
        }
      }
      if (!lookedOk) throw err;
    }
  }
}
