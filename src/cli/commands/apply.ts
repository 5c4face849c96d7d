import type { Plan } from '../../generated/schema-types.ts';
import { applyPlan, type ApplyEvent, type StepResult } from '../../reconcile/apply.ts';
import { renderPlanText } from '../../reconcile/render-text.ts';
import { nounFor, nounOf, plural, resourceName } from '../../reconcile/render-values.ts';
import type { ProjectApplyExtras } from '../../kinds/project/apply.ts';
import { findResourceKind } from '../../kinds/registry.ts';
import type { LiveState } from '../../state/live-state.ts';
import { readPlanFile, savedPlanDifferences } from '../../state/saved-plan.ts';
import { UserError } from '../../util/errors.ts';
import { styleFor, type Io } from '../io.ts';
import { emitAnnotations } from '../annotations.ts';
import { openSession, readAndPlan, type Session } from '../plan-shell.ts';
import { readAppliedFrom } from '../applied-from.ts';
import { pythonStrip } from '../../util/python-strip.ts';
import { importDataset } from '../../tasks/datasets.ts';
import { createProgress, type Progress } from '../progress.ts';
import { summarizePlan } from '../../ci/publish-plan.ts';
import { summarizeApply } from '../../ci/publish-apply.ts';

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
  readonly target: readonly string[];
}

/**
 * `labelform apply [PLANFILE]`: without a file, plan, show and ask (or --auto-approve); with a
 * saved plan, refuse it if anything it targets changed on the server since, else carry it out.
 */
