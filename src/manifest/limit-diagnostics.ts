import { sortDiagnostics, type Diagnostic } from '../util/diagnostics.ts';

/** Problems reported per file; past that, one line says how many more there are. */
export const MAX_PROBLEMS_PER_FILE = 20;

/**
 * Keeps the first `max` problems of each file (in file order) and replaces the rest with one
 * "… and N more" diagnostic at the first one left out: a broken file should not bury the others
 * (one malformed manifest used to print 788 errors). Problems without a file are all kept.
 */
export function limitPerFile(diagnostics: readonly Diagnostic[], max = MAX_PROBLEMS_PER_FILE): Diagnostic[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) if (d.file !== undefined) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  const dropped = new Set<Diagnostic>();
  const summaries: Diagnostic[] = [];
  for (const [file, list] of byFile) {
    if (list.length <= max) continue;
    const rest = sortDiagnostics(list).slice(max);
    for (const d of rest) dropped.add(d);
    const first = rest[0]!;
    summaries.push({
      severity: rest.some((d) => d.severity === 'error') ? 'error' : 'warning',
      code: 'more-problems',
      message: `… and ${rest.length} more problems in this file from here on (the first ${max} are shown)`,
      file,
      ...(first.line !== undefined ? { line: first.line } : {}),
      ...(first.col !== undefined ? { col: first.col } : {}),
    });
  }
  return dropped.size === 0 ? [...diagnostics] : [...diagnostics.filter((d) => !dropped.has(d)), ...summaries];
}
