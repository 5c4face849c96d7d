import { readFile } from 'node:fs/promises';
import equal from 'fast-deep-equal';
import type { LabelConfigChange, Plan, ResourceChange } from '../generated/schema-types.ts';
import { validateAgainstSchema } from '../manifest/schemas.ts';
import { PLAN_FORMAT_VERSION } from '../model/plan-format.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { UserError } from '../util/errors.ts';
import { redact } from '../util/redact.ts';
import { resourceName } from '../model/resource-name.ts';

/** Saves a plan (it holds no secrets, but it describes a server: readable by its owner only). */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(path, planText(plan), 0o600);
}

export async function readPlanFile(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(
      `cannot read plan file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  return parsePlan(text, path);
}

/** A saved plan's text, checked: JSON, this labelform's format, the plan schema. `where` names it in errors. */
export function parsePlan(text: string, where: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${where} is not a labelform plan: ${(err as Error).message}`);
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== PLAN_FORMAT_VERSION) {
    throw new UserError(
      `${where} has plan format ${JSON.stringify(version)}; this labelform reads format ${PLAN_FORMAT_VERSION}. Make a new plan.`,
    );
  }
  const issues = validateAgainstSchema('plan', value);
  if (issues.length)
    throw new UserError(
      `${where} is not a valid plan: ${issues
        .slice(0, 3)
        .map((i) => `${i.pointer || '/'}: ${i.message}`)
        .join('; ')}`,
    );
  return value as Plan;
}

/** The text a plan is saved as: secret fields carry no values, and redact catches any other secret. */
export function planText(plan: Plan): string {
  return redact(`${JSON.stringify(plan, null, 2)}\n`);
}

/**
 * Why a saved plan may not be applied. A saved plan is a contract: apply makes a fresh plan at
 * the moment of writing and goes ahead only when it yields exactly the saved changes — the same
 * projects, actions, fields and values. So a hand-edited file cannot delete, add or change
 * anything a fresh plan would not, and whatever moved since (a field on the server, an
 * annotation relabelled, a task file, the manifests) is named. The first difference comes first.
 */
export function savedPlanDifferences(
  saved: Plan,
  unsaved: Plan,
  here: { readonly url: string; readonly environment: string },
): string[] {
  // Compared as saved: the saved file went through redact (a credential in a live value, such as
  // a URL's user info in a description, is masked there), so the fresh plan goes through it too.
  const fresh = JSON.parse(planText(unsaved)) as Plan;
  if (!sameServerUrl(saved.server.url, here.url)) return [`the plan was made for ${saved.server.url}, not ${here.url}`];
  if (saved.server.environment !== here.environment)
    return [`the plan was made for environment "${saved.server.environment}", not "${here.environment}"`];
  if (saved.namespace !== fresh.namespace)
    return [`the plan was made for namespace "${saved.namespace}", but labelform.yaml says "${fresh.namespace}"`];
  if (saved.diagnostics.some((d) => d.severity === 'error'))
    return ['the plan has errors; fix them and make a new plan'];
  const freshErrors = fresh.diagnostics.filter((d) => d.severity === 'error');
  if (freshErrors.length) {
    return freshErrors.map(
      (d) => `a fresh plan has an error${d.file ? ` at ${d.file}${d.line ? `:${d.line}` : ''}` : ''}: ${d.message}`,
    );
  }
  const problems: string[] = [];
  if (saved.desiredDigest !== fresh.desiredDigest) problems.push('the manifests changed since the plan was made');
  const freshByKey = new Map(fresh.changes.map((c) => [identity(c), c]));
  const savedKeys = new Set(saved.changes.map(identity));
  for (const c of saved.changes) {
    const now = freshByKey.get(identity(c));
    if (!now) {
      const other = fresh.changes.find((f) => sameResource(f, c) && f.action !== 'no-op');
      problems.push(
        other
          ? `${resourceName(c)}: the plan says ${describe(c)}, a fresh plan says ${describe(other)}`
          : c.action === 'no-op'
            ? `${resourceName(c)}: the plan has no change for it, a fresh plan ${fresh.changes.some((f) => sameResource(f, c)) ? 'has a different one' : 'does not list it'}`
            : `${resourceName(c)}: the plan says ${describe(c)}, a fresh plan has no such change`,
      );
      continue;
    }
    problems.push(...changeDifferences(c, now));
  }
  for (const c of fresh.changes) {
    if (
      !savedKeys.has(identity(c)) &&
      c.action !== 'no-op' &&
      !saved.changes.some((s) => sameResource(s, c) && s.action !== 'no-op')
    ) {
      problems.push(`${resourceName(c)}: a fresh plan says ${describe(c)}, which the plan does not have`);
    }
  }
  return problems;
}

