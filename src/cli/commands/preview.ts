import { readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCiContext } from '../../ci/ci-context.ts';
import { cutMarkdown } from '../../ci/fit-markdown.ts';
import { appendStepSummary } from '../../ci/step-summary.ts';
import { previewMarkdown } from '../../preview/plan-links.ts';
import { loadRepository } from '../../state/load-repository.ts';
import type { Repository } from '../../kinds/kind.ts';
import { checkoutAt } from '../../preview/base.ts';
import { findBrowser } from '../../preview/browser.ts';
import {
  findPackageEditor,
  holdsEditor,
  packageEditor,
  serverEditor,
  type EditorSource,
} from '../../preview/editor-source.ts';
import { publishToBranch } from '../../preview/publish-branch.ts';
import { PreviewRenderer } from '../../preview/renderer.ts';
import { summaryHtml, summaryText, type PreviewSummary } from '../../preview/report.ts';
import { previewSubjects, subjectsOf, type PreviewSubject } from '../../preview/run.ts';
import { readPlanFile } from '../../state/saved-plan.ts';
import type { Plan } from '../../generated/schema-types.ts';
import { UserError } from '../../util/errors.ts';
import { resolveServerUrl } from '../connect.ts';
import type { Io } from '../../util/io.ts';
import { openSession, readAndPlan } from '../plan-shell.ts';
import { targetName } from '../../model/resource-name.ts';

export interface PreviewArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly names: readonly string[];
  /** Compare with the configs at this git revision. */
  readonly base?: string;
  /** Compare with the live configs a saved plan recorded. */
  readonly plan?: string;
  /** Compare with the server's current configs. */
  readonly live: boolean;
  readonly out: string;
  readonly json: boolean;
  readonly browser?: string;
  /** A server URL or an installed label-studio's site-packages directory. */
  readonly editor?: string;
  readonly publishBranch?: string;
  readonly publishRemote: string;
  readonly publishUrl?: string;
}

/**
 * `labelform preview`: draws each label config with Label Studio's own editor in headless
 * Chromium, and with a base (git revision, saved plan or the live server) also the config before
 * the change and both side by side with the changed regions outlined. Writes PNGs, index.html
 * and summary.json to --out. Never writes to a server. Exit 1 when a config cannot be drawn.
 */
export async function runPreview(io: Io, args: PreviewArgs): Promise<number> {
  const bases = [args.base !== undefined, args.plan !== undefined, args.live].filter(Boolean).length;
  if (bases > 1) throw new UserError('give at most one of --base, --plan and --live: each says what "before" is');
  const loaded = await loadRepository(args.dir, {
    env: io.env,
    requireEnv: false,
    cwd: io.cwd,
    ...(args.env ? { environment: args.env } : {}),
  });
  if (!loaded.repository) throw new UserError('the manifests have errors; nothing was rendered', loaded.diagnostics);
  const repo = loaded.repository;
  const { subjects, unknown, withheld } = subjectsOf(repo, args.names);
  for (const name of withheld)
    io.stderr(
      `Note: ${name} is not drawn: its label config comes from \${env:...}, a secret, and preview images are shared.\n`,
    );
  if (unknown.length) {
    const known = subjectsOf(repo, []).subjects.map((s) => s.name);
    throw new UserError(
      `no label config named ${unknown.map((n) => `"${n}"`).join(', ')} in ${args.dir} (projects and LabelConfigs with one: ${known.join(', ') || 'none'})`,
    );
  }
  if (subjects.length === 0) {
    io.stderr(
      `Nothing to draw: no project or LabelConfig in ${args.dir} has a label config${withheld.length ? ' that is not a secret' : ''}.\n`,
    );
    return 0;
  }
  const browserPath = findBrowser(io.env, args.browser);
  const { base, label } = await readBase(io, args, subjects);
  const editor = await chooseEditor(io, args, repo);
  const outDir = resolve(io.cwd, args.out);
  await clearOldImages(outDir);

  const renderer = await PreviewRenderer.open(browserPath, editor);
  if (renderer.unsandboxed)
    io.stderr(
      `Note: the browser runs without its sandbox: ${renderer.unsandboxed}. It still has no network (docs/commands.md, preview).\n`,
    );
  let summary: PreviewSummary;
  try {
    const results = await previewSubjects(renderer, subjects, {
      outDir,
      ...(base ? { base } : {}),
      ...(io.stderrIsTTY && !args.json
        ? {
            progress: (done: number, total: number, name: string) => io.stderr(`Rendered ${name} (${done}/${total})\n`),
          }
        : {}),
    });
    summary = {
      version: 1,
      editor: editor.description,
      ...(label ? { base: label } : {}),
      sandboxed: !renderer.unsandboxed,
      results,
    };
  } finally {
    await renderer.close();
  }
  if (args.publishBranch) summary = { ...summary, published: await publish(io, args, outDir, summary) };
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(outDir, 'index.html'), await summaryHtml(summary, outDir));
  io.stdout(args.json ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary, args.out));
  const markdown = previewMarkdown(summary, args.out);
  await appendStepSummary(io, (budget) => ({
    text: cutMarkdown(markdown, budget.max, budget.measure),
    truncated: budget.measure(markdown) > budget.max,
  }));
  const failed = summary.results.filter((r) => r.status === 'error');
  for (const r of failed)
    io.stderr(`Error: ${r.name} (${r.file}): Label Studio's editor cannot draw this label config: ${r.error}\n`);
  return failed.length ? 1 : 0;
}

/** Images an earlier preview left in the folder: gone, so an uploaded folder shows this run only. */
async function clearOldImages(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => /\.(after|before|compare)\.png$/.test(n)).map((n) => rm(join(outDir, n), { force: true })),
  );
}

