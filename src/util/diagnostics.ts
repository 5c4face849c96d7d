/**
 * Expected problems are values: every user mistake becomes one Diagnostic with a location,
 * collected while loading/validating/planning and rendered once at the edge.
 */
export type Severity = 'error' | 'warning';

export interface SourcePosition {
  readonly file: string;
  /** 1-based line */
  readonly line: number;
  /** 1-based column */
  readonly col: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable, greppable code such as `schema`, `yaml-syntax`, `xml-doctype`. */
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  /** JSON pointer into the manifest document, when the problem is in a YAML/JSON value. */
  readonly pointer?: string;
  /** The XML element (`<Choices name="x">`), when the problem is in a label config. */
  readonly element?: string;
}

export function diag(
  code: string,
  message: string,
  where: Partial<SourcePosition> & { pointer?: string; element?: string } = {},
  severity: Severity = 'error',
): Diagnostic {
  return { severity, code, message, ...stripUndefined(where) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sort by file, then line, then column, so output is stable and reads top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      a.message.localeCompare(b.message),
  );
}

/** `file:line:col: error: message (at /spec/title)` — the shape editors and CI logs understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const loc = d.file ? `${d.file}${d.line ? `:${d.line}${d.col ? `:${d.col}` : ''}` : ''}: ` : '';
  const where = [d.pointer ? `at ${d.pointer}` : '', d.element ? `in ${d.element}` : ''].filter(Boolean).join(', ');
  return `${loc}${d.severity}: ${d.message}${where ? ` (${where})` : ''}`;
}

/** A GitHub Actions workflow command; property values escape %, CR, LF, ':' and ','. */
export function formatGithubAnnotation(d: Diagnostic): string {
  const props: string[] = [];
  if (d.file) props.push(`file=${escapeProperty(d.file)}`);
  if (d.line) props.push(`line=${d.line}`);
  if (d.col) props.push(`col=${d.col}`);
  props.push(`title=${escapeProperty(`labelform ${d.code}`)}`);
  const level = d.severity === 'error' ? 'error' : 'warning';
  return `::${level} ${props.join(',')}::${escapeData(d.message)}`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
