import { resolve } from 'node:path';
import { isInside } from '../../manifest/repo-path.ts';
import type { Plan } from '../../generated/schema-types.ts';
import { applyPlan, type ApplyEvent, type StepResult } from '../../reconcile/apply.ts';
import { renderPlanText } from '../../reconcile/render-text.ts';
import { nounFor, nounOf, plural } from '../../reconcile/render-values.ts';
import { resourceName } from '../../model/resource-name.ts';
import { describeSecret, findSecret, MIN_SECRET_LENGTH, redact } from '../../util/redact.ts';
import type { ProjectApplyExtras } from '../../kinds/project/apply.ts';
import { DEFAULT_JOURNAL_DIR } from '../../kinds/project/migrate/apply-migrations.ts';
import { findResourceKind } from '../../kinds/registry.ts';
import type { LiveState } from '../../state/live-state.ts';
import { readPlanFile, savedPlanDifferences } from '../../state/saved-plan.ts';
import { UserError } from '../../util/errors.ts';
import { styleFor, type Io } from '../../util/io.ts';
import { emitAnnotations } from '../annotations.ts';
import { openSession, readAndPlan, type PlanOptions, type Session } from '../plan-shell.ts';
import { execGit, readHead } from '../git.ts';
import { findRollback } from '../rollback-guard.ts';
import { readMergedPlan, type MergedPlan } from '../../ci/merged-plan.ts';
import { renderApplyMarkdown, renderApplyRefusalMarkdown } from '../../ci/render-apply-markdown.ts';
import { readAppliedFrom } from '../applied-from.ts';
import { pythonStrip } from '../../util/python-strip.ts';
import { importDataset } from '../../kinds/project/datasets.ts';
import { createProgress, type Progress } from '../progress.ts';
import { summarizePlan } from '../../ci/publish-plan.ts';
import { summarizeApply } from '../../ci/publish-apply.ts';
import { assertNever } from '../../util/assert-never.ts';

export interface ApplyArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly planFile?: string;
  readonly autoApprove: boolean;
  readonly prune: boolean;
  readonly allowDataLoss: boolean;
  readonly allowDuplicateTitle: boolean;
  readonly dedupe: boolean;
  /** Label migrations also write annotations with a draft attached (Label Studio deletes the drafts). */
  readonly deleteDrafts?: boolean;
  /** Where label migrations write their journal, relative to the repository (default `.labelform/journal`). */
  readonly journalDir?: string;
  readonly target: readonly string[];
  /** Apply the plan reviewed in the pull request merged as this commit (CI, default branch). */
  readonly merged?: boolean;
  /** The variable holding the GitHub / GitLab token for --merged. */
  readonly commentTokenEnv?: string;
  /** Apply although the markers record a commit that this checkout does not contain. */
  readonly allowRollback?: boolean;
}

/**
 * `labelform apply [PLANFILE]`: without a file, plan, show and ask (or --auto-approve); with a
 * saved plan, refuse it if anything it targets changed on the server since, else carry it out.
 */
