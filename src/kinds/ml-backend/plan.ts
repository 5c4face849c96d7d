import { fingerprintValue } from '../../state/fingerprint.ts';
import type { KindPlanContext, Match } from '../kind.ts';
import { urlTitle } from '../shared/url-title.ts';
import { compareMlBackend, liveMlValue, normaliseMlField } from './compare.ts';
import { ML_FIELDS, type LiveMlBackend, type MlBackendResource } from './types.ts';

/**
 * The change for one MlBackend manifest; pure. Copies carrying the marker are deleted (a
 * backend's record holds no data: predictions belong to tasks). A create says what the server
 * will do besides: call the backend, and name the project's model_version after it.
 */
export function planMlBackend(m: Match<MlBackendResource, LiveMlBackend>, ctx: KindPlanContext<LiveMlBackend, unknown>): void {
  const d = m.desired;
  const at = d.doc.locate('/metadata/name');
  const parent = ctx.parentOf(d);
  const [keep, ...copies] = m.duplicates;
  for (const c of copies) ctx.change({ action: 'delete', kind: 'MlBackend', key: d.name, ...(parent ? { parent } : {}), id: c.id, title: c.title, fields: [], duplicateOf: keep!.id });
  if (m.adopt?.marker) {
    ctx.diagnostic({ severity: 'error', code: 'import-marked', key: d.name, file: d.file, ...d.doc.locate('/import/id'), pointer: '/import/id', message: `import.id ${m.adopt.id} is already managed as ${m.adopt.marker.namespace}/${m.adopt.marker.key}` });
    return;
  }
  if (m.adopt && m.adopt.parentId !== parent?.id) {
    ctx.diagnostic({ severity: 'error', code: 'import-parent', key: d.name, file: d.file, ...d.doc.locate('/import/id'), pointer: '/import/id', message: `import.id ${m.adopt.id} is an ML backend of project ${m.adopt.parentId}, not of project ${d.parent}; it cannot move` });
    return;
  }
  const target = m.live ?? keep ?? m.adopt;
  const fields = compareMlBackend(d, target);
  const base = { kind: 'MlBackend', key: d.name, ...(parent ? { parent } : {}), file: d.file, line: at.line, ...(d.sensitive.has('url') || d.sensitive.has('title') ? {} : { title: d.spec.title || urlTitle(d.spec.url) }), fields };
  if (!target) {
    const notes = [
      'the server calls the backend (/health, /setup) while creating it: it must be up',
      `the server sets project ${d.parent}'s model_version to this backend's title when the project shows predictions and has none`,
      `the server adds a webhook of its own to project ${d.parent}, to ${d.sensitive.has('url') ? 'the backend' : d.spec.url.replace(/\/+$/, '')}/webhook for every action (for training); labelform leaves it alone`,
    ];
    ctx.change({ action: 'create', ...base, notes });
    return;
  }
  const fingerprint: Record<string, string> = {};
  for (const f of ML_FIELDS) if (d.spec[f] !== undefined && !d.sensitive.has(f)) fingerprint[f] = fingerprintValue(normaliseMlField(f, liveMlValue(target, f)));
  ctx.change({ action: m.adopt ? 'adopt' : fields.length ? 'update' : 'no-op', ...base, id: target.id, fingerprint });
}