export async function runApply(io: Io, args: ApplyArgs): Promise<number> {
  const s = styleFor(io.color);
  const session = await openSession(io, args);
  let plan: Plan;
  let live: LiveState;
  if (args.planFile) {
    plan = await readPlanFile(args.planFile);
    if (args.target.length) throw new UserError('--target cannot be combined with a saved plan: the plan already says what it targets');
    if (args.prune && !plan.prune) throw new UserError(`${args.planFile} was planned without --prune; run \`labelform plan --prune --out FILE\` to plan deletions`);
    if (args.dedupe && !plan.dedupe) throw new UserError(`${args.planFile} was planned without --dedupe; run \`labelform plan --dedupe --out FILE\` to plan the removal of copies`);
    // The saved plan is a contract: plan again now, with the saved plan's options, and go ahead
    // only when the fresh plan yields exactly the saved changes.
    const saved = plan;
    ({ plan, live } = await readAndPlan(io, session, {
      ...(saved.targets?.length ? { targets: saved.targets } : {}),
      allowDuplicateTitle: saved.allowDuplicateTitle ?? false,
      prune: saved.prune ?? false,
      dedupe: saved.dedupe ?? false,
    }));
    const problems = savedPlanDifferences(saved, plan, { url: session.target.url, environment: session.target.name });
    if (problems.length) {
      const shown = problems.slice(0, 20).map((p) => `  - ${p}`).join('\n');
      // Located: the fresh plan's own errors at their manifest lines, and the plan file itself.
      const located = [
        { severity: 'error' as const, code: 'saved-plan-differs', message: `does not match a fresh plan: ${problems[0]}`, file: args.planFile },
        ...plan.diagnostics.filter((d) => d.severity === 'error'),
      ];
      throw new UserError(
        `the saved plan ${args.planFile} does not match a fresh plan; nothing was applied:\n${shown}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
        located,
        'Run `labelform plan` again and review the new plan.',
      );
    }
  } else {
    ({ plan, live } = await readAndPlan(io, session, { targets: args.target, allowDuplicateTitle: args.allowDuplicateTitle, prune: args.prune, dedupe: args.dedupe }));
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
  if (!args.planFile && !args.autoApprove) {
    if (!io.interactive) {
      throw new UserError('refusing to apply without confirmation in a non-interactive shell', [], 'Pass --auto-approve, or save a plan with `labelform plan --out plan.json` and run `labelform apply plan.json`.');
    }
    const answer = await io.prompt(`\nApply ${plural(pending.length, 'change')} to ${session.target.url}? Only "yes" is accepted: `);
    if (answer.trim() !== 'yes') {
      io.stdout('Apply cancelled; nothing was changed.\n');
      return 1;
    }
  }
  return execute(io, session, plan, live, args);
}

async function execute(io: Io, session: Session, plan: Plan, live: LiveState, args: ApplyArgs): Promise<number> {
  const s = styleFor(io.color);
  const interactive = io.interactive && !args.autoApprove;
  // Declared task files, imported after a project's create or update (Project's applier calls it).
  const importTasks: ProjectApplyExtras['importTasks'] = async (projectId, _change, desired) => {
    const notes: string[] = [];
    for (const file of desired.tasks) {
      let progress: Progress | undefined;
      const r = await importDataset(session.client, projectId, desired, session.repo.config.namespace, session.repo.root, file, {
        onStart: async (missing) => {
          progress = await createProgress(io, { label: `  ${desired.name}: importing ${file.display}`, unit: 'tasks', total: missing });
        },
        onCommitted: (p) => progress?.update(p.tasks),
      });
      progress?.stop();
      notes.push(`${plural(r.tasks, 'task')} imported from ${file.display}${r.skipped ? ` (${r.skipped} already there)` : ''}`, ...r.notes);
    }
    return notes.join('; ');
  };
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
              const typed = await io.prompt(`Type the title of ${findResourceKind(c.kind)?.noun ?? c.kind} ${resourceName(c)} (id ${c.id}) to delete it ("${c.title ?? ''}"): `);
              return pythonStrip(typed) === pythonStrip(c.title ?? '');
            },
          }
        : {}),
    },
    { allowDataLoss: args.allowDataLoss, extras: { appliedFrom: await readAppliedFrom(io.env, session.repo.root), importTasks } satisfies ProjectApplyExtras },
  );
  const by = (action: string) => results.filter((r) => r.action === action && r.outcome === 'done').length;
  const failed = results.filter((r) => r.outcome === 'failed');
  const skipped = results.filter((r) => r.outcome === 'skipped');
  const removedCopies = results.reduce((n, r) => n + (r.removedCopies?.length ?? 0), 0);
  const left = results.filter((r) => r.leftCopies?.length);
  await summarizeApply(io, args.dir, plan, results);
  io.stdout(
    `\n${failed.length ? s.red('Apply finished with failures') : s.green('Apply complete')}: ${by('create')} created, ${by('update')} updated, ${by('adopt')} adopted, ${by('delete')} deleted` +
      `${skipped.length ? `, ${skipped.length} skipped` : ''}${failed.length ? `, ${failed.length} failed` : ''}` +
      `${removedCopies ? `; ${plural(removedCopies, 'empty copy', 'empty copies')} of created projects removed` : ''}.\n`,
  );
  emitAnnotations(
    io,
    [...failed, ...left].map((f) => {
      const change = plan.changes.find((c) => c.kind === f.kind && c.key === f.key && c.action === f.action);
      const message = f.outcome === 'failed' ? `${resourceName(f)}: ${f.action} failed: ${f.message ?? ''}` : `${resourceName(f)}: copies left in place: ${f.leftCopies!.map((l) => `id ${l.id} (${l.reason})`).join(', ')}`;
      return { severity: 'error' as const, code: f.outcome === 'failed' ? `${f.action}-failed` : 'copies-left', message, ...(change?.file ? { file: change.file, ...(change.line ? { line: change.line } : {}) } : {}) };
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
    io.stderr(`${s.red('Error:')} ${plural(failed.length, nounFor(failed))} failed: ${failed.map((f) => resourceName(f)).join(', ')}. The others were applied; run \`labelform plan\` to see what is left.\n`);
  }
  return failed.length || left.length ? 1 : 0;
}

function progressLine(e: ApplyEvent, s: ReturnType<typeof styleFor>): string {
  if (e.type === 'settled') {
    return `${s.yellow('!')} ${resourceName(e)} was carried by more than one ${nounOf(e.kind)} after the run: kept id ${e.winner}` +
      `${e.removed.length ? `, removed empty ${e.removed.length === 1 ? 'copy' : 'copies'} ${e.removed.map((id) => `id ${id}`).join(', ')}` : ''}` +
      `${e.left.length ? `, left ${e.left.map((l) => `id ${l.id} (${l.reason})`).join(', ')}` : ''}\n`;
  }
  const c = e.change;
  const name = `${resourceName(c)}${c.id ? ` (id ${c.id})` : ''}`;
  switch (e.type) {
    case 'start':
      return '';
    case 'done': {
      const verb = c.duplicateOf !== undefined ? `deleted (an empty copy; id ${c.duplicateOf} keeps the key)` : { create: 'created', update: 'updated', adopt: 'adopted', delete: 'deleted', 'no-op': 'unchanged' }[c.action];
      const what = c.action === 'update' || c.action === 'adopt' ? `: ${[...c.fields.map((f) => f.field), ...(c.action === 'adopt' ? ['marker'] : [])].join(', ') || 'tasks'}` : '';
      return `${s.green('✔')} ${name} ${verb}${c.action === 'create' ? ` as id ${e.id}` : ''}${what} (${(e.ms / 1000).toFixed(2)} s)${e.note ? ` — ${e.note}` : ''}\n`;
    }
    case 'failed':
      return `${s.red('✖')} ${name} ${c.action} failed: ${e.message}\n`;
    case 'skipped':
      return `${s.yellow('-')} ${name} ${c.action} skipped: ${e.reason}\n`;
  }
}
