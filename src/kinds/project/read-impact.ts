import type { LabelStudioClient } from '../../api/client.ts';
import { isApiError } from '../../api/errors.ts';
import { readAnnotationUsage, type AnnotationUsage } from './annotation-usage.ts';

/** What the reads found about a label-config change on a project with annotations. */
export interface ImpactFacts {
  /** The strict per-project validate endpoint's verdict. */
  readonly serverCheck: { readonly ok: true } | { readonly ok: false; readonly message: string };
  /** Label use counted from the annotations (only when the change removes something). */
  readonly usage?: AnnotationUsage;
  /** Label use counted from the annotations and drafts alone (without the project summary). */
  readonly counted?: AnnotationUsage;
  /**
   * The project summary's label use of drafts (`created_labels_drafts`), which the server's strict
   * check reads too; before 1.23 it is left stale when a draft goes with its annotation's write.
   */
  readonly draftSummary?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Reads what the planner needs to judge a label-config change on a project with annotations:
 * the server's strict per-project validation, and — when the change removes labels or controls —
 * the label use from the project summary merged with a count from the annotations themselves.
 */
export async function readImpactFacts(
  client: LabelStudioClient,
  checks: ReadonlyArray<{ key: string; projectId: number; xml: string; removes: boolean }>,
): Promise<Map<string, ImpactFacts>> {
  const facts = new Map<string, ImpactFacts>();
  await Promise.all(
    checks.map(async (c) => {
      const serverCheck = await client.validateProjectConfig(c.projectId, c.xml).then(
        () => ({ ok: true as const }),
        (err: unknown) => {
          if (isApiError(err) && err.status === 400) {
            const messages = Object.values(err.validationErrors ?? {}).flat();
            return { ok: false as const, message: messages.length ? messages.join(' ') : err.detail };
          }
          throw err;
        },
      );
      if (!c.removes) {
        facts.set(c.key, { serverCheck });
        return;
      }
      const [summary, counted] = await Promise.all([
        client.projectSummary(c.projectId),
        readAnnotationUsage(client, c.projectId),
      ]);
      facts.set(c.key, {
        serverCheck,
        usage: mergeUsage(counted, summary.created_labels ?? {}),
        counted,
        draftSummary: summary.created_labels_drafts ?? {},
      });
    }),
  );
  return facts;
}

/** The larger count per label: the summary can be ahead (drafts) or behind (imported annotations). */
function mergeUsage(counted: AnnotationUsage, summary: Record<string, Record<string, number>>): AnnotationUsage {
  const labels: Record<string, Record<string, number>> = structuredClone(counted.labels);
  const controls: Record<string, number> = { ...counted.controls };
  for (const [control, byLabel] of Object.entries(summary)) {
    for (const [label, n] of Object.entries(byLabel ?? {})) {
      const row = (labels[control] ??= {});
      row[label] = Math.max(row[label] ?? 0, Number(n) || 0);
      controls[control] = Math.max(controls[control] ?? 0, row[label]);
    }
  }
  return { annotations: counted.annotations, controls, labels };
}
