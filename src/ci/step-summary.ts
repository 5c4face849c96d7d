import { appendFile, stat } from 'node:fs/promises';
import type { Io } from '../util/io.ts';
import { summaryBudget, type Budget, type Fitted } from './fit-markdown.ts';

/** Below this much room left in the step's summary, a report is not added at all. */
const MIN_ROOM_BYTES = 4096;

/**
 * Appends a report to the step's summary (`GITHUB_STEP_SUMMARY`) when the runner set one, made to
 * fit what is left of the step's 1 MiB. A summary that cannot be written is a warning: the
 * command's own result stands. Returns what was written, or nothing.
 */
export async function appendStepSummary(io: Io, compose: (budget: Budget) => Fitted): Promise<Fitted | undefined> {
  const path = io.env.GITHUB_STEP_SUMMARY;
  if (!path) return undefined;
  const used = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  const budget = summaryBudget(used + 1);
  if (budget.max < MIN_ROOM_BYTES) {
    io.stderr(
      `Warning: the step summary (GITHUB_STEP_SUMMARY) already holds ${used.toLocaleString('en')} bytes of GitHub's 1 MiB per step; labelform's report was not added.\n`,
    );
    return undefined;
  }
  const fitted = compose(budget);
  try {
    await appendFile(path, `${used > 0 ? '\n' : ''}${fitted.text}`);
    return fitted;
  } catch (err) {
    io.stderr(
      `Warning: could not write the step summary to ${path} (GITHUB_STEP_SUMMARY): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
    );
    return undefined;
  }
}
