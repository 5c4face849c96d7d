import { isAbsolute, relative, resolve, sep } from 'node:path';
import { formatGithubAnnotation, type Diagnostic } from '../util/diagnostics.ts';
import type { Io } from '../util/io.ts';

/** GitHub shows at most this many error and this many warning annotations per step. */
export const ANNOTATIONS_PER_SEVERITY = 10;

/**
 * GitHub Actions annotations for problems, most severe first: at most 10 errors and 10 warnings
 * (what a step can show), then one notice saying how many more are in the log. File paths are
 * made relative to the repository (`GITHUB_WORKSPACE`), since that is what GitHub matches them
 * against, wherever the command ran from.
 */
export function githubAnnotations(
  diagnostics: readonly Diagnostic[],
  where: { readonly cwd: string; readonly workspace?: string },
): string[] {
  const located = diagnostics.map((d) => (d.file ? { ...d, file: repositoryPath(d.file, where) } : d));
  const errors = located.filter((d) => d.severity === 'error');
  const warnings = located.filter((d) => d.severity === 'warning');
  const out = [...errors.slice(0, ANNOTATIONS_PER_SEVERITY), ...warnings.slice(0, ANNOTATIONS_PER_SEVERITY)].map(
    formatGithubAnnotation,
  );
  const moreErrors = Math.max(0, errors.length - ANNOTATIONS_PER_SEVERITY);
  const moreWarnings = Math.max(0, warnings.length - ANNOTATIONS_PER_SEVERITY);
  if (moreErrors || moreWarnings) {
    const parts = [
      moreErrors ? `${moreErrors} more error${moreErrors === 1 ? '' : 's'}` : '',
      moreWarnings ? `${moreWarnings} more warning${moreWarnings === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    out.push(`::notice title=labelform::${parts.join(' and ')} than GitHub shows per step: see this step's log`);
  }
  return out;
}

/**
 * Writes the annotations when running in GitHub Actions. They go to stderr: the runner reads
 * workflow commands from both streams of a step (actions/runner ScriptHandler hands stdout and
 * stderr to an OutputManager each, with the same command manager), and stderr keeps them out of
 * a document redirected from stdout (`plan --markdown > plan.md`).
 */
export function emitAnnotations(io: Io, diagnostics: readonly Diagnostic[]): void {
  if (io.env.GITHUB_ACTIONS !== 'true' || diagnostics.length === 0) return;
  const lines = githubAnnotations(diagnostics, {
    cwd: io.cwd,
    ...(io.env.GITHUB_WORKSPACE ? { workspace: io.env.GITHUB_WORKSPACE } : {}),
  });
  io.stderr(`${lines.join('\n')}\n`);
}

/** A display path (relative to the working directory) as a path in the repository checkout. */
function repositoryPath(file: string, where: { readonly cwd: string; readonly workspace?: string }): string {
  if (!where.workspace) return file;
  const abs = isAbsolute(file) ? file : resolve(where.cwd, file);
  const rel = relative(where.workspace, abs);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/');
}