export async function runApply(io: Io, args: ApplyArgs): Promise<number> {
  const s = styleFor(io.color);
  if (args.merged && args.planFile)
    throw new UserError('--merged takes the plan reviewed in the merged pull request; give no plan file');
  if (args.merged && args.target.length)
    throw new UserError('--target cannot be combined with --merged: the reviewed plan already says what it targets');
  const session = await openSession(io, args);
  if (args.merged) return applyMerged(io, session, args);
  let plan: Plan;
  let live: LiveState;
  if (args.planFile) {
    const saved = await readPlanFile(args.planFile);
    if (args.target.length)
      throw new UserError('--target cannot be combined with a saved plan: the plan already says what it targets');
    if (args.prune && !saved.prune)
      throw new UserError(
        `${args.planFile} was planned without --prune; run \`labelform plan --prune --out FILE\` to plan deletions`,
      );
    if (args.dedupe && !saved.dedupe)
      throw new UserError(
        `${args.planFile} was planned without --dedupe; run \`labelform plan --dedupe --out FILE\` to plan the removal of copies`,
      );
    if (args.deleteDrafts && !saved.deleteDrafts)
      throw new UserError(
        `${args.planFile} was planned without --delete-drafts; run \`labelform plan --delete-drafts --out FILE\` to plan rewriting annotations that have drafts (and deleting those drafts)`,
      );
    // The saved plan is a contract: plan again now, with the saved plan's options, and go ahead
    // only when the fresh plan yields exactly the saved changes.
    ({ plan, live } = await readAndPlan(io, session, savedOptions(saved)));
    const problems = savedPlanDifferences(saved, plan, { url: session.target.url, environment: session.target.name });
    if (problems.length)
      throw savedPlanRefusal(
        `the saved plan ${args.planFile} does not match a fresh plan`,
        problems,
        plan,
        args.planFile,
        'Run `labelform plan` again and review the new plan.',
      );
  } else {
    ({ plan, live } = await readAndPlan(io, session, {
      targets: args.target,
      allowDuplicateTitle: args.allowDuplicateTitle,
      prune: args.prune,
      dedupe: args.dedupe,
      deleteDrafts: args.deleteDrafts ?? false,
    }));
    io.stdout(renderPlanText(plan, { color: io.color }));
    emitAnnotations(io, plan.diagnostics);
    if (plan.summary.errors > 0) {
      io.stderr(`${s.red('Error:')} the plan has ${plural(plan.summary.errors, 'error')}; nothing was applied.\n`);
      await summarizePlan(io, args.dir, plan);
      return 1;
    }
  }
  const pending = plan.changes.filter((c) => c.action !== 'no-op');
  if (pending.length === 0) {
    io.stdout('Nothing to apply: the server matches the manifests.\n');
    await summarizePlan(io, args.dir, plan);
    return 0;
  }
  await guardRollback(io, session, live, plan, args.allowRollback ?? false);
  if (!args.planFile && !args.autoApprove) {
    if (!io.interactive) {
      throw new UserError(
        'refusing to apply without confirmation in a non-interactive shell',
        [],
        'Pass --auto-approve, or save a plan with `labelform plan --out plan.json` and run `labelform apply plan.json`.',
      );
    }
    const answer = await io.prompt(
      `\nApply ${plural(pending.length, 'change')} to ${session.target.url}? Only "yes" is accepted: `,
    );
    if (answer.trim() !== 'yes') {
      io.stdout('Apply cancelled; nothing was changed.\n');
      return 1;
    }
  }
  return execute(io, session, plan, live, args);
}

/**
 * `apply --merged`: the plan reviewed in the pull request merged as this commit, or nothing. A
 * fresh plan with nothing to do needs no reviewed plan (a push that changed no manifest); any
 * change needs one, equal to a fresh plan. Refusals and the result go to the merged pull request.
 */
async function applyMerged(io: Io, session: Session, args: ApplyArgs): Promise<number> {
  const head = (await readHead(execGit, session.repo.root)) ?? '';
  const merged = await readMergedPlan(io, {
    dir: args.dir,
    environment: session.target.name,
    head,
    debug: args.debug,
    ...(args.commentTokenEnv ? { tokenEnv: args.commentTokenEnv } : {}),
  });
  const { plan, live } = await readAndPlan(io, session, merged.plan ? savedOptions(merged.plan) : {});
  const pending = plan.changes.filter((c) => c.action !== 'no-op');
  if (pending.length === 0 && plan.summary.errors === 0) {
    io.stdout(renderPlanText(plan, { color: io.color }));
    io.stdout('Nothing to apply: the server matches the manifests.\n');
    await summarizePlan(io, args.dir, plan);
    return 0;
  }
  const how = `To apply commit ${merged.commit.slice(0, 7)}, have a plan of it reviewed: open a pull request into the default branch (an empty commit will do: \`git commit --allow-empty -m "labelform: plan again"\`), let its plan job comment the plan, and merge it; the apply job applies that plan.`;
  const problems = merged.plan
    ? savedPlanDifferences(merged.plan, plan, { url: session.target.url, environment: session.target.name })
    : [merged.problem ?? 'no reviewed plan was found'];
  const rollback = problems.length ? [] : await rollbackProblems(io, session, live, plan, args.allowRollback ?? false);
  const refusal = [...problems, ...rollback];
  if (refusal.length) {
    await postResult(io, merged, (limit) => renderApplyRefusalMarkdown(refusal, how, limit));
    const what = rollback.length
      ? 'refusing to apply an older or unrelated commit over a newer one'
      : merged.plan
        ? `the plan reviewed in ${merged.changeName} does not match a fresh plan of commit ${merged.commit.slice(0, 7)}`
        : 'no reviewed plan to apply';
    throw savedPlanRefusal(what, refusal, plan, undefined, rollback.length ? ROLLBACK_HINT : how);
  }
  io.stdout(
    `Applying the plan reviewed in ${merged.changeName}${merged.change?.url ? ` (${merged.change.url})` : ''} to ${session.target.url}.\n`,
  );
  return execute(io, session, plan, live, { ...args, autoApprove: true }, async (results) => {
    await postResult(io, merged, (limit) => renderApplyMarkdown(plan, results, limit));
  });
}

