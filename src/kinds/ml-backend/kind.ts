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

/** How a project's marker records that it carries managed ML backends (never change it: markers hold it). */
const ML_BACKEND_CODE = 'ml';

/**
 * `kind: MlBackend`: an ML backend connected to a project. Identity: a marker line in its
 * description. The list needs a project and makes the server call every backend, so backends are
 * read only with --prune, for pull, or when the repository declares some, and then only for the
 * managed projects that may carry some: those whose marker records ML backends (`recordedAs`),
 * or older markers, or those the manifests give backends (see parentsToRead).
 */
export const mlBackendKind = defineKind<MlBackendResource, LiveMlBackend>({
  kind: 'MlBackend',
  schema: 'ml-backend',
  parent: 'Project',
  noun: 'ML backend',
  recordedAs: ML_BACKEND_CODE,
  load: loadMlBackends,
  readLive: (client, opts) => {
    if (!readsKind('MlBackend', opts)) return Promise.resolve([]);
    return readLiveMlBackends(
      client,
      parentsToRead(opts, 'Project', { kind: 'MlBackend', recordedAs: ML_BACKEND_CODE }),
      opts.namespace,
    );
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
