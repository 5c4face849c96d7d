import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { Refusal, type ApplyRun, type KindApplier } from '../kind.ts';
import { confirmedDelete, deleteIgnoringGone, need } from '../shared/apply-child.ts';
import { createSettled } from '../shared/create-settled.ts';
import {
  parseDescriptionMarker,
  secretFingerprint,
  stripDescriptionMarker,
  withDescriptionMarker,
} from '../shared/description-marker.ts';
import { declaredSecrets } from './compare.ts';
import { syncStorage, waitForSync } from './sync.ts';
import { explainS3Failure, SYNC_FIELD, syncOutcome, syncRunning, twinOf, unsynced } from './sync-state.ts';
import {
  itemPath,
  listPath,
  STORAGE_TYPES,
  storageFields,
  type Direction,
  type LiveStorage,
  type LsStorage,
  type StorageResource,
  type StorageType,
} from './types.ts';

/**
 * Storage steps. The secrets are sent on create, and on an update only when their fingerprint
 * changed (a PATCH without them keeps the stored ones); the marker line records the fingerprint.
 * A new import storage is synced once, and so is one the plan found never synced (the `sync`
 * field); an export storage syncs itself on create, and how that sync ended is read back; one
 * whose last sync failed is synced when the plan says so. A sync that does not complete fails the
 * step (the storage stays, and the next plan asks for the sync again). Creates are settled like a
 * webhook's: extra copies carrying the marker are deleted.
 */
export function storageApplier(direction: Direction) {
  return (run: ApplyRun<LiveStorage>): KindApplier<StorageResource> => {
    const { client } = run;
    return {
      async create(change, desired, parentId) {
        const want = need(desired, change.key);
        if (parentId === undefined) throw new Refusal(`its project ${want.parent} has no id`);
        const type = want.spec.type;
        const { found, ...done } = await createSettled<LsStorage>({
          carriers: () => carriers(client, direction, parentId, run.namespace, change.key),
          create: async () =>
            (
              await client.http
                .request<LsStorage>('POST', listPath(direction, type), {
                  data: writeBody(direction, want, undefined, run.namespace, parentId, true),
                })
                .catch(explained(want, direction))
            ).id,
          update: async (s) =>
            void (await client.http
              .request('PATCH', itemPath(direction, s.type, s.id), {
                data: writeBody(direction, want, s, run.namespace, parentId, true),
                idempotent: true,
              })
              .catch(explained(want, direction))),
          remove: (copy) =>
            deleteIgnoringGone(() => client.http.request('DELETE', itemPath(direction, copy.type, copy.id))),
        });
        if (direction === 'export') {
          const note = await exportSynced(client, want, found, done.id, run.sleep);
          if (note) done.notes.push(note);
          return done;
        }
        // Synced once: also when an earlier run died between its create and its sync (and the
        // next plan asks for the sync of one whose sync never finished).
        // Not when another of the project's import storages reads the same objects (a storage
        // given a new key): tasks are only told apart per storage, so a sync would import them again.
        const twin = twinOf(want, { id: done.id, type }, parentId, run.live);
        if (twin)
          done.notes.push(
            `not synced: import storage ${twin.id} reads the same objects, and a sync would import them again as new tasks; sync it with \`labelform storage sync\` if that is what you want`,
          );
        else if (
          (want.spec.synchronizable ?? found?.synchronizable) !== false &&
          (!found || (unsynced('import', found) && !syncRunning(found)))
        ) {
          done.notes.push(
            await syncOnce(client, direction, want, type, done.id, `created as id ${done.id}, but `, run.sleep),
          );
        }
        return done;
      },
      async update(change, desired, parentId) {
        const want = need(desired, change.key);
        const sync = change.fields.some((f) => f.field === SYNC_FIELD);
        const written = change.fields.filter((f) => f.field !== SYNC_FIELD);
        const live = await client.http.request<LsStorage>('GET', itemPath(direction, want.spec.type, change.id));
        if (written.length || change.action === 'adopt') {
          const sendSecrets =
            written.some((f) => STORAGE_TYPES[want.spec.type].secrets.includes(f.field)) || change.action === 'adopt';
          await client.http
            .request('PATCH', itemPath(direction, want.spec.type, change.id), {
              data: writeBody(direction, want, live, run.namespace, parentId ?? live.project, sendSecrets),
              idempotent: true,
            })
            .catch(explained(want, direction));
        }
        if (!sync) return { id: change.id };
        // Read just now: a racing run (or the UI) may have synced it since the plan, or be syncing it.
        if (syncRunning(live))
          return { id: change.id, notes: [`not synced: a sync of it is running now (status ${String(live.status)})`] };
        if (!unsynced(direction, live))
          return { id: change.id, notes: ['not synced: a sync of it finished since the plan'] };
        const note = await syncOnce(
          client,
          direction,
          want,
          want.spec.type,
          change.id,
          written.length || change.action === 'adopt'
            ? `${change.action === 'adopt' ? 'adopted' : 'updated'}, but `
            : '',
          run.sleep,
        );
        return { id: change.id, notes: [note] };
      },
      delete: (change) =>
        confirmedDelete(run, change, 'what was typed back did not match', () => {
          // Ids are counted per storage type: the one to delete is the one with this id that
          // carries this key's marker (prunes and copies only ever delete marked storages).
          const live = run.live.find(
            (l) => l.id === change.id && l.marker?.namespace === run.namespace && l.marker.key === change.key,
          );
          if (!live) throw new Refusal(`no storage with id ${change.id} carries the marker of ${change.key} any more`);
          return client.http.request('DELETE', itemPath(direction, live.raw.type, change.id));
        }),
    };
  };
}

