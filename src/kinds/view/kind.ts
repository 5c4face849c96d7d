import type { ResourceKind } from '../kind.ts';
import { adoptView } from './adopt.ts';
import { startViewApply } from './apply.ts';
import { compareView, normaliseViewField } from './compare.ts';
import { readLiveViews } from './live.ts';
import { loadViews } from './load.ts';
import { planView } from './plan.ts';
import { readsKind } from '../shared/read-scope.ts';
import { viewToManifest } from './to-manifest.ts';
import type { LiveView, ViewField, ViewResource } from './types.ts';

/**
 * `kind: View`: a Data Manager tab of a project. Identity: a `labelformManaged` key in the tab's
 * `data` (see marker.ts), and its title within the project when a save in the UI dropped it.
 */
export const viewKind: ResourceKind<ViewResource, LiveView> = {
  kind: 'View',
  schema: 'view',
  parent: 'Project',
  noun: 'view',
  load: loadViews,
  desired: (repo) => (repo.resources?.View ?? []) as readonly ViewResource[],
  readLive: (client, opts) =>
    readsKind('View', opts) ? readLiveViews(client, opts.parents ?? [], opts.namespace) : Promise.resolve([]),
  identify: (live) => live.marker,
  normalise: (field, value) => normaliseViewField(field as ViewField, value),
  diff: compareView,
  plan: planView,
  orphan: (v) => ({ id: v.id, key: v.marker!.key, title: v.title, annotations: 0 }),
  planPrune: (o, v, ctx) =>
    ctx.change({
      action: 'delete',
      kind: 'View',
      key: o.key,
      ...(o.parent ? { parent: o.parent } : {}),
      id: o.id,
      title: v.title,
      fields: [],
    }),
  digest: (v) => ({ spec: v.spec, import: v.importId ?? null }),
  startApply: startViewApply,
  adopt: adoptView,
  toManifest: viewToManifest,
};
