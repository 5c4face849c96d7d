import { defineKind } from '../define-kind.ts';
import { adoptMlBackend } from './adopt.ts';
import { startMlBackendApply } from './apply.ts';
import { compareMlBackend, normaliseMlField } from './compare.ts';
import { readLiveMlBackends } from './live.ts';
import { loadMlBackends } from './load.ts';
import { planMlBackend } from './plan.ts';
import { parentsToRead, readsKind } from '../shared/read-scope.ts';
import { specDigest } from '../shared/spec-digest.ts';
import { mlBackendToManifest } from './to-manifest.ts';
import type { LiveMlBackend, MlBackendResource } from './types.ts';

/**
 * `kind: MlBackend`: an ML backend connected to a project. Identity: a marker line in its
 * description. The list needs a project and makes the server call every backend, so backends are
 * read only for the managed projects of a repository that declares some, or with --prune, or for
 * pull (see readLive below).
 */
export const mlBackendKind = defineKind<MlBackendResource, LiveMlBackend>({
  kind: 'MlBackend',
  schema: 'ml-backend',
  parent: 'Project',
  noun: 'ML backend',
  load: loadMlBackends,
  readLive: (client, opts) => {
    if (!readsKind('MlBackend', opts)) return Promise.resolve([]);
    return readLiveMlBackends(client, parentsToRead(opts, 'Project'), opts.namespace);
  },
  normalise: normaliseMlField,
  // The password is compared by its fingerprint (see compare.ts).
  diff: compareMlBackend,
  plan: planMlBackend,
  digest: (b) => specDigest(b, (field) => field === 'basic_auth_pass'),
  startApply: startMlBackendApply,
  adopt: adoptMlBackend,
  toManifest: mlBackendToManifest,
});
