import { diag } from '../../util/diagnostics.ts';
import { parseDuration } from '../../util/duration.ts';
import type { LoadContext, ManifestDocument } from '../kind.ts';
import { parentNames, specResource, writtenSpecValue } from '../shared/load-child.ts';
import { textCredentialErrors, valuePosition } from '../shared/text-credentials.ts';
import { urlCredentialErrors } from '../shared/url-credentials.ts';
import { STORAGE_TYPES, storageFields, type Direction, type StorageManifest, type StorageResource } from './types.ts';

/**
 * Storage manifests as resources, with what the schema cannot say: the Project exists, every
 * field applies to the storage's type and direction, every secret comes from `${env:...}` (a
 * literal one is an error at its line), a URL-shaped value (`s3_endpoint`, a Redis `host`) holds
 * no credential written in git (user info, a token parameter: an error at the credential), and
 * S3 keys come as a pair (S3 needs both).
 */
/** The shortest `sync.every`: each sync lists the whole bucket or prefix. */
export const MIN_SYNC_EVERY_MS = 60_000;

export function storageLoader(direction: Direction) {
  const kind = direction === 'import' ? 'ImportStorage' : 'ExportStorage';
  return async (docs: readonly ManifestDocument<StorageManifest>[], ctx: LoadContext): Promise<StorageResource[]> => {
    const projects = parentNames(ctx, 'Project');
    const out: StorageResource[] = [];
    for (const doc of docs) {
      const { raw, value, envPointers } = doc;
      const { spec } = value;
      const at = (pointer: string, key = false) => ({
        file: raw.doc.file,
        ...raw.doc.locate(pointer, { key }),
        pointer,
      });
      if (!projects.has(spec.project)) ctx.diagnostics.push(projects.missing(spec.project, raw.doc, '/spec/project'));
      const type = spec.type;
      const allowed = new Set(['project', 'type', ...storageFields(direction, type), ...STORAGE_TYPES[type].secrets]);
      for (const field of Object.keys(spec)) {
        if (!allowed.has(field))
          ctx.diagnostics.push(
            diag('rule', `${field} does not apply to ${direction} storage of type ${type}`, at(`/spec/${field}`, true)),
          );
      }
      for (const secret of STORAGE_TYPES[type].secrets) {
        if (spec[secret] !== undefined && !envPointers.includes(`/spec/${secret}`)) {
          ctx.diagnostics.push(
            diag(
              'secret-literal',
              `${secret} is a secret written in git; take it from \${env:NAME} (it is then kept out of plans and logs)`,
              at(`/spec/${secret}`),
            ),
          );
        }
      }
      // A URL-shaped value (s3_endpoint, a Redis host, a description that is a link) is under the one credential rule.
      for (const field of storageFields(direction, type)) {
        if (typeof spec[field] !== 'string') continue;
        const found = urlCredentialErrors(raw.doc, `/spec/${field}`, field, { value: spec[field], envPointers });
        // A link inside text (a description that mentions one) is under the rule too.
        const written = writtenSpecValue(raw, field);
        if (found.length === 0 && typeof written === 'string')
          found.push(
            ...textCredentialErrors(
              written,
              field,
              raw.doc.file,
              `/spec/${field}`,
              valuePosition(raw.doc, `/spec/${field}`),
            ),
          );
        ctx.diagnostics.push(...found);
      }
      if (type === 's3' && (spec.aws_access_key_id === undefined) !== (spec.aws_secret_access_key === undefined)) {
        ctx.diagnostics.push(
          diag(
            'rule',
            'aws_access_key_id and aws_secret_access_key go together (S3 needs both; Label Studio 1.23 stores one without the other and fails only when it syncs)',
            at(spec.aws_access_key_id === undefined ? '/spec/aws_secret_access_key' : '/spec/aws_access_key_id'),
          ),
        );
      }
      if (type === 'redis' && spec.db === 0) {
        // io_storages/redis/models.py refuses db 0 (to guard the default database) and the API says only "Can't connect to Redis server.".
        ctx.diagnostics.push(
          diag(
            'rule',
            'db 0 is refused by Label Studio (it guards the default database; the server only says "Can\'t connect to Redis server."): use 1 or more',
            at('/spec/db'),
          ),
        );
      }
      // `sync: {every}` (import storages: the schema allows it nowhere else): watch's schedule.
      const every = (value as { sync?: { every?: string } }).sync?.every;
      const everyMs = every === undefined ? undefined : parseDuration(every);
      if (every !== undefined && (everyMs === undefined || everyMs < MIN_SYNC_EVERY_MS))
        ctx.diagnostics.push(
          diag(
            'rule',
            `sync.every "${every}" is too often: at least 1m (a sync lists the whole bucket)`,
            at('/sync/every'),
          ),
        );
      const resource = specResource(kind, doc, { parent: spec.project, spec, env: true });
      out.push(
        everyMs !== undefined && everyMs >= MIN_SYNC_EVERY_MS ? { ...resource, syncEveryMs: everyMs } : resource,
      );
    }
    return out;
  };
}
