import { defineKind } from '../define-kind.ts';
import type { ResourceKind } from '../kind.ts';
import { storageAdopter } from './adopt.ts';
import { storageApplier } from './apply.ts';
import { compareStorage, normaliseStorageField } from './compare.ts';
import { readLiveStorages } from './live.ts';
import { storageLoader } from './load.ts';
import { storagePlanner } from './plan.ts';
import { parentsToRead, readsKind } from '../shared/read-scope.ts';
import { specDigest } from '../shared/spec-digest.ts';
import { storageToManifest } from './to-manifest.ts';
import { SYNC_FIELD } from './sync-state.ts';
import { STORAGE_TYPES, type Direction, type LiveStorage, type StorageResource } from './types.ts';

/**
 * One storage kind per direction (ImportStorage, ExportStorage), each in its own folder with one
 * line, made here from the code they share. Identity: a marker line in the storage's
 * description, which also keeps the fingerprint of its secrets. Storages are read per managed
 * project only when the repository declares some of the kind, with --prune, or for pull, and
 * then only for the projects that may carry some (see parentsToRead).
 */
export function storageKind(direction: Direction): ResourceKind<StorageResource, LiveStorage> {
  const kind = direction === 'import' ? 'ImportStorage' : 'ExportStorage';
  // How a project's marker records that it carries managed storages of this kind (never change them: markers hold them).
  const code = direction === 'import' ? 'is' : 'es';
  return defineKind<StorageResource, LiveStorage>({
    kind,
    schema: `${direction}-storage`,
    parent: 'Project',
    noun: `${direction} storage`,
    recordedAs: code,
    load: storageLoader(direction),
    readLive: (client, opts) => {
      if (!readsKind(kind, opts)) return Promise.resolve([]);
      return readLiveStorages(
        client,
        direction,
        parentsToRead(opts, 'Project', { kind, recordedAs: code }),
        opts.namespace,
      );
    },
    normalise: (field, value) => normaliseStorageField(field, value),
    diff: (d, l) => compareStorage(direction, d, l),
    // A sync that never finished is the server's side missing data (other fields: no record of the last apply).
    attribute: (field) => (field === SYNC_FIELD ? 'server' : 'unknown'),
    plan: storagePlanner(direction),
    digest: (s) => specDigest(s, (field) => STORAGE_TYPES[s.spec.type].secrets.includes(field)),
    startApply: storageApplier(direction),
    adopt: storageAdopter(direction),
    toManifest: storageToManifest(direction),
  });
}
