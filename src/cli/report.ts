import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../util/diagnostics.ts';
import { emitAnnotations } from './annotations.ts';
import { styleFor, type Io } from '../util/io.ts';

/** Problems printed per run: past that, a count (the first ones are the ones to fix first). */
const MAX_PRINTED = 100;

/** Prints diagnostics as `file:line:col: error: message` on stderr, plus GitHub annotations inside Actions. */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  const style = styleFor(io.color);
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted.slice(0, MAX_PRINTED)) {
    const line = formatDiagnostic(d);
    io.stderr(
      `${d.severity === 'error' ? line.replace(': error: ', `: ${style.red('error')}: `) : line.replace(': warning: ', `: ${style.yellow('warning')}: `)}\n`,
    );
  }
  if (sorted.length > MAX_PRINTED)
    io.stderr(`… and ${sorted.length - MAX_PRINTED} more problems (${sorted.length} in all)\n`);
  emitAnnotations(io, sorted);
}

export function countSeverities(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  return {
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

export { plural } from '../util/plural.ts';
