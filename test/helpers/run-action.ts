/**
 * Runs a composite action (action.yml) the way the GitHub runner does, for tests: inputs with
 * their defaults, the `${{ }}` expressions the action uses (inputs, github, runner, steps, env;
 * `==`, `!=`, `&&`, `||`, `!`, success()/always()/failure()), each `run:` step with
 * `bash --noprofile --norc -eo pipefail` in the workspace, and the runner's file commands:
 * GITHUB_OUTPUT (`name=value` and `name<<DELIMITER` blocks), GITHUB_ENV, GITHUB_PATH and
 * GITHUB_STEP_SUMMARY, one fresh file per step, read back after it. Steps that `uses:` another
 * action (setup-node, cache) are not run: they are recorded with their evaluated `with:` so a
 * test can check what they would have been given. An expression outside that subset, a context
 * or input the action does not define, or an input the action does not declare is an error, so
 * a typo in action.yml fails the test instead of evaluating to an empty string. Each run step's
 * output is kept with the time each piece arrived, so a test can measure how long the action
 * takes to get to labelform's first output.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

export interface ActionOptions {
  /** The directory holding action.yml (`github.action_path`). */
  readonly actionPath: string;
  /** GITHUB_WORKSPACE, the working directory of the run steps. */
  readonly workspace: string;
  readonly inputs: Record<string, string>;
  /** The job's environment (e.g. LABEL_STUDIO_URL), on top of PATH and HOME. */
  readonly env?: Record<string, string>;
  /** RUNNER_TEMP; a new temporary directory when not given (pass one to share it between runs, as a job does). */
  readonly runnerTemp?: string;
  /** The job summary file so far (GITHUB_STEP_SUMMARY of the job); one is made when not given. */
  readonly jobSummary?: string;
  /** Directories earlier steps of the job added to PATH. */
  readonly path?: readonly string[];
  /** Mocked outputs of `uses:` steps, by the action they use (e.g. `actions/cache@v5`). */
  readonly usesOutputs?: Record<string, Record<string, string>>;
}

export interface StepRecord {
  readonly id?: string;
  readonly name: string;
  readonly kind: 'run' | 'uses';
  readonly uses?: string;
  /** The evaluated `with:` of a `uses:` step. */
  readonly with?: Record<string, string>;
  readonly outcome: 'success' | 'failure' | 'skipped';
  readonly exitCode?: number;
  readonly outputs: Record<string, string>;
  /** When the step started (Date.now()); absent for a skipped step. */
  readonly startedAt?: number;
  /** What a run step printed (stdout and stderr), piece by piece, with the time each piece arrived. */
  readonly output?: ReadonlyArray<{ readonly at: number; readonly text: string }>;
}

export interface ActionResult {
  readonly conclusion: 'success' | 'failure';
  readonly outputs: Record<string, string>;
  readonly steps: readonly StepRecord[];
  /** Everything the run steps printed (stdout and stderr), in order per step. */
  readonly log: string;
  readonly jobSummaryFile: string;
  /** PATH additions made by the action (GITHUB_PATH), for the job's later steps. */
  readonly path: readonly string[];
  readonly runnerTemp: string;
}

interface ActionStep {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string | boolean;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly run?: string;
  readonly shell?: string;
  readonly env?: Record<string, unknown>;
  readonly 'working-directory'?: string;
}

interface ActionManifest {
  readonly inputs?: Record<string, { readonly default?: unknown; readonly required?: boolean }>;
  readonly outputs?: Record<string, { readonly value: string }>;
  readonly runs: { readonly using: string; readonly steps: readonly ActionStep[] };
}

