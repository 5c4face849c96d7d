import type { ViewManifest } from '../../generated/schema-types.ts';
import { diag } from '../../util/diagnostics.ts';
import type { LoadContext, ManifestDocument } from '../kind.ts';
import { parentNames, specResource } from '../shared/load-child.ts';
import { checkViewSpec } from './check-filters.ts';
import type { ViewResource } from './types.ts';

/**
 * View manifests as resources: the Project each names exists, titles are unique within a project
 * (a tab that lost its marker is found again by its title, so two with one title would be
 * ambiguous), and nothing in the filters, ordering or hidden columns would make the tab answer 500
 * (check-filters.ts).
 */
export async function loadViews(
  docs: readonly ManifestDocument<ViewManifest>[],
  ctx: LoadContext,
): Promise<ViewResource[]> {
  const projects = parentNames(ctx, 'Project');
  const out: ViewResource[] = [];
  const titles = new Map<string, ViewResource>();
  for (const doc of docs) {
    const { raw, value, sensitive } = doc;
    const { spec } = value;
    const at = (pointer: string) => ({ file: raw.doc.file, ...raw.doc.locate(pointer), pointer });
    if (!projects.has(spec.project)) ctx.diagnostics.push(projects.missing(spec.project, raw.doc, '/spec/project'));
    const view: ViewResource = specResource('View', doc, { parent: spec.project, spec, env: false });
    for (const p of checkViewSpec(spec, { sensitive }))
      ctx.diagnostics.push(diag('view-filter', p.message, at(p.pointer)));
    // A tab without a title (the server keeps none) is never found again by one.
    if (spec.title !== undefined) {
      const titleKey = `${spec.project}\u0000${spec.title.trim()}`;
      const first = titles.get(titleKey);
      if (first) {
        const loc = first.doc.locate('/spec/title');
        ctx.diagnostics.push(
          diag(
            'duplicate-title',
            `project ${spec.project} already has a View titled ${sensitive.has('title') ? '(sensitive)' : `"${spec.title}"`} (${first.file}:${loc.line}:${loc.col}); tab titles are unique within a project`,
            at('/spec/title'),
          ),
        );
      } else titles.set(titleKey, view);
    }
    out.push(view);
  }
  return out;
}
