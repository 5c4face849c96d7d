import { writeBack } from '../../manifest/pulled.ts';
import { arrayAt, isRecord } from '../../util/narrow.ts';
import { validateAgainstSchema } from '../../manifest/schemas.ts';
import type { PullContext, PulledManifest } from '../kind.ts';
import { checkViewSpec, type ViewProblem } from './check-filters.ts';
import { VIEW_FIELDS, type LiveView } from './types.ts';

/**
 * A View manifest for a live tab that validates and plans as no change: its title (none when the
 * tab has none: then the title is not managed, rather than invented) and whichever of filters,
 * ordering and hidden columns it has. A tab a manifest cannot declare as it is (filters that make
 * the server answer 500, shapes the schema refuses) is skipped, saying why.
 */
export function viewToManifest(v: LiveView, ctx: PullContext): PulledManifest | { skipped: string } {
  const spec: Record<string, unknown> = { project: ctx.parentKey };
  const rawTitle = v.raw.data?.title;
  if (typeof rawTitle === 'string' && rawTitle !== '') {
    const title = writeBack(rawTitle, ctx.secrets);
    if (!title.ok) return { skipped: 'its title holds a secret value' };
    spec.title = title.text;
  }
  if (
    JSON.stringify(v.raw.data ?? {}).length &&
    ctx.secrets.some((s) => JSON.stringify(v.raw.data ?? {}).includes(s.value))
  )
    return { skipped: 'its filters hold a secret value' };
  for (const f of VIEW_FIELDS) {
    if (f === 'title') continue;
    const value = v.raw.data?.[f];
    if (value === undefined || value === null) continue;
    if (f === 'filters') {
      const items = arrayAt(value, 'items').map((item) => {
        const i = isRecord(item) ? item : {};
        return { filter: i.filter, operator: i.operator, type: i.type, value: i.value ?? null };
      });
      spec.filters = { conjunction: (isRecord(value) ? value.conjunction : undefined) ?? 'and', items };
    } else spec[f] = value;
  }
  const [broken] = checkViewSpec(spec);
  if (broken) return { skipped: skipReason(broken) };
  const manifest = {
    apiVersion: 'labelform/v1',
    kind: 'View',
    metadata: { name: ctx.key },
    spec,
    ...(ctx.adopt ? { import: { id: v.id } } : {}),
  };
  const [issue] = validateAgainstSchema('view', manifest);
  if (issue) return { skipped: `a View manifest cannot hold it as it is (${issue.message})` };
  return { manifest, notes: [] };
}

/** Why pull skips a tab validate would refuse, in the problem's own words: a 500, a 400 on PostgreSQL, or labelform being stricter. */
function skipReason(p: ViewProblem): string {
  const at = `${p.pointer.replace(/^\/spec\//, '')}: ${p.message.replace(/; the tab would answer 500 for everyone$/, '').replace(/\.$/, '')}`;
  if (p.answer === 500)
    return `the server cannot list its tasks as it is (it answers 500 for this tab): ${at}. Fix or delete the tab in Label Studio, then pull again`;
  const why =
    p.answer === 400
      ? 'the server cannot list its tasks on PostgreSQL (it answers 400 for this tab there)'
      : 'the server lists its tasks, but validate refuses the tab as it is';
  return `${why}: ${at}. Change the tab in Label Studio, then pull again`;
}