/** Every managed field, the project, the description with the marker, the secrets when asked. */
export function writeBody(
  direction: Direction,
  desired: StorageResource,
  live: LsStorage | undefined,
  namespace: string,
  projectId: number,
  sendSecrets: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = { project: projectId };
  for (const f of storageFields(direction, desired.spec.type))
    if (f !== 'description' && desired.spec[f] !== undefined) body[f] = desired.spec[f];
  const secrets = STORAGE_TYPES[desired.spec.type].secrets.filter((s) => desired.spec[s] !== undefined);
  if (sendSecrets) for (const s of secrets) body[s] = desired.spec[s];
  const kept = live ? parseDescriptionMarker(live.description)?.secret : undefined;
  const fingerprint = !secrets.length
    ? undefined
    : sendSecrets
      ? secretFingerprint(namespace, desired.name, declaredSecrets(desired))
      : kept;
  body.description = withDescriptionMarker(
    String(desired.spec.description ?? stripDescriptionMarker(live?.description ?? '')),
    { namespace, key: desired.name, ...(fingerprint ? { secret: fingerprint } : {}) },
  );
  return body;
}

async function carriers(
  client: LabelStudioClient,
  direction: Direction,
  projectId: number,
  namespace: string,
  key: string,
): Promise<LsStorage[]> {
  const list = await client.http.request<LsStorage[]>(
    'GET',
    direction === 'import' ? '/api/storages/' : '/api/storages/export',
    { params: { project: projectId } },
  );
  return list
    .filter(
      (s) =>
        s.project === projectId &&
        parseDescriptionMarker(s.description)?.namespace === namespace &&
        parseDescriptionMarker(s.description)?.key === key,
    )
    .sort((a, b) => a.id - b.id);
}

/**
 * Syncs a storage and waits for the end; a sync that does not complete is a Refusal (the step
 * fails, apply exits 1), saying what was done before it (`done`: "created as id 3, but ").
 */
async function syncOnce(
  client: LabelStudioClient,
  direction: Direction,
  want: StorageResource,
  type: StorageType,
  id: number,
  done: string,
  sleep: ((ms: number) => Promise<void>) | undefined,
): Promise<string> {
  const synced = await syncStorage(client, direction, type, id, sleep ? { sleep } : {}).catch((err: unknown) => {
    const why = explainS3Failure(err, want, direction) ?? (isApiError(err) ? err.message : undefined);
    if (why) throw new Refusal(`${done}its sync failed: ${why}; \`labelform plan\` shows the sync until one completes`);
    throw err;
  });
  return syncedNote(direction, want, synced, `${done}its sync `);
}

/**
 * How the sync Label Studio ran inside an export storage's create ended (SYNC_ON_TARGET_STORAGE_CREATION):
 * the create answers the storage as it was when the sync was queued, so it is read again (and
 * waited for while a job queue runs it). One found already carrying the marker (an earlier run
 * died after its create) is synced when its last sync failed.
 */
async function exportSynced(
  client: LabelStudioClient,
  want: StorageResource,
  found: LsStorage | undefined,
  id: number,
  sleep: ((ms: number) => Promise<void>) | undefined,
): Promise<string | undefined> {
  const type = want.spec.type;
  const now = await client.http.request<LsStorage>('GET', itemPath('export', type, id));
  if (found) {
    if (syncRunning(now)) return `not synced: a sync of it is running now (status ${String(now.status)})`;
    if (unsynced('export', now) && (want.spec.synchronizable ?? now.synchronizable) !== false)
      return syncOnce(client, 'export', want, type, id, `found as id ${id}, but `, sleep);
    return undefined;
  }
  const ended = await waitForSync(client, 'export', now, sleep ? { sleep } : {});
  if (ended.status === 'initialized' && !ended.last_sync)
    return "not synced: this server does not sync a new export storage (SYNC_ON_TARGET_STORAGE_CREATION is off), so the project's existing annotations are not in it; `labelform storage sync` writes them (each annotation saved from now on is written as it is saved)";
  return syncedNote('export', want, ended, `created as id ${id}, but the sync Label Studio runs on create `);
}

/** "synced: N …" for a sync that completed; a Refusal naming how it ended otherwise. */
function syncedNote(direction: Direction, want: StorageResource, synced: LsStorage, failedPrefix: string): string {
  const outcome = syncOutcome(direction, synced);
  // A sync that completed with errors set last_sync: another would refuse the same objects again.
  if (!outcome.ok) {
    const planned = unsynced(direction, synced) && (want.spec.synchronizable ?? synced.synchronizable) !== false;
    throw new Refusal(
      `${failedPrefix}${outcome.message}${planned ? '; `labelform plan` shows the sync until one completes' : ''}`,
    );
  }
  return direction === 'import' ? `synced: ${outcome.count} from it` : `synced: ${outcome.count} to it`;
}

/** A write's error, explained when Label Studio hid why it could not reach the S3 bucket. */
function explained(want: StorageResource, direction: Direction) {
  return (err: unknown): never => {
    const why = explainS3Failure(err, want, direction);
    throw why ? new Refusal(why) : err;
  };
}
