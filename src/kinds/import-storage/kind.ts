import { storageKind } from '../storage/make-kind.ts';

/** `kind: ImportStorage`: where a project's tasks come from (s3, gcs, azure, redis, localfiles). */
export const importStorageKind = storageKind('import');
