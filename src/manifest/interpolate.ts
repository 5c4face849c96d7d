import { joinPointer } from './yaml-source.ts';

export type Scalar = string | number | boolean;

export interface InterpolationContext {
  /** `${var.NAME}` values of the selected environment. */
  readonly variables: Readonly<Record<string, Scalar>>;
  /** `${env:NAME}` values (the process environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** When false, an unset `${env:NAME}` is left in place and reported as unresolved, not as an error. */
  readonly requireEnv: boolean;
}

export interface InterpolationIssue {
  readonly pointer: string;
  readonly kind: 'undefined-var' | 'unset-env' | 'bad-syntax' | 'unresolved-env';
  readonly message: string;
}

export interface InterpolationResult {
  readonly value: unknown;
  readonly issues: readonly InterpolationIssue[];
  /** Pointers whose value came (wholly or partly) from `${env:...}`: treated as secrets. */
  readonly sensitive: readonly string[];
  /** Pointers that still contain an unresolved `${env:...}` (only when `requireEnv` is false). */
  readonly unresolved: readonly string[];
  /** The values that came from `${env:...}`, for the output redactor. */
  readonly secrets: readonly string[];
  /** Every `${env:NAME}` that was replaced: where, which variable, and its value. */
  readonly envRefs: readonly EnvReference[];
  /**
   * Pointers whose text holds a `${env:NAME}` reference, whether the variable is set or not: what
   * the manifest itself says is a secret. Whether a value is "a credential written in git" is
   * decided from this, never from the environment (offline validate has no secrets).
   */
  readonly envPointers: readonly string[];
}

export interface EnvReference {
  readonly pointer: string;
  readonly name: string;
  readonly value: string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

/**
 * `text` with each `$${` and each `${...}` (up to the first `}` after it) replaced by `replace`,
 * as `text.replace(REFERENCE, replace)`. After the last `}` no `${` can close, so that tail is
 * only searched for `$${`: there each `${` had the regex scan to the end of the text, which was
 * quadratic (200 KB of `${` took 22 s).
 */
export function replaceReferences(text: string, replace: (match: string, inner: string | undefined) => string): string {
  const end = text.lastIndexOf('}') + 1;
  const tail = text.slice(end).replace(/\$\$\{/g, (m) => replace(m, undefined));
  return end === 0 ? tail : text.slice(0, end).replace(REFERENCE, replace) + tail;
}

/**
 * Replaces `${var.NAME}` and `${env:NAME}` in every string of a manifest value. A string that is
 * exactly one `${var.NAME}` takes the variable's type (so `maximum_annotations: ${var.overlap}`
 * stays a number); `$${` writes a literal `${`.
 */
export function interpolate(value: unknown, ctx: InterpolationContext): InterpolationResult {
  const issues: InterpolationIssue[] = [];
  const sensitive: string[] = [];
  const unresolved: string[] = [];
  const secrets: string[] = [];
  const envRefs: EnvReference[] = [];
  const envPointers: string[] = [];

  const visit = (v: unknown, path: Array<string | number>): unknown => {
    if (typeof v === 'string') return visitString(v, joinPointer(...path));
    if (Array.isArray(v)) return v.map((item, i) => visit(item, [...path, i]));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, visit(item, [...path, k])]));
    }
    return v;
  };

  const visitString = (s: string, pointer: string): unknown => {
    if (!s.includes('${')) return s;
    const whole = /^\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(s);
    if (whole) {
      const name = whole[1]!;
      if (!(name in ctx.variables)) {
        issues.push(undefinedVar(pointer, name, ctx));
        return s;
      }
      return ctx.variables[name];
    }
    let fromEnv = false;
    let pending = false;
    let referencesEnv = false;
    const out = replaceReferences(s, (match, inner) => {
      if (match === '$${') return '${';
      const ref = (inner ?? '').trim();
      const varRef = /^var\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref);
      if (varRef) {
        const name = varRef[1]!;
        if (!(name in ctx.variables)) {
          issues.push(undefinedVar(pointer, name, ctx));
          return match;
        }
        return String(ctx.variables[name]);
      }
      const envRef = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref);
      if (envRef) {
        const name = envRef[1]!;
        referencesEnv = true;
        const val = ctx.env[name];
        if (val === undefined || val === '') {
          if (ctx.requireEnv) {
            issues.push({
              pointer,
              kind: 'unset-env',
              message: `environment variable ${name} is not set (referenced as \${env:${name}})`,
            });
          } else {
            pending = true;
          }
          return match;
        }
        fromEnv = true;
        secrets.push(val);
        envRefs.push({ pointer, name, value: val });
        return val;
      }
      issues.push({
        pointer,
        kind: 'bad-syntax',
        message: `cannot interpolate \${${ref}}: write \${var.NAME} (labelform.yaml variables) or \${env:NAME} (process environment); $\${ writes a literal \${`,
      });
      return match;
    });
    if (fromEnv) sensitive.push(pointer);
    if (pending) unresolved.push(pointer);
    if (referencesEnv) envPointers.push(pointer);
    return out;
  };

  return { value: visit(value, []), issues, sensitive, unresolved, secrets, envRefs, envPointers };
}

function undefinedVar(pointer: string, name: string, ctx: InterpolationContext): InterpolationIssue {
  const known = Object.keys(ctx.variables);
  return {
    pointer,
    kind: 'undefined-var',
    message: `variable "${name}" is not defined for this environment${known.length ? ` (defined: ${known.join(', ')})` : ' (it defines no variables)'}`,
  };
}

/**
 * True when a value at a pointer of `envPointers` is still unresolved: offline validate left a
 * `${env:NAME}` whose variable is not set in place. Such a value is unknown, so no rule may judge
 * it (a title's length, a label config's XML); plan and apply, which need every variable, never
 * see one.
 */
export function holdsUnresolvedEnv(value: unknown): boolean {
  return typeof value === 'string' && /\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/.test(value);
}

/** Names of all `${var.NAME}` references in a value, for checking them against every environment. */
export function collectVariableReferences(
  value: unknown,
  path: Array<string | number> = [],
): Array<{ name: string; pointer: string }> {
  if (typeof value === 'string') {
    // `$${` is an escaped literal, not a reference: match it first so it is skipped.
    return [...value.matchAll(/\$\$\{|\$\{\s*var\.([A-Za-z_][A-Za-z0-9_]*)\s*\}/g)]
      .filter((m) => m[1] !== undefined)
      .map((m) => ({ name: m[1]!, pointer: joinPointer(...path) }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => collectVariableReferences(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => collectVariableReferences(v, [...path, k]));
  }
  return [];
}
