import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';
import type { PreviewSummary } from './report.ts';

/**
 * `plan --previews DIR`: the previews `labelform preview` wrote to DIR, as one Markdown snippet
 * per project for the plan's Markdown (the PR comment, the step summary). Published images
 * (`preview --publish-branch`) are shown inline; otherwise the snippet names the file in DIR,
 * which the example workflow uploads as the run's `labelform-preview` artifact.
 */
export async function previewLinks(
  dir: string,
  cwd: string,
  warn: (message: string) => void,
): Promise<ReadonlyMap<string, string>> {
  const file = join(resolve(cwd, dir), 'summary.json');
  let summary: PreviewSummary;
  try {
    summary = JSON.parse(await readFile(file, 'utf8')) as PreviewSummary;
  } catch (err) {
    // No previews (the preview step failed before writing them): the plan goes on without them,
    // so the pull request still gets its plan.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      warn(
        `--previews ${dir}: no summary.json there (did \`labelform preview --out ${dir}\` run?); the plan shows no previews`,
      );
      return new Map();
    }
    throw new UserError(`--previews ${dir}: cannot read ${file}: ${(err as Error).message}`);
  }
  if (summary?.version !== 1 || !Array.isArray(summary.results))
    throw new UserError(`--previews ${dir}: ${file} is not a labelform preview summary`);
  return previewSnippets(summary, dir);
}

/** One Markdown snippet per previewed config that changed (or failed), by name. */
export function previewSnippets(summary: PreviewSummary, dir: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const r of summary.results) {
    if (r.status === 'unchanged') continue;
    if (r.status === 'error') {
      links.set(
        r.name,
        `**Preview:** ❌ Label Studio's editor cannot draw this config: ${escape(r.error ?? 'unknown error')}`,
      );
      continue;
    }
    const image = r.images.sideBySide ?? r.images.after;
    if (!image) continue;
    const caption =
      r.status === 'changed'
        ? r.visual?.changed
          ? `before and after, ${r.visual.regions.length} changed region${r.visual.regions.length === 1 ? '' : 's'} outlined`
          : 'before and after: no visible change'
        : 'the labeling interface';
    const url = summary.published?.urls[image];
    links.set(
      r.name,
      url
        ? `**Preview** (${caption}):\n\n[![${r.name}: ${caption}](${url})](${url})`
        : `**Preview** (${caption}): \`${join(dir, image)}\`, in the run's preview artifact`,
    );
  }
  return links;
}

/** The step summary of `preview`: each config's result, its warnings, and its image (inline when published). */
export function previewMarkdown(summary: PreviewSummary, dir: string): string {
  const snippets = previewSnippets(summary, dir);
  const lines = [
    '### labelform preview',
    '',
    `Drawn by Label Studio's editor from ${escape(summary.editor)}${summary.base ? `; before: \`${summary.base}\`` : ''}.`,
    '',
  ];
  for (const r of summary.results) {
    lines.push(`#### \`${r.name}\` · ${r.status}`, '');
    for (const c of r.controls)
      lines.push(
        `- \`<${c.type} name="${c.control}">\` ${c.change}${c.labelsAdded.length ? `: added ${c.labelsAdded.map((l) => `\`${l}\``).join(', ')}` : ''}${c.labelsRemoved.length ? `; removed ${c.labelsRemoved.map((l) => `\`${l}\``).join(', ')}` : ''}`,
      );
    for (const f of r.findings) lines.push(`- ⚠️ \`${r.file}:${f.line}\` ${escape(f.message)}`);
    if (r.labelsNotShown.length)
      lines.push(`- ⚠️ not shown on the page: ${r.labelsNotShown.map((l) => `\`${l}\``).join(', ')}`);
    const snippet = snippets.get(r.name);
    if (snippet) lines.push('', snippet);
    lines.push('');
  }
  return lines.join('\n');
}

function escape(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
