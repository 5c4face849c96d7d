import { isOneOf } from '../../util/narrow.ts';
import { defineKind } from '../define-kind.ts';
import { adoptView } from './adopt.ts';
import { startViewApply } from './apply.ts';
import { liveViewValue, normaliseViewField } from './compare.ts';
import { readLiveViews } from './live.ts';
import { loadViews } from './load.ts';
import { planView } from './plan.ts';
import { readsKind } from '../shared/read-scope.ts';
import { viewToManifest } from './to-manifest.ts';
import { VIEW_FIELDS, type LiveView, type ViewField, type ViewResource } from './types.ts';

/**
 * `kind: View`: a Data Manager tab of a project. Identity: a `labelformManaged` key in the tab's
 * `data` (see marker.ts), and its title within the project when a save in the UI dropped it.
 */
export const viewKind = defineKind<ViewResource, LiveView, unknown, ViewField>({
  kind: 'View',
  schema: 'view',
  parent: 'Project',
  noun: 'view',
  titlesUnique: true,
  load: loadViews,
  readLive: (client, opts) =>
    readsKind('View', opts) ? readLiveViews(client, opts.parents ?? [], opts.namespace) : Promise.resolve([]),
  fields: () => VIEW_FIELDS,
  liveValue: liveViewValue,
  // A field a View does not have has no comparable value.
  normalise: (field, value) => (isOneOf(VIEW_FIELDS, field) ? normaliseViewField(field, value) : undefined),
  plan: planView,
  // The spec as written (a tab's title from `${env:...}` is hashed with the rest).
  digest: (v) => ({ spec: v.spec, import: v.importId ?? null }),
  startApply: startViewApply,
  adopt: adoptView,
  toManifest: viewToManifest,
});