/** What each subject's config was before: at a git revision, in a saved plan, or on the server now. */
async function readBase(
  io: Io,
  args: PreviewArgs,
  subjects: readonly PreviewSubject[],
): Promise<{ base?: Map<string, string | null>; label?: string }> {
  if (args.base !== undefined) {
    const copy = await checkoutAt(resolve(io.cwd, args.dir), args.base);
    try {
      const old = await loadRepository(copy.dir, {
        env: io.env,
        requireEnv: false,
        cwd: copy.dir,
        ...(args.env ? { environment: args.env } : {}),
      });
      if (!old.repository) {
        const first = old.diagnostics.find((d) => d.severity === 'error');
        throw new UserError(
          `--base ${args.base}: the manifests at that revision do not load${first ? ` (${first.file ?? ''}${first.line ? `:${first.line}` : ''}: ${first.message})` : ''}`,
        );
      }
      const before = new Map(subjectsOf(old.repository, []).subjects.map((s) => [s.name, s.xml]));
      return { base: new Map(subjects.map((s) => [s.name, before.get(s.name) ?? null])), label: `git:${args.base}` };
    } finally {
      await copy.remove();
    }
  }
  if (args.plan !== undefined)
    return { base: fromPlan(await readPlanFile(resolve(io.cwd, args.plan)), subjects), label: `plan:${args.plan}` };
  if (args.live) {
    const session = await openSession(io, args);
    const { plan } = await readAndPlan(io, session, { datasets: false });
    return { base: fromPlan(plan, subjects), label: `server:${session.target.url}` };
  }
  return {};
}

/**
 * The live configs a plan recorded: a change's `label_config` "before" (null for a create).
 * Projects the plan does not change have the config the repository has.
 */
function fromPlan(plan: Plan, subjects: readonly PreviewSubject[]): Map<string, string | null> {
  const base = new Map(subjects.map((s) => [s.name, s.xml as string | null]));
  for (const c of plan.changes) {
    // A subject is named as a person types it, so a change names its own subject the same way.
    const name = targetName(c);
    if (!base.has(name)) continue;
    const field = c.fields.find((f) => f.field === 'label_config');
    if (!field || field.sensitive) continue;
    base.set(name, c.action === 'create' ? null : typeof field.before === 'string' ? field.before : null);
  }
  return base;
}

/**
 * The editor of the server (`--editor URL`, else the environment's URL when it answers), else an
 * installed label-studio package (`--editor DIR`, LABELFORM_EDITOR, or python3's).
 */
async function chooseEditor(io: Io, args: PreviewArgs, repo: Repository): Promise<EditorSource> {
  if (args.editor)
    return /^https?:\/\//i.test(args.editor) ? serverEditor(args.editor) : packageEditor(resolve(io.cwd, args.editor));
  let url: string | undefined;
  try {
    url = resolveServerUrl(repo.config, args.env ?? repo.environment, io.env).url;
  } catch {
    url = undefined;
  }
  if (url) {
    const base = url.replace(/\/+$/, '');
    // The probe is the editor source's own first fetch: nothing is downloaded twice.
    const server = serverEditor(base, 5000);
    try {
      if (await holdsEditor(server)) return server;
      io.stderr(`Note: ${base} serves no labeling editor (/react-app/runtime.js or /label-studio-frontend/); `);
    } catch (err) {
      io.stderr(
        `Note: ${base} did not answer (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}); `,
      );
    }
    io.stderr('rendering with an installed label-studio package instead.\n');
  }
  const local = findPackageEditor(io.env);
  if (local) return local;
  throw new UserError(
    `no Label Studio editor to render with: ${url ? `${url} did not serve one` : 'no server URL is set'} and no label-studio Python package is installed`,
    [],
    "Make the server reachable (LABEL_STUDIO_URL), install the server's version of label-studio (`pip install label-studio==VERSION`), or pass --editor URL|SITE_PACKAGES_DIR.",
  );
}

async function publish(
  io: Io,
  args: PreviewArgs,
  outDir: string,
  summary: PreviewSummary,
): Promise<PreviewSummary['published']> {
  const branch = args.publishBranch!;
  const ci = await readCiContext(io.env);
  const files = summary.results
    .flatMap((r) => [r.images.sideBySide, r.images.after, r.images.before])
    .filter((f): f is string => !!f);
  let urlBase = args.publishUrl;
  if (!urlBase && ci.platform === 'github' && ci.repository) {
    const server = (io.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    urlBase = `${server}/${ci.repository.owner}/${ci.repository.repo}/raw/${branch}`;
  }
  if (!urlBase)
    throw new UserError(
      `--publish-branch ${branch}: outside GitHub Actions, say where the branch's files are served with --publish-url (e.g. https://github.com/OWNER/REPO/raw/${branch})`,
    );
  const sha = ci.platform !== 'none' ? ci.commit?.sha?.slice(0, 12) : undefined;
  const pr = ci.platform === 'github' ? ci.pullRequest?.number : undefined;
  const folder = [pr ? `pr-${pr}` : 'runs', sha ?? `t${io.now()}`].join('/');
  const urls = files.length
    ? await publishToBranch({
        cwd: resolve(io.cwd, args.dir),
        outDir,
        files,
        branch,
        remote: args.publishRemote,
        folder,
        urlBase,
        env: io.env,
      })
    : {};
  io.stderr(
    `Published ${files.length} image${files.length === 1 ? '' : 's'} to branch ${branch} of ${args.publishRemote} (${folder}/).\n`,
  );
  return { branch, urls };
}
