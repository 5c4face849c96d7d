import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreviewResult } from './run.ts';

/** `summary.json` in the output directory, and `preview --json`. */
export interface PreviewSummary {
  readonly version: 1;
  /** Where the editor came from ("the server at …", "the label-studio package at …"). */
  readonly editor: string;
  /** What "before" is: `git:REF`, `plan:FILE`, `server:URL`, or absent (no comparison). */
  readonly base?: string;
  /** Whether the browser ran with its sandbox (under root it runs as `nobody` for that; docs/commands.md, preview). */
  readonly sandboxed?: boolean;
  readonly results: readonly PreviewResult[];
  /** Image URLs by file name, when `--publish-branch` pushed them. */
  readonly published?: { readonly branch: string; readonly urls: Readonly<Record<string, string>> };
}

export function summaryText(summary: PreviewSummary, outDir: string): string {
  const lines: string[] = [];
  for (const r of summary.results) {
    const what =
      r.status === 'changed'
        ? r.visual?.changed
          ? `changed: ${r.visual.regions.length} region${r.visual.regions.length === 1 ? ' of the interface differs' : 's of the interface differ'}`
          : 'changed in the XML only: no visible change'
        : r.status === 'error'
          ? `ERROR: the editor cannot draw it: ${r.error}`
          : r.status === 'new'
            ? 'new (not in the base)'
            : r.status;
    lines.push(`${r.name} (${r.file}): ${what}`);
    for (const c of r.controls) {
      const parts = [
        c.labelsAdded.length ? `+ ${c.labelsAdded.join(', ')}` : '',
        c.labelsRemoved.length ? `- ${c.labelsRemoved.join(', ')}` : '',
        c.detail ?? '',
      ].filter(Boolean);
      lines.push(`  <${c.type} name="${c.control}"> ${c.change}${parts.length ? `: ${parts.join('; ')}` : ''}`);
    }
    if (r.labelsNotShown.length) lines.push(`  not shown on the page: ${listed(r.labelsNotShown)}`);
    for (const f of r.findings) lines.push(`  warning: ${r.file}:${f.line}:${f.col}: ${f.message} [${f.code}]`);
    const files = [r.images.sideBySide, r.images.before, r.images.after].filter(Boolean);
    if (files.length) lines.push(`  ${files.map((f) => join(outDir, f!)).join('  ')}`);
  }
  lines.push(
    '',
    `Report: ${join(outDir, 'index.html')} (editor: ${summary.editor}${summary.base ? `; before: ${summary.base}` : ''})`,
  );
  return `${lines.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An image larger than this is linked from index.html (it sits beside it), not inlined. */
export const MAX_INLINE_IMAGE_BYTES = 3 * 1024 * 1024;
/** Warnings listed per config in index.html; summary.json has them all. */
export const MAX_HTML_WARNINGS = 50;

/**
 * A self-contained page (images inlined, up to MAX_INLINE_IMAGE_BYTES each) with each config
 * before and after, labels added and removed, warnings. Its size is bounded by the number of
 * configs: images are capped in size (renderer.ts MAX_SHOT), task text is never copied into it.
 */
export async function summaryHtml(summary: PreviewSummary, outDir: string): Promise<string> {
  const img = async (file: string | undefined, alt: string) => {
    if (!file) return '';
    const body = await readFile(join(outDir, file)).catch(() => undefined);
    if (!body) return '';
    const src =
      body.length <= MAX_INLINE_IMAGE_BYTES ? `data:image/png;base64,${body.toString('base64')}` : encodeURI(file);
    return `<figure><img alt="${esc(alt)}" src="${esc(src)}"><figcaption>${esc(file)}</figcaption></figure>`;
  };
  const sections: string[] = [];
  for (const r of summary.results) {
    const controls = r.controls.length
      ? `<table><tr><th>Control</th><th>Change</th><th>Labels added</th><th>Labels removed</th></tr>${r.controls
          .map(
            (c) =>
              `<tr><td>&lt;${esc(c.type)} name="${esc(c.control)}"&gt;</td><td>${esc(c.change)}${c.detail ? ` (${esc(c.detail)})` : ''}</td><td class="add">${esc(c.labelsAdded.join(', '))}</td><td class="del">${esc(c.labelsRemoved.join(', '))}</td></tr>`,
          )
          .join('')}</table>`
      : '';
    const all = [
      ...r.findings.map((f) => `${r.file}:${f.line}:${f.col}: ${f.message}`),
      ...(r.labelsNotShown.length ? [`not shown on the page: ${listed(r.labelsNotShown)}`] : []),
    ];
    const warnings =
      all.length > MAX_HTML_WARNINGS
        ? [
            ...all.slice(0, MAX_HTML_WARNINGS),
            `and ${all.length - MAX_HTML_WARNINGS} more warnings (summary.json has them all)`,
          ]
        : all;
    const images =
      r.status === 'changed'
        ? `${await img(r.images.sideBySide, `${r.name}: before and after`)}`
        : await img(r.images.after, r.name);
    sections.push(`<section id="${esc(r.name)}"><h2>${esc(r.name)} <small>${esc(r.file)}</small> <span class="status ${r.status}">${esc(statusLabel(r))}</span></h2>
${r.error ? `<p class="error">The editor cannot draw this config: ${esc(r.error)}</p>` : ''}${controls}${warnings.length ? `<ul class="warn">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}${images}<p class="task">Task shown: ${esc(r.task)}</p></section>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>labelform preview</title><style>
body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#111827}h2{font-size:18px;margin:32px 0 8px}small{color:#6b7280;font-weight:normal}
img{max-width:100%;border:1px solid #d1d5db}figure{margin:8px 0}figcaption{color:#6b7280;font-size:12px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #e5e7eb;padding:4px 8px;text-align:left}.add{color:#047857}.del{color:#b91c1c}.warn li{color:#92400e}.error{color:#b91c1c;font-weight:bold}
.status{font-size:12px;padding:2px 8px;border-radius:8px;background:#e5e7eb}.status.changed{background:#fef3c7}.status.error{background:#fee2e2}.status.new{background:#d1fae5}
</style></head><body><h1>Label config preview</h1><p>Drawn by Label Studio's editor from ${esc(summary.editor)}${summary.base ? `; before: ${esc(summary.base)}` : ''}.</p>
${sections.join('\n')}</body></html>\n`;
}

/** A list of names, the first 30 of it: 2,000 labels not shown are not 2,000 words of a report. */
function listed(names: readonly string[]): string {
  return names.length > 30 ? `${names.slice(0, 30).join(', ')} and ${names.length - 30} more` : names.join(', ');
}

function statusLabel(r: PreviewResult): string {
  if (r.status === 'changed')
    return r.visual?.changed
      ? `changed (${r.visual.regions.length} region${r.visual.regions.length === 1 ? '' : 's'})`
      : 'changed, no visible change';
  return r.status;
}
