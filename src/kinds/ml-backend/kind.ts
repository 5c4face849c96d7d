import type { ResourceKind } from '../kind.ts';
import { adoptMlBackend } from './adopt.ts';
import { startMlBackendApply } from './apply.ts';
import { compareMlBackend, normaliseMlField } from './compare.ts';
import { readLiveMlBackends } from './live.ts';
import { loadMlBackends } from './load.ts';
import { planMlBackend } from './plan.ts';
import { parentsToRead, readsKind } from '../shared/read-scope.ts';
import { mlBackendToManifest } from './to-manifest.ts';
import type { LiveMlBackend, MlBackendResource, MlField } from './types.ts';

/**
 * `kind: MlBackend`: an ML backend connected to a project. Identity: a marker line in its
 * description. The list needs a project and makes the server call every backend, so backends are
 * read only for the managed projects of a repository that declares some, or with --prune, or for
 * pull (see readLive below).
 */
export const mlBackendKind: ResourceKind<MlBackendResource, LiveMlBackend> = {
  kind: 'MlBackend',
  schema: 'ml-backend',
  parent: 'Project',
  noun: 'ML backend',
  load: loadMlBackends,
  desired: (repo) => (repo.resources?.MlBackend ?? []) as readonly MlBackendResource[],
  readLive: (client, opts) => {
    if (!readsKind('MlBackend', opts)) return Promise.resolve([]);
    return readLiveMlBackends(client, parentsToRead(opts), opts.namespace);
  },
  identify: (live) => live.marker,
  normalise: (field, value) => normaliseMlField(field as MlField, value),
  diff: compareMlBackend,
  plan: planMlBackend,
  orphan: (b) => ({ id: b.id, key: b.marker!.key, title: b.title, annotations: 0 }),
  planPrune: (o, b, ctx) =>
    ctx.change({
      action: 'delete',
      kind: 'MlBackend',
      key: o.key,
      ...(o.parent ? { parent: o.parent } : {}),
      id: o.id,
      title: b.title,
      fields: [],
    }),
  digest: (b) => ({
    spec: Object.fromEntries(
      Object.entries(b.spec).map(([k, v]) => [k, b.sensitive.has(k) || k === 'basic_auth_pass' ? '(sensitive)' : v]),
    ),
    import: b.importId ?? null,
  }),
  startApply: startMlBackendApply,
  adopt: adoptMlBackend,
  toManifest: mlBackendToManifest,
};
