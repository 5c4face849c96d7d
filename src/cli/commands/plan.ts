import { renderPlanMarkdown, type MarkdownExtras } from '../../reconcile/render-markdown.ts';
import { renderPlanText } from '../../reconcile/render-text.ts';
import { resolve } from 'node:path';
import { describeFsError } from '../../manifest/source-file.ts';
import { writePlanFile } from '../../state/saved-plan.ts';
import { UserError } from '../../util/errors.ts';
import { openSession, readAndPlan } from '../plan-shell.ts';
import { readPlanSource } from '../plan-source.ts';
import type { Io } from '../../util/io.ts';
import { emitAnnotations } from '../annotations.ts';
import { publishPlanRun, type PlanRun } from '../../ci/publish-plan.ts';

export interface PlanArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly out?: string;
  readonly json: boolean;
  readonly markdown: boolean;
  readonly detailedExitcode: boolean;
  readonly target: readonly string[];
  readonly allowDuplicateTitle: boolean;
  readonly prune: boolean;
  readonly dedupe: boolean;
  /** Label migrations also write annotations with a draft attached (Label Studio deletes the drafts). */
  readonly deleteDrafts?: boolean;
  /** Create or update the pull request's plan comment (GitHub) or merge request note (GitLab). */
  readonly comment?: boolean;
  /** The variable holding the token for --comment (default GITHUB_TOKEN, or GITLAB_TOKEN). */
  readonly commentTokenEnv?: string;
  /** `labelform preview --out DIR`'s directory: its previews go into the Markdown plan. */
  readonly previews?: string;
}

/**
 * `labelform plan`: live state vs manifests, as text, Markdown or JSON. Exit 1 when the plan has
 * errors; with --detailed-exitcode, 2 when there are changes and 0 when there are none.
 */
export async function runPlan(io: Io, args: PlanArgs): Promise<number> {
  const previews = args.previews
    ? await (
        await import('../../preview/plan-links.ts')
      ).previewLinks(args.previews, io.cwd, (m) => io.stderr(`Warning: ${m}\n`))
    : undefined;
  const extras = previews ? { previews } : {};
  // Also into the step summary and, with --comment, the pull request (see src/ci/).
  return publishPlanRun(
    io,
    {
      dir: args.dir,
      comment: args.comment ?? false,
      debug: args.debug,
      extras,
      ...(args.env ? { env: args.env } : {}),
      ...(args.commentTokenEnv ? { commentTokenEnv: args.commentTokenEnv } : {}),
      ...(args.out ? { out: args.out } : {}),
    },
    () => planAndPrint(io, args, extras),
  );
}

async function planAndPrint(io: Io, args: PlanArgs, extras: MarkdownExtras): Promise<PlanRun> {
  const session = await openSession(io, args);
  const planned = await readAndPlan(io, session, {
    targets: args.target,
    allowDuplicateTitle: args.allowDuplicateTitle,
    prune: args.prune,
    dedupe: args.dedupe,
    deleteDrafts: args.deleteDrafts ?? false,
  });
  const source = await readPlanSource(io.env, session.repo.root);
  const plan = Object.keys(source).length ? { ...planned.plan, source } : planned.plan;
  if (args.out) {
    const out = args.out;
    await writePlanFile(resolve(io.cwd, out), plan).catch((err: NodeJS.ErrnoException) => {
      throw new UserError(`--out ${out}: cannot write the plan there (${describeFsError(err)})`);
    });
  }
  if (args.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
  else if (args.markdown) io.stdout(renderPlanMarkdown(plan, undefined, extras));
  else io.stdout(renderPlanText(plan, { color: io.color }));
  emitAnnotations(io, plan.diagnostics);
  if (args.out && !args.json)
    io.stderr(`Saved the plan to ${args.out}; apply it with \`labelform apply ${args.out}\`.\n`);
  if (plan.summary.errors > 0) return { plan, code: 1 };
  const changes = plan.summary.create + plan.summary.update + plan.summary.adopt + plan.summary.delete;
  return { plan, code: args.detailedExitcode && changes > 0 ? 2 : 0 };
}
