/**
 * A project for label-migration tests, on the fake or a real server: two Labels controls sharing
 * the label `Org` (`label`, the one migrated, and `other`, which must stay untouched), annotations
 * imported with the tasks (sent as text, so that `10.0` reaches the server as a float) and made
 * through the API, drafts attached to annotations and drafts of tasks, and predictions of two
 * model versions. What a rename of `label`'s Org must write is counted as the project is built.
 */
import type { LabelStudioClient } from '../../src/api/client.ts';
import type { ResultHolderType } from '../../src/api/types.ts';

export const MIGRATION_CONFIG =
  '<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="Org"/><Label value="Organization"/><Label value="Person"/></Labels><Labels name="other" toName="text"><Label value="Org"/><Label value="Place"/></Labels></View>';

export interface MigrationFixture {
  readonly projectId: number;
  readonly taskIds: readonly number[];
  /** Annotations with a draft attached (and their drafts). */
  readonly withDraft: ReadonlyArray<{ readonly annotation: number; readonly draft: number }>;
  /** What a rename of `label`'s Org must write. */
  readonly expected: {
    readonly annotations: number;
    readonly drafts: number;
    readonly predictions: Readonly<Record<string, number>>;
    readonly regions: number;
    readonly skipped: number;
  };
}

const region = (id: string, control: string, label: string, start: number) =>
  `{"id":"${id}","from_name":"${control}","to_name":"text","type":"labels","value":{"start":${start},"end":${start + 3}.0,"text":"abc","labels":["${label}"]},"origin":"manual"}`;

/** Annotation `i`'s result as text: Org on `label` for two of three tasks (twice for one of six), always Org on `other`. */
function annotationResult(i: number, suffix: string): { text: string; regions: number } {
  const parts = [region(`o${i}${suffix}`, 'other', 'Org', 20)];
  let regions = 0;
  if (i % 3 !== 0) {
    parts.unshift(region(`l${i}${suffix}`, 'label', 'Org', 0));
    regions++;
    if (i % 6 === 1) {
      parts.push(region(`m${i}${suffix}`, 'label', 'Org', 40));
      regions++;
    }
  } else parts.unshift(region(`p${i}${suffix}`, 'label', 'Person', 0));
  return { text: `[${parts.join(',')}]`, regions };
}

export async function buildMigrationProject(
  client: LabelStudioClient,
  o: { title: string; tasks: number; apiAnnotations: number; drafts: number },
): Promise<MigrationFixture> {
  const projectId = (await client.createProject({ title: o.title, label_config: MIGRATION_CONFIG })).id;
  let annotations = 0;
  let regions = 0;
  const predictions: Record<string, number> = {};
  const items: string[] = [];
  for (let i = 0; i < o.tasks; i++) {
    const a = annotationResult(i, 'i');
    if (a.regions) {
      annotations++;
      regions += a.regions;
    }
    const version = i % 2 === 0 ? 'model-a' : 'model-b';
    const predicted = i % 4 !== 3;
    if (predicted) {
      predictions[version] = (predictions[version] ?? 0) + 1;
      regions++;
    }
    const prediction = predicted ? region(`q${i}`, 'label', 'Org', 0) : region(`q${i}`, 'label', 'Person', 0);
    items.push(
      `{"data":{"text":"abc task ${i}"},"annotations":[{"result":${a.text}}],"predictions":[{"model_version":"${version}","score":0.5,"result":[${prediction}]}]}`,
    );
  }
  const taskIds = [
    ...(await client.importTasks(projectId, `[${items.join(',')}]`, { returnTaskIds: true })).task_ids!,
  ].sort((a, b) => a - b);
  const made: Array<{ id: number; task: number; i: number }> = [];
  for (let k = 0; k < o.apiAnnotations; k++) {
    const i = k + 1;
    const a = annotationResult(i, 'a');
    const task = taskIds[k % taskIds.length]!;
    const created = await client.createAnnotation(task, { result: JSON.parse(a.text) as unknown[] });
    made.push({ id: created.id, task, i });
    if (a.regions) {
      annotations++;
      regions += a.regions;
    }
  }
  // Drafts attached to API annotations holding Org (those annotations are skipped), and loose ones.
  const withDraft: Array<{ annotation: number; draft: number }> = [];
  let drafts = 0;
  let skipped = 0;
  for (const m of made.filter((x) => x.i % 3 !== 0).slice(0, Math.ceil(o.drafts / 2))) {
    const a = annotationResult(m.i, 'd');
    const d = await client.createDraft(m.task, { result: JSON.parse(a.text) as unknown[] }, m.id);
    withDraft.push({ annotation: m.id, draft: d.id });
    const own = annotationResult(m.i, 'a');
    annotations--;
    regions += a.regions - own.regions;
    skipped++;
    drafts++;
  }
  for (let k = 0; k < Math.floor(o.drafts / 2); k++) {
    const a = annotationResult(k * 3 + 1, 'x');
    await client.createDraft(taskIds[k % taskIds.length]!, { result: JSON.parse(a.text) as unknown[] });
    drafts++;
    regions += a.regions;
  }
  return { projectId, taskIds, withDraft, expected: { annotations, drafts, predictions, regions, skipped } };
}

/** Every annotation, draft and prediction of the project with the exact text of its result. */
export async function snapshotResults(client: LabelStudioClient, projectId: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const refs: Array<{ type: ResultHolderType; id: number }> = [];
  for (const t of await client.exportAnnotationsAndDrafts(projectId)) {
    for (const a of t.annotations) refs.push({ type: 'annotation', id: a.id });
    for (const d of t.drafts) refs.push({ type: 'draft', id: d.id });
  }
  for (const p of await client.listPredictions(projectId)) refs.push({ type: 'prediction', id: p.id });
  await Promise.all(
    refs.map(async (r) => out.set(`${r.type}:${r.id}`, (await client.readResult(r.type, r.id)).resultText)),
  );
  return out;
}