/** Posts to the merged pull request; a post that fails fails the run (after the apply, which stands). */
async function postResult(io: Io, merged: MergedPlan, render: (limit: number) => string): Promise<void> {
  const where = await merged.post(render);
  if (where) io.stderr(`Apply result posted to ${where}.\n`);
}

/** A saved plan's options, for the fresh plan it is compared with. */
function savedOptions(saved: Plan): PlanOptions {
  return {
    ...(saved.targets?.length ? { targets: saved.targets } : {}),
    allowDuplicateTitle: saved.allowDuplicateTitle ?? false,
    prune: saved.prune ?? false,
    dedupe: saved.dedupe ?? false,
    deleteDrafts: saved.deleteDrafts ?? false,
  };
}

function savedPlanRefusal(
  what: string,
  problems: readonly string[],
  plan: Plan,
  file: string | undefined,
  hint: string,
): UserError {
  const shown = problems
    .slice(0, 20)
    .map((p) => `  - ${p}`)
    .join('\n');
  // Located: the fresh plan's own errors at their manifest lines, and the plan file itself.
  const located = [
    ...(file
      ? [
          {
            severity: 'error' as const,
            code: 'saved-plan-differs',
            message: `does not match a fresh plan: ${problems[0]}`,
            file,
          },
        ]
      : []),
    ...plan.diagnostics.filter((d) => d.severity === 'error'),
  ];
  return new UserError(
    `${what}; nothing was applied:\n${shown}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
    located,
    hint,
  );
}

const ROLLBACK_HINT =
  'Apply from a checkout that holds the newest applied commit (git pull; in CI fetch the whole history: actions/checkout with fetch-depth: 0, GitLab GIT_DEPTH: 0). If going back is what you mean, revert in git and merge the revert, or pass --allow-rollback.';

/** Refuses an apply whose checkout does not contain the commit a managed project was last applied from. */
export async function guardRollback(
  io: Io,
  session: Session,
  live: LiveState,
  plan: Plan,
  allow: boolean,
): Promise<void> {
  const problems = await rollbackProblems(io, session, live, plan, allow);
  if (problems.length)
    throw savedPlanRefusal(
      'refusing to apply an older or unrelated commit over a newer one',
      problems,
      plan,
      undefined,
      ROLLBACK_HINT,
    );
}

async function rollbackProblems(
  io: Io,
  session: Session,
  live: LiveState,
  plan: Plan,
  allow: boolean,
): Promise<string[]> {
  const found = await findRollback(session.repo.root, live, plan.namespace);
  if (found.problems.length === 0) return [];
  if (allow) {
    io.stderr(
      `Warning: --allow-rollback: applying commit ${found.head?.slice(0, 12) ?? ''} although ${found.problems.join('; ')}.\n`,
    );
    return [];
  }
  return [...found.problems];
}

export async function execute(
  io: Io,
  session: Session,
  plan: Plan,
  live: LiveState,
  args: ApplyArgs,
  report?: (results: readonly StepResult[]) => Promise<void>,
): Promise<number> {
  const s = styleFor(io.color);
  const interactive = io.interactive && !args.autoApprove;
  // Declared task files, imported after a project's create or update (Project's applier calls it).
  const importTasks: ProjectApplyExtras['importTasks'] = async (projectId, _change, desired) => {
    const notes: string[] = [];
    for (const file of desired.tasks) {
      let progress: Progress | undefined;
      const r = await importDataset(
        session.client,
        projectId,
        desired,
        session.repo.config.namespace,
        session.repo.root,
        file,
        {
          onStart: async (missing) => {
            progress = await createProgress(io, {
              label: `  ${desired.name}: importing ${file.display}`,
              unit: 'tasks',
              total: missing,
            });
          },
          onCommitted: (p) => progress?.update(p.tasks),
        },
      );
      progress?.stop();
      notes.push(
        `${plural(r.tasks, 'task')} imported from ${file.display}${r.skipped ? ` (${r.skipped} already there)` : ''}`,
        ...r.notes,
      );
    }
    return notes.join('; ');
  };
  const journalDir = resolve(session.repo.root, args.journalDir ?? DEFAULT_JOURNAL_DIR);
  const results: StepResult[] = await applyPlan(
    plan,
    session.repo,
    live,
    {
      client: session.client,
      now: io.now,
      ...(io.sleep ? { sleep: io.sleep } : {}),
      progress: (e) => io.stdout(progressLine(e, s)),
      ...(interactive
        ? {
            confirmDelete: async (c) => {
              const noun = `${findResourceKind(c.kind)?.noun ?? c.kind} ${resourceName(c)} (id ${c.id})`;
              // A title holding a value from ${env:...} or a credential is never printed: the key (or id) is typed back instead.
              const hidden = hiddenTitle(c.title ?? '', io.env);
              if (hidden) {
                const typed = pythonStrip(
                  await io.prompt(
                    `Type the key of ${noun} to delete it ("${c.key}", or its id ${c.id}; its title is not shown: it contains ${hidden}): `,
                  ),
                );
                return typed === c.key || typed === String(c.id);
              }
              const typed = await io.prompt(`Type the title of ${noun} to delete it ("${c.title ?? ''}"): `);
              return pythonStrip(typed) === pythonStrip(c.title ?? '');
            },
          }
        : {}),
    },
    {
      allowDataLoss: args.allowDataLoss,
      extras: {
        appliedFrom: await readAppliedFrom(io.env, session.repo.root),
        importTasks,
        // What the plan was made with: a migration deletes drafts only when the reviewed plan said so.
        migrations: {
          deleteDrafts: plan.deleteDrafts ?? false,
          journalDir,
          // A journal in the checkout, which a pull request writes: no link there may lead out of it.
          ...(isInside(session.repo.root, journalDir) ? { root: session.repo.root } : {}),
          progress: (line) => io.stdout(`  ${line}\n`),
        },
      } satisfies ProjectApplyExtras,
    },
  );
  const by = (action: string) => results.filter((r) => r.action === action && r.outcome === 'done').length;
  const failed = results.filter((r) => r.outcome === 'failed');
  const skipped = results.filter((r) => r.outcome === 'skipped');
  const removedCopies = results.reduce((n, r) => n + (r.removedCopies?.length ?? 0), 0);
  const left = results.filter((r) => r.leftCopies?.length);
  await summarizeApply(io, args.dir, plan, results);
  await report?.(results);
  io.stdout(
    `\n${failed.length ? s.red('Apply finished with failures') : s.green('Apply complete')}: ${by('create')} created, ${by('update')} updated, ${by('adopt')} adopted, ${by('delete')} deleted` +
      `${skipped.length ? `, ${skipped.length} skipped` : ''}${failed.length ? `, ${failed.length} failed` : ''}` +
      `${removedCopies ? `; ${plural(removedCopies, 'empty copy', 'empty copies')} of created projects removed` : ''}.\n`,
  );
  emitAnnotations(
    io,
    [...failed, ...left].map((f) => {
      const change = plan.changes.find((c) => c.kind === f.kind && c.key === f.key && c.action === f.action);
      const message =
        f.outcome === 'failed'
          ? `${resourceName(f)}: ${f.action} failed: ${f.message ?? ''}`
          : `${resourceName(f)}: copies left in place: ${f.leftCopies!.map((l) => `id ${l.id} (${l.reason})`).join(', ')}`;
      return {
        severity: 'error' as const,
        code: f.outcome === 'failed' ? `${f.action}-failed` : 'copies-left',
        message,
        ...(change?.file ? { file: change.file, ...(change.line ? { line: change.line } : {}) } : {}),
      };
    }),
  );
  if (left.length) {
    io.stderr(
      `${s.red('Error:')} ${plural(left.length, 'key')} ended up carried by more than one project, and the copies could not be proven fresh and empty, so they were left in place: ` +
        `${left.map((r) => `${resourceName(r)} (kept id ${r.id}; left ${r.leftCopies!.map((l) => `id ${l.id}: ${l.reason}`).join(', ')})`).join('; ')}. ` +
        'Move their data into the kept project or remove their markers by hand; `labelform apply --dedupe` removes copies once they are empty.\n',
    );
  }
  if (failed.length) {
    io.stderr(
      `${s.red('Error:')} ${plural(failed.length, nounFor(failed))} failed: ${failed.map((f) => resourceName(f)).join(', ')}. The others were applied; run \`labelform plan\` to see what is left.\n`,
    );
  }
  return failed.length || left.length ? 1 : 0;
}

