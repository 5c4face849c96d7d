import { sortDiagnostics, type Diagnostic } from '../util/diagnostics.ts';

/**
 * The commands whose stdout is a document (`--json`, `--markdown`) that CI redirects into a file,
 * and that rely on this generic failure document. `drift` prints its own: a drift report with
 * status "error", the same shape as every other drift report.
 */
const DOCUMENT_COMMANDS = new Set(['validate', 'plan', 'status']);

export interface DocumentRequest {
  readonly command: string;
  readonly format: 'json' | 'markdown';
}

/** Which document the arguments ask for, if any (read before yargs, so a failed run still knows). */
export function requestedDocument(argv: readonly string[]): DocumentRequest | undefined {
  const command = argv.find((a) => !a.startsWith('-'));
  if (!command || !DOCUMENT_COMMANDS.has(command)) return undefined;
  if (argv.includes('--json')) return { command, format: 'json' };
  if (argv.includes('--markdown')) return { command, format: 'markdown' };
  return undefined;
}

export interface Failure {
  readonly message: string;
  readonly hint?: string;
  readonly diagnostics: readonly Diagnostic[];
  /** A bug in labelform rather than a problem to fix. */
  readonly internal?: boolean;
}

/**
 * The document a command prints when it fails before it has one of its own (manifests with
 * errors, an unreachable server, a wrong token): the same format, saying that it failed and why,
 * so a redirected `plan.md` or `plan.json` (and the PR comment made from it) shows the reason.
 */
export function renderFailureDocument(request: DocumentRequest, failure: Failure): string {
  const diagnostics = sortDiagnostics(failure.diagnostics);
  if (request.format === 'json') {
    return `${JSON.stringify(
      {
        ok: false,
        command: request.command,
        error: {
          message: failure.message,
          ...(failure.hint ? { hint: failure.hint } : {}),
          ...(failure.internal ? { internal: true } : {}),
        },
        diagnostics,
      },
      null,
      2,
    )}\n`;
  }
  const lines = [
    `<!-- labelform:${request.command} -->`,
    `### ❌ labelform ${request.command} failed`,
    '',
    `**${escapeText(failure.message)}**`,
    '',
  ];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (diagnostics.length) {
    lines.push(
      `${errors.length} error${errors.length === 1 ? '' : 's'}${diagnostics.length > errors.length ? `, ${diagnostics.length - errors.length} warning${diagnostics.length - errors.length === 1 ? '' : 's'}` : ''}:`,
      '',
    );
    for (const d of diagnostics.slice(0, MAX_LISTED))
      lines.push(
        `- ${d.file ? `\`${d.file}${d.line ? `:${d.line}${d.col ? `:${d.col}` : ''}` : ''}\` ` : ''}${d.severity === 'warning' ? '⚠️ ' : ''}${escapeText(d.message)}${detail(d)}`,
      );
    if (diagnostics.length > MAX_LISTED)
      lines.push(`- … and ${diagnostics.length - MAX_LISTED} more (see the job log)`);
    lines.push('');
  }
  if (failure.hint) lines.push(escapeText(failure.hint), '');
  if (failure.internal) lines.push('This is a bug in labelform; the job log has the details.', '');
  return `${lines.join('\n')}\n`;
}

/** A comment has room for these; the job log has every one. */
const MAX_LISTED = 50;

function detail(d: Diagnostic): string {
  const where = [d.pointer ? `at ${d.pointer}` : '', d.element ? `in ${d.element}` : ''].filter(Boolean).join(', ');
  return where ? ` (${escapeText(where)})` : '';
}

function escapeText(s: string): string {
  return s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}