/** Runs the action in `actionPath` and returns its outputs, step records and log. */
export async function runAction(opts: ActionOptions): Promise<ActionResult> {
  const manifest = parse(await readFile(join(opts.actionPath, 'action.yml'), 'utf8')) as ActionManifest;
  if (manifest.runs.using !== 'composite')
    throw new Error(`only composite actions are run here, not ${manifest.runs.using}`);
  const runnerTemp = opts.runnerTemp ?? (await mkdtemp(join(tmpdir(), 'runner-temp-')));
  const jobSummaryFile = opts.jobSummary ?? join(runnerTemp, 'job-summary.md');
  await writeFile(jobSummaryFile, '', { flag: 'a' });
  const declared = manifest.inputs ?? {};
  for (const name of Object.keys(opts.inputs)) {
    // The runner only warns ("Unexpected input"); a test should fail on it.
    if (!(name in declared)) throw new Error(`action.yml has no input "${name}"`);
  }

  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const github = {
    action_path: opts.actionPath,
    workspace: opts.workspace,
    token: 'ghs_test-token-of-the-action-runner',
  };
  const runner = { os: 'Linux', temp: runnerTemp };
  const jobEnv: Record<string, string> = { ...(opts.env ?? {}) };
  const pathAdditions: string[] = [];
  const base = { github, runner, env: jobEnv };
  const inputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(declared)) {
    inputs[name] =
      opts.inputs[name] ??
      interpolate(String(def.default ?? ''), { ...base, inputs: {}, steps: {} }, 'default of input ' + name);
  }

  const records: StepRecord[] = [];
  let log = '';
  let failed = false;
  for (const [index, step] of manifest.runs.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${index + 1}`;
    const context = { ...base, inputs, steps: stepsContext, status: failed ? 'failure' : 'success' };
    // As the runner does: a condition without a status function only runs after success.
    const written = step.if === undefined ? '' : stripBraces(String(step.if));
    const condition = !written
      ? 'success()'
      : /\b(success|failure|always|cancelled)\(\)/.test(written)
        ? written
        : `success() && (${written})`;
    if (!truthy(evaluate(condition, context, `if of "${name}"`))) {
      records.push({
        ...(step.id ? { id: step.id } : {}),
        name,
        kind: step.uses ? 'uses' : 'run',
        ...(step.uses ? { uses: step.uses } : {}),
        outcome: 'skipped',
        outputs: {},
      });
      if (step.id) stepsContext[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    const stepEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.env ?? {}))
      stepEnv[key] = interpolate(String(value), context, `env ${key} of "${name}"`);

    const startedAt = Date.now();
    if (step.uses) {
      const withValues: Record<string, string> = {};
      for (const [key, value] of Object.entries(step.with ?? {}))
        withValues[key] = interpolate(String(value), context, `with.${key} of "${name}"`);
      const outputs = opts.usesOutputs?.[step.uses] ?? {};
      records.push({
        ...(step.id ? { id: step.id } : {}),
        name,
        kind: 'uses',
        uses: step.uses,
        with: withValues,
        outcome: 'success',
        outputs,
        startedAt,
      });
      if (step.id) stepsContext[step.id] = { outputs, outcome: 'success', conclusion: 'success' };
      continue;
    }
    if (step.run === undefined) throw new Error(`step "${name}" has neither run nor uses`);
    if (step.shell !== 'bash')
      throw new Error(`step "${name}": only shell: bash is run here (composite run steps must name their shell)`);

    const dir = await mkdtemp(join(runnerTemp, 'step-'));
    const files = {
      output: join(dir, 'output'),
      env: join(dir, 'env'),
      path: join(dir, 'path'),
      summary: join(dir, 'summary'),
    };
    for (const file of Object.values(files)) await writeFile(file, '');
    const script = join(dir, 'script.sh');
    await writeFile(script, interpolate(step.run, context, `run of "${name}"`));
    const cwd = step['working-directory']
      ? join(opts.workspace, interpolate(step['working-directory'], context, 'working-directory'))
      : opts.workspace;
    await mkdir(cwd, { recursive: true });
    const env: Record<string, string> = {
      PATH: [...pathAdditions.slice().reverse(), ...(opts.path ?? []), process.env.PATH ?? ''].join(delimiter),
      HOME: process.env.HOME ?? '',
      ...jobEnv,
      ...stepEnv,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: opts.workspace,
      GITHUB_ACTION_PATH: opts.actionPath,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: runner.os,
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_STEP_SUMMARY: files.summary,
    };
    const run = await spawnBash(script, cwd, env);
    const output = run.pieces.map((p) => p.text).join('');
    log += `::step:: ${name}\n${output}`;
    const outputs = parseFileCommand(await readFile(files.output, 'utf8'));
    Object.assign(jobEnv, parseFileCommand(await readFile(files.env, 'utf8')));
    for (const line of (await readFile(files.path, 'utf8')).split('\n'))
      if (line.trim()) pathAdditions.push(line.trim());
    const summary = await readFile(files.summary, 'utf8');
    if (summary) await writeFile(jobSummaryFile, summary, { flag: 'a' });
    const outcome = run.code === 0 ? 'success' : 'failure';
    if (outcome === 'failure') failed = true;
    records.push({
      ...(step.id ? { id: step.id } : {}),
      name,
      kind: 'run',
      outcome,
      exitCode: run.code,
      outputs,
      startedAt,
      output: run.pieces,
    });
    if (step.id) stepsContext[step.id] = { outputs, outcome, conclusion: outcome };
  }

  const outputs: Record<string, string> = {};
  for (const [name, def] of Object.entries(manifest.outputs ?? {})) {
    outputs[name] = interpolate(
      def.value,
      { ...base, inputs, steps: stepsContext, status: failed ? 'failure' : 'success' },
      `output ${name}`,
    );
  }
  return {
    conclusion: failed ? 'failure' : 'success',
    outputs,
    steps: records,
    log,
    jobSummaryFile,
    path: [...pathAdditions],
    runnerTemp,
  };
}

/** Parses a GITHUB_OUTPUT / GITHUB_ENV file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseFileCommand(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line) continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq === -1 || heredoc[1]!.length < eq)) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i]!.replace(/\r$/, '') !== heredoc[2]; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`file command: no closing delimiter ${heredoc[2]} for ${heredoc[1]}`);
      values[heredoc[1]!] = body.join('\n');
    } else if (eq > 0) {
      values[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`file command: cannot read line ${JSON.stringify(line)}`);
    }
  }
  return values;
}

function spawnBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; pieces: Array<{ at: number; text: string }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pieces: Array<{ at: number; text: string }> = [];
    const add = (c: Buffer) => pieces.push({ at: Date.now(), text: c.toString() });
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, pieces }));
  });
}

// ---------------------------------------------------------------------------------------------
// Expressions: the subset GitHub documents that this action uses.

type Value = string | number | boolean | null | { readonly [key: string]: unknown };
type Context = Record<string, unknown>;

function stripBraces(expression: string): string {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expression);
  return m ? m[1]! : expression;
}

/** Replaces each `${{ expression }}` in a string by its value as a string. */
export function interpolate(text: string, context: Context, where: string): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => toText(evaluate(expression, context, where)));
}

function toText(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function truthy(value: Value): boolean {
  return !(
    value === null ||
    value === false ||
    value === 0 ||
    value === '' ||
    (typeof value === 'number' && Number.isNaN(value))
  );
}

/** Evaluates one expression (without `${{ }}`). */
export function evaluate(expression: string, context: Context, where = 'expression'): Value {
  const tokens = tokenize(expression, where);
  let pos = 0;
  const fail = (message: string): never => {
    throw new Error(`${where}: ${message} in \`${expression.trim()}\``);
  };
  const peek = () => tokens[pos];
  const take = (text?: string) => {
    const t = tokens[pos];
    if (!t || (text !== undefined && t.text !== text)) fail(`expected ${text ?? 'more'}`);
    pos++;
    return t!;
  };

  const orExpr = (): Value => {
    let left = andExpr();
    while (peek()?.text === '||') {
      take();
      const right = andExpr();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const andExpr = (): Value => {
    let left = equality();
    while (peek()?.text === '&&') {
      take();
      const right = equality();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const equality = (): Value => {
    let left = unary();
    while (peek()?.text === '==' || peek()?.text === '!=') {
      const op = take().text;
      const right = unary();
      left = op === '==' ? looselyEqual(left, right) : !looselyEqual(left, right);
    }
    return left;
  };
  const unary = (): Value => {
    if (peek()?.text === '!') {
      take();
      return !truthy(unary());
    }
    return primary();
  };
  const primary = (): Value => {
    const t = take();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.text === '(') {
      const v = orExpr();
      take(')');
      return v;
    }
    if (t.kind !== 'name') return fail(`unexpected ${t.text}`);
    if (t.text === 'true') return true;
    if (t.text === 'false') return false;
    if (t.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      take(')');
      const status = context.status;
      switch (t.text) {
        case 'success':
          return status !== 'failure';
        case 'failure':
          return status === 'failure';
        case 'always':
          return true;
        case 'cancelled':
          return false;
        default:
          return fail(`unsupported function ${t.text}()`);
      }
    }
    if (!(t.text in context) || t.text === 'status') fail(`unknown context "${t.text}"`);
    let value: unknown = context[t.text];
    const path = [t.text];
    while (peek()?.text === '.' || peek()?.text === '[') {
      let key: string;
      if (take().text === '.') key = take().text;
      else {
        key = toText(orExpr());
        take(']');
      }
      path.push(key);
      // Typos are errors here, where GitHub would quietly give an empty string.
      if (path.length === 2 && path[0] === 'inputs' && !(key in (value as object)))
        fail(`input "${key}" is not declared`);
      if (path.length === 2 && path[0] === 'steps' && !(key in (value as object)))
        fail(`no step with id "${key}" ran before this`);
      value =
        value !== null && typeof value === 'object' && key in value ? (value as Record<string, unknown>)[key] : null;
    }
    return (value ?? null) as Value;
  };

  const result = orExpr();
  if (pos < tokens.length) fail(`unexpected ${tokens[pos]!.text}`);
  return result;
}

/** GitHub's `==`: strings compare case-insensitively; other mixes compare as numbers. */
function looselyEqual(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  const num = (v: Value) =>
    v === null
      ? 0
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'string'
          ? v.trim() === ''
            ? 0
            : Number(v)
          : NaN;
  return num(a) === num(b);
}

interface Token {
  readonly kind: 'name' | 'string' | 'number' | 'op';
  readonly text: string;
}

function tokenize(expression: string, where: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_-]*)|(==|!=|&&|\|\||[!().[\]]))/y;
  let pos = 0;
  while (pos < expression.length) {
    if (/^\s*$/.test(expression.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expression);
    if (!m) throw new Error(`${where}: cannot read \`${expression.slice(pos).trim()}\``);
    pos = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'string', text: m[1].replace(/''/g, "'") });
    else if (m[2] !== undefined) tokens.push({ kind: 'number', text: m[2] });
    else if (m[3] !== undefined) tokens.push({ kind: 'name', text: m[3] });
    else tokens.push({ kind: 'op', text: m[4]! });
  }
  return tokens;
}
