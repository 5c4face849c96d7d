import { storageKind } from '../storage/make-kind.ts';

/** `kind: ExportStorage`: where a project's annotations go (s3, gcs, azure, redis, localfiles). */
export const exportStorageKind = storageKind('export');
