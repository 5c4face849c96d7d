import { VERSION } from '../util/version.ts';
import { shortSha, type CiContext, type Commit } from './ci-context.ts';
import { fitDocument, type Budget, type Fitted } from './fit-markdown.ts';
import type { MarkerScope } from './marker.ts';
import { redact } from '../util/redact.ts';

/** What a report says about where it comes from, in its footer. */
export interface ReportContext {
  readonly scope: MarkerScope;
  readonly commit?: Commit;
  /** The CI run (GitHub Actions run, GitLab job) that wrote it. */
  readonly runUrl?: string;
}

export interface ReportParts {
  /** The hidden first line that lets a later run find this comment or issue. */
  readonly marker?: string;
  /** The document, cut to about `limit` characters by its renderer (whole for Infinity). */
  readonly render: (limit: number) => string;
  readonly context: ReportContext;
  /** Where the whole document is when this one had to be cut: a Markdown phrase. */
  readonly fullAt: string;
}

/**
 * A Markdown report (PR comment, step summary, drift issue) made to fit its budget: the
 * document, then, when it was cut, where the whole one is, then a footer naming the directory,
 * environment, commit and run.
 */
export function composeReport(parts: ReportParts, budget: Budget): Fitted {
  // Credentials are replaced before measuring, as on stdout: what is measured is what is sent.
  return fitDocument(
    {
      before: parts.marker ? `${parts.marker}\n` : '',
      render: (limit) => redact(parts.render(limit)),
      after: (truncated) =>
        redact(
          `${truncated ? `\n> **Cut to fit.** The complete report: ${parts.fullAt}.\n` : ''}\n${renderFooter(parts.context)}\n`,
        ),
    },
    budget,
  );
}

/** The commit and run of a CI context, for a report's footer. */
export function contextOf(scope: MarkerScope, ci: CiContext): ReportContext {
  if (ci.platform === 'none') return { scope };
  return { scope, ...(ci.commit ? { commit: ci.commit } : {}), ...(ci.runUrl ? { runUrl: ci.runUrl } : {}) };
}

/** `labelform 0.1.0 · directory projects · environment production · commit abc1234 · run` */
export function renderFooter(ctx: ReportContext): string {
  const items = [
    `labelform ${VERSION}`,
    `directory <code>${escapeHtml(ctx.scope.dir)}</code>`,
    `environment <code>${escapeHtml(ctx.scope.env)}</code>`,
  ];
  if (ctx.commit) items.push(`commit ${link(`<code>${shortSha(ctx.commit.sha)}</code>`, ctx.commit.url)}`);
  if (ctx.runUrl) items.push(link('workflow run', ctx.runUrl));
  return `<sub>${items.join(' · ')}</sub>`;
}

function link(text: string, url: string | undefined): string {
  return url ? `<a href="${escapeHtml(url)}">${text}</a>` : text;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
