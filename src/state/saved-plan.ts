import { readFile } from 'node:fs/promises';
import type { Plan } from '../generated/schema-types.ts';
import type { Repository } from '../manifest/types.ts';
import { validateAgainstSchema } from '../manifest/schemas.ts';
import { fingerprintProject } from '../kinds/project/compare.ts';
import { PLAN_FORMAT_VERSION, desiredDigest, matchProjects } from '../reconcile/plan.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';
import { redact } from '../util/redact.ts';
import { fingerprintValue } from './fingerprint.ts';
import { hashFile, repoRelative } from '../tasks/datasets.ts';
import type { LiveState } from './live-state.ts';

/** Saves a plan (it holds no secrets, but it describes a server: readable by its owner only). */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  // Secret fields carry no values; redact catches a secret that made its way into any other one.
  await writeFileAtomic(path, redact(`${JSON.stringify(plan, null, 2)}\n`), 0o600);
}

export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read plan file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not a labelform plan: ${(err as Error).message}`);
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== PLAN_FORMAT_VERSION) {
    throw new UserError(`${path} has plan format ${JSON.stringify(version)}; this labelform reads format ${PLAN_FORMAT_VERSION}. Make a new plan.`);
  }
  const issues = validateAgainstSchema('plan', value);
  if (issues.length) throw new UserError(`${path} is not a valid plan: ${issues.slice(0, 3).map((i) => `${i.pointer || '/'}: ${i.message}`).join('; ')}`);
  return value as Plan;
}

/**
 * Why a saved plan can no longer be applied: another server or namespace, manifests changed
 * since, or a targeted project changed on the server since (naming the project and the field).
 */
export function checkPlanFreshness(plan: Plan, repo: Repository, live: LiveState, server: { url: string }): string[] {
  const problems: string[] = [];
  if (normaliseUrl(plan.server.url) !== normaliseUrl(server.url)) {
    return [`the plan was made for ${plan.server.url}, not ${server.url}`];
  }
  if (plan.namespace !== repo.config.namespace) {
    return [`the plan was made for namespace "${plan.namespace}", but labelform.yaml says "${repo.config.namespace}"`];
  }
  if (plan.diagnostics.some((d) => d.severity === 'error')) {
    return ['the plan has errors; fix them and make a new plan'];
  }
  if (plan.desiredDigest && plan.desiredDigest !== desiredDigest(repo, plan.targets)) {
    problems.push('the manifests changed since the plan was made');
  }
  const matches = new Map(matchProjects(repo, live, plan.changes.map((c) => c.key)).map((m) => [m.desired.name, m]));
  for (const c of plan.changes) {
    if (c.action === 'no-op') continue;
    const m = matches.get(c.key);
    if (c.action === 'delete') {
      const p = live.projects.find((x) => x.id === c.id);
      if (!p || p.marker?.key !== c.key || p.marker.namespace !== plan.namespace) problems.push(`${c.key}: project ${c.id} is gone or no longer carries its marker`);
      else if (p.annotationCount !== (c.annotations ?? 0)) problems.push(`${c.key}: project ${c.id} now has ${p.annotationCount} annotations (the plan saw ${c.annotations ?? 0})`);
      continue;
    }
    if (!m) {
      problems.push(`${c.key}: no manifest for it any more`);
      continue;
    }
    const target = c.action === 'adopt' ? m.adopt : m.live;
    if (c.action === 'create') {
      if (m.live || m.duplicates.length) problems.push(`${c.key}: a project carrying its marker appeared since the plan (id ${(m.live ?? m.duplicates[0])!.id})`);
      continue;
    }
    if (!target || target.id !== c.id) {
      problems.push(`${c.key}: project ${c.id} ${c.action === 'adopt' ? 'was adopted or removed' : 'is gone or lost its marker'} since the plan`);
      continue;
    }
    const now = fingerprintProject(m.desired, target);
    now.annotations = fingerprintValue(target.annotationCount);
    for (const [field, hash] of Object.entries(c.fingerprint ?? {})) {
      if (now[field] !== undefined && now[field] !== hash) {
        problems.push(field === 'annotations' ? `${c.key} (id ${c.id}): annotations changed since the plan (now ${target.annotationCount})` : `${c.key} (id ${c.id}): field ${field} changed on the server since the plan`);
      }
    }
  }
  return problems;
}

/** Declared task files whose content changed since the plan counted their tasks. */
export async function checkTaskFilesFresh(plan: Plan, repo: Repository): Promise<string[]> {
  const problems: string[] = [];
  for (const c of plan.changes) {
    for (const t of c.tasks ?? []) {
      const file = repo.projects.find((p) => p.name === c.key)?.tasks.find((f) => repoRelative(repo.root, f.path) === t.file);
      const now = file ? await hashFile(file.path).catch(() => undefined) : undefined;
      if (now !== t.fingerprint) problems.push(`${c.key}: task file ${t.file} ${now === undefined ? 'is gone' : 'changed'} since the plan`);
    }
  }
  return problems;
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}
