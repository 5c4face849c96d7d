import {
  formatDiagnostic,
  formatGithubAnnotation,
  sortDiagnostics,
  type Diagnostic,
} from '../util/diagnostics.ts';
import { styleFor, type Io } from './io.ts';

/** Problems printed per run: past that, a count (the first ones are the ones to fix first). */
const MAX_PRINTED = 100;

/** Prints diagnostics as `file:line:col: error: message`, plus GitHub annotations inside Actions. */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  const style = styleFor(io.color);
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted.slice(0, MAX_PRINTED)) {
    const line = formatDiagnostic(d);
    io.stderr(`${d.severity === 'error' ? line.replace(': error: ', `: ${style.red('error')}: `) : line.replace(': warning: ', `: ${style.yellow('warning')}: `)}\n`);
  }
  if (sorted.length > MAX_PRINTED) io.stderr(`… and ${sorted.length - MAX_PRINTED} more problems (${sorted.length} in all)\n`);
  if (io.env.GITHUB_ACTIONS === 'true') {
    // GitHub shows at most 10 error and 10 warning annotations per step; the log has them all.
    for (const d of sorted.filter((x) => x.severity === 'error').slice(0, 10)) io.stdout(`${formatGithubAnnotation(d)}\n`);
    for (const d of sorted.filter((x) => x.severity === 'warning').slice(0, 10)) io.stdout(`${formatGithubAnnotation(d)}\n`);
  }
}

export function countSeverities(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

export { plural } from '../util/plural.ts';