function progressLine(e: ApplyEvent, s: ReturnType<typeof styleFor>): string {
  if (e.type === 'settled') {
    return (
      `${s.yellow('!')} ${resourceName(e)} was carried by more than one ${nounOf(e.kind)} after the run: kept id ${e.winner}` +
      `${e.removed.length ? `, removed empty ${e.removed.length === 1 ? 'copy' : 'copies'} ${e.removed.map((id) => `id ${id}`).join(', ')}` : ''}` +
      `${e.left.length ? `, left ${e.left.map((l) => `id ${l.id} (${l.reason})`).join(', ')}` : ''}\n`
    );
  }
  const c = e.change;
  const name = `${resourceName(c)}${c.id ? ` (id ${c.id})` : ''}`;
  switch (e.type) {
    case 'start':
      return '';
    case 'done': {
      const verb =
        c.duplicateOf !== undefined
          ? `deleted (an empty copy; id ${c.duplicateOf} keeps the key)`
          : { create: 'created', update: 'updated', adopt: 'adopted', delete: 'deleted', 'no-op': 'unchanged' }[
              c.action
            ];
      const what =
        c.action === 'update' || c.action === 'adopt'
          ? `: ${[...c.fields.map((f) => f.field), ...(c.action === 'adopt' ? ['marker'] : [])].join(', ') || 'tasks'}`
          : '';
      return `${s.green('✔')} ${name} ${verb}${c.action === 'create' ? ` as id ${e.id}` : ''}${what} (${(e.ms / 1000).toFixed(2)} s)${e.note ? ` — ${e.note}` : ''}\n`;
    }
    case 'failed':
      return `${s.red('✖')} ${name} ${c.action} failed: ${e.message}\n`;
    case 'skipped':
      return `${s.yellow('-')} ${name} ${c.action} skipped: ${e.reason}\n`;
    default:
      return assertNever(e, 'apply event');
  }
}

/**
 * Why a title may not be printed (in a delete prompt): it holds a value from `${env:...}` or a
 * credential. The resource deleted may be one whose manifest is gone, so no manifest names the
 * variable its title came from any more: a value of any variable of this run's environment counts
 * too (at worst a title is not shown, and the key is asked for).
 */
function hiddenTitle(title: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const secret = findSecret(title);
  if (secret) return `the value of ${describeSecret(secret.name)}`;
  if (redact(title) !== title) return 'a credential';
  const variable = Object.entries(env).find(
    ([, v]) => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH && title.includes(v),
  );
  return variable ? `the value of the environment variable ${variable[0]}` : undefined;
}
