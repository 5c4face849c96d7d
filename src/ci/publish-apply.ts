import type { Io } from '../util/io.ts';
import type { Plan } from '../generated/schema-types.ts';
import type { StepResult } from '../reconcile/apply.ts';
import { readCiContext, type CiContext } from './ci-context.ts';
import { composeReport, contextOf } from './compose-report.ts';
import { renderApplyMarkdown } from './render-apply-markdown.ts';
import { scopeFor } from './report-scope.ts';
import { appendStepSummary } from './step-summary.ts';

/** What an apply did, into the step summary when `GITHUB_STEP_SUMMARY` is set. */
export async function summarizeApply(io: Io, dir: string, plan: Plan, results: readonly StepResult[]): Promise<void> {
  if (!io.env.GITHUB_STEP_SUMMARY) return;
  const scope = await scopeFor(io, dir, plan.server.environment, undefined);
  const ci = await readCiContext(io.env).catch((): CiContext => ({ platform: 'none' }));
  await appendStepSummary(io, (budget) =>
    composeReport(
      {
        render: (limit) => renderApplyMarkdown(plan, results, limit),
        context: contextOf(scope, ci),
        fullAt: 'the job log of this run',
      },
      budget,
    ),
  );
}
