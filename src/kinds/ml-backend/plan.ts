import type { KindPlan, KindPlanContext, Match } from '../kind.ts';
import { childRefused, existingChange, startChild } from '../shared/plan-child.ts';
import { urlTitle } from '../shared/url-title.ts';
import { maskUrlCredentials } from '../../util/credentials.ts';
import { liveMlValue, normaliseMlField } from './compare.ts';
import { ML_FIELDS, type LiveMlBackend, type MlBackendResource } from './types.ts';

/**
 * The change for one MlBackend manifest; pure. Copies and `import: {id}` as every sub-resource
 * (startChild; a backend's record holds no data: predictions belong to tasks). A create says
 * what the server will do besides: call the backend, name the project's model_version after it,
 * and add a webhook of its own.
 */
export function planMlBackend(
  m: Match<MlBackendResource, LiveMlBackend>,
  ctx: KindPlanContext<LiveMlBackend, unknown, MlBackendResource>,
): KindPlan {
  const d = m.desired;
  const start = startChild(m, ctx, 'ML backend');
  if ('error' in start) return childRefused(start);
  const { parent, target } = start;
  const base = {
    kind: 'MlBackend',
    key: d.name,
    ...(parent ? { parent } : {}),
    file: d.file,
    line: d.doc.locate('/metadata/name').line,
    ...(d.sensitive.has('url') || d.sensitive.has('title') ? {} : { title: d.spec.title || urlTitle(d.spec.url) }),
    fields: ctx.diff(d, target),
  };
  if (!target) {
    const notes = [
      'the server calls the backend (/health, /setup) while creating it: it must be up',
      `the server sets project ${d.parent}'s model_version to this backend's title when the project shows predictions and has none`,
      `the server adds a webhook of its own to project ${d.parent}, to ${d.sensitive.has('url') ? 'the backend' : maskUrlCredentials(d.spec.url.replace(/\/+$/, ''))}/webhook for every action (for training); labelform leaves it alone`,
    ];
    return { changes: [...start.copies, { action: 'create', ...base, notes }] };
  }
  const managed = ML_FIELDS.filter((f) => d.spec[f] !== undefined && !d.sensitive.has(f));
  return {
    changes: [
      ...start.copies,
      existingChange(base, target, start.adopting, managed, (f) => normaliseMlField(f, liveMlValue(target, f))),
    ],
  };
}