/** A change's identity: (kind, parent, key), and the resource it acts on (a key with copies has several). */
function identity(c: ResourceChange): string {
  return `${c.kind}/${c.parent?.key ?? ''}/${c.key}/${c.action === 'create' ? 'new' : c.id}/${c.action}`;
}

/** The same resource, whatever the action: (kind, parent, key). */
function sameResource(a: ResourceChange, b: ResourceChange): boolean {
  return a.kind === b.kind && a.key === b.key && a.parent?.key === b.parent?.key;
}

function describe(c: ResourceChange): string {
  return `${c.action}${c.id !== undefined ? ` of id ${c.id}` : ''}`;
}

/** Where one saved change and its fresh counterpart differ, in the order a reviewer reads it. */
function changeDifferences(saved: ResourceChange, fresh: ResourceChange): string[] {
  const out: string[] = [];
  const who = `${resourceName(saved)}${saved.id !== undefined ? ` (id ${saved.id})` : ''}`;
  if ((saved.title ?? null) !== (fresh.title ?? null)) out.push(`${who}: the title differs from a fresh plan`);
  if ((saved.parent?.id ?? null) !== (fresh.parent?.id ?? null))
    out.push(
      `${who}: its ${saved.parent?.kind ?? 'parent'} ${saved.parent?.key ?? ''} is now id ${fresh.parent?.id ?? '(none)'}, not id ${saved.parent?.id ?? '(none)'} as the plan says`,
    );
  const freshFields = new Map(fresh.fields.map((f) => [f.field, f]));
  for (const f of saved.fields) {
    const now = freshFields.get(f.field);
    if (!now) {
      out.push(`${who}: field ${f.field} is in the plan but a fresh plan does not change it`);
      continue;
    }
    if (Boolean(f.sensitive) !== Boolean(now.sensitive)) out.push(`${who}: field ${f.field} differs from a fresh plan`);
    else if (!equal(f.before ?? null, now.before ?? null))
      out.push(`${who}: field ${f.field} changed on the server since the plan`);
    else if (!equal(f.after ?? null, now.after ?? null))
      out.push(`${who}: field ${f.field} would be set to a value other than the plan says`);
  }
  for (const f of fresh.fields) {
    if (saved.fields.some((s) => s.field === f.field)) continue;
    // Not in the plan, changed now: with the same manifests, the server moved.
    out.push(
      saved.action === 'create'
        ? `${who}: a fresh plan also sets field ${f.field}`
        : `${who}: field ${f.field} changed on the server since the plan`,
    );
  }
  if (!equal(stripSource(saved.detail?.labelConfig), stripSource(fresh.detail?.labelConfig)))
    out.push(`${who}: the label_config change differs from a fresh plan`);
  if (!equal(saved.detail?.tasks ?? [], fresh.detail?.tasks ?? []))
    out.push(
      `${who}: the task files to import differ from a fresh plan (a file changed, or tasks were imported since)`,
    );
  const annotations = { saved: saved.detail?.annotations ?? 0, fresh: fresh.detail?.annotations ?? 0 };
  if (saved.action === 'delete' && annotations.saved !== annotations.fresh)
    out.push(`${who}: now has ${annotations.fresh} annotations (the plan saw ${annotations.saved})`);
  if (!equal(saved.notes ?? [], fresh.notes ?? []))
    out.push(`${who}: what the change does besides its fields differs from a fresh plan`);
  if ((saved.duplicateOf ?? null) !== (fresh.duplicateOf ?? null))
    out.push(`${who}: the copy it removes is kept by another project than the plan says`);
  return out;
}

/** `source` names the file as seen from the working directory, which may differ between plan and apply. */
function stripSource(lc: LabelConfigChange | undefined): unknown {
  if (!lc) return null;
  const { source: _source, ...rest } = lc;
  return rest;
}

/** Two server URLs that name the same server as plans compare them (case, spaces, trailing slashes aside). */
export function sameServerUrl(a: string, b: string): boolean {
  return normaliseUrl(a) === normaliseUrl(b);
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}
