import yargs, { type Argv } from 'yargs';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_MIB } from '../tasks/limits.ts';
import { isUserError, UserError } from '../util/errors.ts';
import { redact } from '../util/redact.ts';
import { processIo, styleFor, type Io } from '../util/io.ts';
import { emitAnnotations } from './annotations.ts';
import { renderFailureDocument, requestedDocument, type DocumentRequest } from '../ci/failure-document.ts';
import { printDiagnostics } from './report.ts';
import { VERSION } from '../util/version.ts';

/**
 * Runs the CLI with the given arguments and returns the exit code: 0 success/no changes,
 * 1 error, 2 changes or drift present (plan --detailed-exitcode, drift).
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const safeIo: Io = { ...io, stdout: (t) => io.stdout(redact(t)), stderr: (t) => io.stderr(redact(t)) };
  let exitCode = 0;
  const document = requestedDocument(argv);
  const run = (fn: () => Promise<number>) => async () => {
    exitCode = await guard(safeIo, fn, document);
  };
  // yargs turns a lone "-" into "": keep it recognisable as "standard input".
  const cli = buildCli(
    argv.map((a) => (a === '-' ? STDIN_ARG : a)),
    safeIo,
    run,
  );
  try {
    await cli.parseAsync();
  } catch (err) {
    // yargs reports usage errors through .fail(); anything here is unexpected.
    exitCode = await guard(safeIo, () => Promise.reject(err), document);
  }
  return exitCode;
}

/** What a lone "-" argument (standard input) becomes while yargs parses. */
const STDIN_ARG = '<stdin>';

type Runner = (fn: () => Promise<number>) => () => Promise<void>;

function buildCli(argv: readonly string[], io: Io, run: Runner): Argv {
  return yargs([...argv])
    .scriptName('labelform')
    .usage('$0 <command> [options]\n\nManage Label Studio projects and label configs from git.')
    .option('dir', {
      alias: 'C',
      type: 'string',
      default: '.',
      describe: 'Directory holding labelform.yaml and the manifests',
      global: true,
    })
    .option('debug', {
      type: 'boolean',
      default: false,
      describe: 'Log every HTTP request (never headers or bodies) to stderr',
      global: true,
    })
    .option('env', {
      alias: 'e',
      type: 'string',
      describe: 'Environment from labelform.yaml (default: its defaultEnvironment)',
      global: true,
    })
    .command(
      'validate [path]',
      'Check every manifest and label config offline (no server). Exit 0 when clean, 1 otherwise.',
      (y) =>
        y
          .positional('path', { type: 'string', describe: 'Manifest directory (default: --dir)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print diagnostics as JSON' }),
      (a) =>
        run(async () =>
          (await import('./commands/validate.ts')).runValidate(io, {
            dir: a.path ?? a.dir,
            json: a.json,
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'status',
      'Check the URL and token of an environment: server version, user, auth scheme.',
      (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' }),
      (a) =>
        run(async () =>
          (await import('./commands/status.ts')).runStatus(io, {
            dir: a.dir,
            json: a.json,
            debug: a.debug,
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'plan',
      'Compare the server with the manifests and show what apply would do. Exit 0 (no changes or changes), 1 error; with --detailed-exitcode 2 when there are changes.',
      (y) =>
        y
          .option('out', { type: 'string', describe: 'Save the plan (JSON) for `labelform apply FILE`' })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'Print the plan as JSON (schemas/plan.schema.json)',
          })
          .option('markdown', {
            type: 'boolean',
            default: false,
            describe: 'Print the plan as Markdown for a PR comment',
          })
          .check((a) => {
            if (a.json && a.markdown) throw new Error('--json and --markdown cannot be used together');
            return true;
          })
          .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'Exit 2 when there are changes' })
          .option('target', {
            type: 'string',
            array: true,
            default: [] as string[],
            describe:
              'Plan only these resources: Kind/key, or a bare key for a Project (with its sub-resources); repeatable',
          })
          .option('prune', {
            type: 'boolean',
            default: false,
            describe: 'Plan deletion of orphans (managed by this namespace, no manifest)',
          })
          .option('dedupe', {
            type: 'boolean',
            default: false,
            describe:
              'For a key carried by several projects: keep the lowest id, plan deleting the empty copies (copies with data are listed, never deleted)',
          })
          .option('delete-drafts', {
            type: 'boolean',
            default: false,
            describe:
              'Label migrations also rewrite annotations that have a draft attached; Label Studio deletes those drafts (without it such annotations are left and counted as skipped)',
          })
          .option('allow-duplicate-title', {
            type: 'boolean',
            default: false,
            describe: 'Create even when an unmanaged project has the same title',
          })
          .option('comment', {
            type: 'boolean',
            default: false,
            describe:
              'Create or update the plan comment of the pull request (GitHub Actions) or merge request (GitLab CI)',
          })
          .option('comment-token-env', {
            type: 'string',
            describe: 'Variable holding the token for --comment (default GITHUB_TOKEN; GITLAB_TOKEN on GitLab)',
          })
          .option('previews', {
            type: 'string',
            describe:
              'Show the label-config previews `labelform preview --out DIR` wrote to DIR in the Markdown plan (comment, step summary)',
          }),
      (a) =>
        run(async () =>
          (await import('./commands/plan.ts')).runPlan(io, {
            comment: a.comment,
            ...(a.previews ? { previews: a.previews } : {}),
            ...(a['comment-token-env'] ? { commentTokenEnv: a['comment-token-env'] } : {}),
            dir: a.dir,
            debug: a.debug,
            json: a.json,
            markdown: a.markdown,
            detailedExitcode: a['detailed-exitcode'],
            target: a.target,
            prune: a.prune,
            dedupe: a.dedupe,
            deleteDrafts: a['delete-drafts'],
            allowDuplicateTitle: a['allow-duplicate-title'],
            ...(a.out ? { out: a.out } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'preview [names..]',
      "Draw label configs with Label Studio's own editor (headless Chrome/Chromium) to PNGs and an HTML report; with --base, --plan or --live also before and after, side by side. Never writes to a server. Exit 1 when a config cannot be drawn.",
      (y) =>
        y
          .positional('names', {
            type: 'string',
            array: true,
            describe: 'Projects or LabelConfigs (default: every one with a label config)',
          })
          .option('base', {
            type: 'string',
            describe: 'Compare with the configs at this git revision (e.g. origin/main)',
          })
          .option('plan', {
            type: 'string',
            describe: "Compare with the server's configs as this saved plan recorded them",
          })
          .option('live', {
            type: 'boolean',
            default: false,
            describe: "Compare with the server's current configs (reads the server)",
          })
          .option('out', {
            type: 'string',
            default: 'labelform-preview',
            describe: 'Directory for the PNGs, index.html and summary.json',
          })
          .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' })
          .option('browser', {
            type: 'string',
            describe:
              'Chrome or Chromium executable (default: LABELFORM_BROWSER, then chromium / google-chrome on PATH)',
          })
          .option('editor', {
            type: 'string',
            describe:
              "Where the editor comes from: a server URL, or the site-packages directory of an installed label-studio (default: the environment's server, else LABELFORM_EDITOR, else python3's label-studio)",
          })
          .option('publish-branch', {
            type: 'string',
            describe:
              'Also commit the images to this branch of the repository and push it, for inline images in PR comments',
          })
          .option('publish-remote', { type: 'string', default: 'origin', describe: 'Remote for --publish-branch' })
          .option('publish-url', {
            type: 'string',
            describe:
              "Where the branch's files are served (default in GitHub Actions: https://github.com/OWNER/REPO/raw/BRANCH)",
          }),
      (a) =>
        run(async () =>
          (await import('./commands/preview.ts')).runPreview(io, {
            dir: a.dir,
            debug: a.debug,
            names: (a.names ?? []).map(String),
            live: a.live,
            out: a.out,
            json: a.json,
            publishRemote: a['publish-remote'],
            ...(a.base ? { base: a.base } : {}),
            ...(a.plan ? { plan: a.plan } : {}),
            ...(a.browser ? { browser: a.browser } : {}),
            ...(a.editor ? { editor: a.editor } : {}),
            ...(a['publish-branch'] ? { publishBranch: a['publish-branch'] } : {}),
            ...(a['publish-url'] ? { publishUrl: a['publish-url'] } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'apply [planfile]',
      'Create and update projects to match the manifests (asks first, unless --auto-approve or a saved plan). Exit 0 done, 1 if anything failed.',
      (y) =>
        y
          .positional('planfile', {
            type: 'string',
            describe: 'A plan saved with `plan --out`; refused if the server changed since',
          })
          .option('auto-approve', { type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
          .option('prune', { type: 'boolean', default: false, describe: 'Also delete orphans of this namespace' })
          .option('allow-data-loss', {
            type: 'boolean',
            default: false,
            describe: 'Let --prune delete projects that have annotations',
          })
          .option('dedupe', {
            type: 'boolean',
            default: false,
            describe:
              'For a key carried by several projects: keep the lowest id and delete the empty copies (copies with data are listed, never deleted)',
          })
          .option('delete-drafts', {
            type: 'boolean',
            default: false,
            describe:
              'Label migrations also rewrite annotations that have a draft attached; Label Studio deletes those drafts (with a saved plan: only when it was planned with --delete-drafts)',
          })
          .option('journal-dir', {
            type: 'string',
            default: '.labelform/journal',
            describe:
              'Where label migrations keep their journal (what each rewritten object held before), relative to the repository; `labelform migrations revert --journal FILE` undoes one from it',
          })
          .option('allow-duplicate-title', {
            type: 'boolean',
            default: false,
            describe: 'Create even when an unmanaged project has the same title',
          })
          .option('target', {
            type: 'string',
            array: true,
            default: [] as string[],
            describe:
              'Apply only these resources: Kind/key, or a bare key for a Project (with its sub-resources); repeatable',
          })
          .option('merged', {
            type: 'boolean',
            default: false,
            describe:
              'In CI on the default branch: apply exactly the plan reviewed in the pull request (merge request) merged as this commit, and post the result there',
          })
          .option('comment-token-env', {
            type: 'string',
            describe:
              'For --merged: the variable holding the GitHub or GitLab token (default GITHUB_TOKEN, or GITLAB_TOKEN)',
          })
          .option('allow-rollback', {
            type: 'boolean',
            default: false,
            describe: 'Apply although a managed project was last applied from a commit this checkout does not contain',
          }),
      (a) =>
        run(async () =>
          (await import('./commands/apply.ts')).runApply(io, {
            merged: a.merged,
            allowRollback: a['allow-rollback'],
            ...(a['comment-token-env'] ? { commentTokenEnv: a['comment-token-env'] } : {}),
            dir: a.dir,
            debug: a.debug,
            autoApprove: a['auto-approve'],
            prune: a.prune,
            allowDataLoss: a['allow-data-loss'],
            allowDuplicateTitle: a['allow-duplicate-title'],
            dedupe: a.dedupe,
            deleteDrafts: a['delete-drafts'],
            journalDir: a['journal-dir'],
            target: a.target,
            ...(a.planfile ? { planFile: a.planfile } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'drift',
      'Report where the server and git differ, and which side moved since the last apply. Exit 0 none, 2 differs (changed on the server or not yet applied), 1 error.',
      (y) =>
        y
          .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
          .option('markdown', { type: 'boolean', default: false, describe: 'Print the report as Markdown' })
          .option('issue', {
            type: 'boolean',
            default: false,
            describe: 'With drift, open or update the drift issue (GitHub); without, close it',
          })
          .option('issue-token-env', {
            type: 'string',
            describe: 'Variable holding the token for --issue (default GITHUB_TOKEN)',
          })
          .check((a) => {
            if (a.json && a.markdown) throw new Error('--json and --markdown cannot be used together');
            return true;
          }),
      (a) =>
        run(async () =>
          (await import('./commands/drift.ts')).runDrift(io, {
            dir: a.dir,
            debug: a.debug,
            json: a.json,
            markdown: a.markdown,
            issue: a.issue,
            ...(a['issue-token-env'] ? { issueTokenEnv: a['issue-token-env'] } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'watch',
      'Run drift in a loop and report each change once: a resource that starts or stops differing from git (and which side moved), an error and its end. Runs until SIGTERM/SIGINT (exit 0); --once: one cycle, exit codes as drift.',
      (y) =>
        y
          .option('interval', {
            type: 'string',
            default: '60s',
            describe: 'Time between two cycles, with ±10% jitter: 60 (seconds), 90s, 500ms, 5m',
          })
          .option('once', {
            type: 'boolean',
            default: false,
            describe: 'One cycle, then exit: 0 server matches git, 2 differs, 1 error',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'Events as JSON Lines on stdout, logs as JSON Lines on stderr',
          })
          .option('metrics', {
            type: 'string',
            describe: 'Serve /healthz and /metrics (Prometheus) on HOST:PORT, e.g. 127.0.0.1:9464',
          })
          .option('listen', {
            type: 'string',
            describe:
              'Receive Label Studio webhooks on HOST:PORT: watch keeps a PROJECT_UPDATED webhook on each managed project, and a delivery brings the next cycle forward',
          })
          .option('git-pull', {
            type: 'boolean',
            default: false,
            describe:
              'Before a cycle, at most once per --interval: git pull --ff-only in the checkout (no hooks run, no prompt); a failure is said once and the checkout as it is is compared',
          })
          .option('self-heal', {
            type: 'boolean',
            default: false,
            describe:
              "Put git's values back on what changed on the server only (never what the annotation guard refuses, never git's own unapplied changes), at most once per resource per 5 minutes; after that, report it",
          })
          .option('issue', {
            type: 'boolean',
            default: false,
            describe:
              'Keep the drift issue in step, as drift --issue does (GitHub: GITHUB_REPOSITORY and a token with issues: write), at start and whenever the state changes',
          })
          .option('issue-token-env', {
            type: 'string',
            describe: 'The variable holding the token for --issue (default GITHUB_TOKEN)',
          })
          .option('listen-url', {
            type: 'string',
            describe:
              'How Label Studio reaches --listen (default http://HOST:PORT/labelform/hooks; needed when HOST is 0.0.0.0)',
          })
          .option('comment', {
            type: 'boolean',
            default: false,
            describe:
              'Tell each open pull request whose plan comment the server moved under (its apply would be refused): a note of its own, removed once the plan matches again (GitHub: GITHUB_REPOSITORY and a token with pull-requests: write)',
          })
          .option('comment-token-env', {
            type: 'string',
            describe: 'The variable holding the token for --comment (default GITHUB_TOKEN)',
          })
          .option('comment-author', {
            type: 'string',
            describe:
              "The account that writes the plan comments (default: --comment's token's own); github-actions[bot] when the plan job comments with the workflow token",
          }),
      (a) =>
        run(async () =>
          (await import('./commands/watch.ts')).runWatch(io, {
            dir: a.dir,
            debug: a.debug,
            json: a.json,
            interval: a.interval,
            once: a.once,
            ...(a.metrics !== undefined ? { metrics: a.metrics } : {}),
            ...(a.listen !== undefined ? { listen: a.listen } : {}),
            ...(a['listen-url'] !== undefined ? { listenUrl: a['listen-url'] } : {}),
            ...(a['git-pull'] ? { gitPull: true } : {}),
            ...(a['self-heal'] ? { selfHeal: true } : {}),
            ...(a.issue ? { issue: true } : {}),
            ...(a['issue-token-env'] ? { issueTokenEnv: a['issue-token-env'] } : {}),
            ...(a.comment ? { comment: true } : {}),
            ...(a['comment-token-env'] ? { commentTokenEnv: a['comment-token-env'] } : {}),
            ...(a['comment-author'] ? { commentAuthor: a['comment-author'] } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'import <name> <id>',
      'Adopt an existing resource under the manifest NAME (Kind/key, or a bare key for a project); writes the ownership marker only.',
      (y) =>
        y
          .positional('name', {
            type: 'string',
            demandOption: true,
            describe: 'Kind/key of a manifest (a bare key: a Project)',
          })
          .positional('id', { type: 'string', demandOption: true, describe: 'Server id of the resource' }),
      (a) =>
        run(async () =>
          (await import('./commands/import.ts')).runImport(io, {
            dir: a.dir,
            debug: a.debug,
            name: String(a.name),
            projectId: checkId(a.id),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command(
      'pull',
      'Write manifests and .xml files from live projects (unmanaged ones are adopted on the next apply).',
      (y) =>
        y
          .option('project', {
            type: 'number',
            array: true,
            default: [] as number[],
            describe: 'Project id to pull, repeatable',
          })
          .option('all', {
            type: 'boolean',
            default: false,
            describe: 'Pull every project not managed by another namespace',
          })
          .option('out', { type: 'string', describe: 'Directory to write into (default: --dir)' })
          .option('namespace', { type: 'string', describe: 'Namespace for a new labelform.yaml (default: "default")' }),
      (a) =>
        run(async () =>
          (await import('./commands/pull.ts')).runPull(io, {
            dir: a.dir,
            debug: a.debug,
            project: a.project.map(checkId),
            all: a.all,
            ...(a.out ? { out: a.out } : {}),
            ...(a.namespace ? { namespace: a.namespace } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .command('storage', 'Work with the storages declared in git.', (y) =>
      y
        .command(
          'sync <name>',
          'Sync a declared storage now (PROJECT/KEY) and wait for the end, with progress.',
          (yy) =>
            yy
              .positional('name', {
                type: 'string',
                demandOption: true,
                describe: 'PROJECT/KEY: the metadata.name of the Project and of the storage',
              })
              .option('export', {
                type: 'boolean',
                default: false,
                describe: 'The ExportStorage of that key (default: the ImportStorage, or the only one)',
              })
              .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' }),
          (a) =>
            run(async () =>
              (await import('./commands/storage-sync.ts')).runStorageSync(io, {
                dir: a.dir,
                debug: a.debug,
                name: String(a.name),
                export: a.export,
                quiet: a.quiet,
                ...(a.env ? { env: a.env } : {}),
              }),
            )(),
        )
        .demandCommand(1, 'name a storage command: sync'),
    )
    .command('migrations', 'Work with the label migrations of a project.', (y) =>
      y
        .command(
          'revert',
          'Write back, byte for byte, what a label migration replaced, from its journal (resumable).',
          (yy) =>
            yy
              .option('journal', {
                type: 'string',
                demandOption: true,
                describe: 'The journal the migration wrote (one JSON entry a line)',
              })
              .option('delete-drafts', {
                type: 'boolean',
                default: false,
                describe: 'Also write annotations that have a draft attached (the server deletes such drafts)',
              })
              .option('concurrency', { type: 'number', default: 4, describe: 'Writes at once' })
              .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' })
              .check((a) => {
                if (!Number.isInteger(a.concurrency) || a.concurrency < 1)
                  throw new Error('--concurrency must be a positive whole number');
                return true;
              }),
          (a) =>
            run(async () =>
              (await import('./commands/migrations-revert.ts')).runMigrationsRevert(io, {
                dir: a.dir,
                debug: a.debug,
                journal: String(a.journal),
                deleteDrafts: a['delete-drafts'],
                concurrency: a.concurrency,
                quiet: a.quiet,
                ...(a.env ? { env: a.env } : {}),
              }),
            )(),
        )
        .demandCommand(1, 'Name a migrations command: revert.'),
    )
    .command('tasks', 'Import and list tasks of a project (PROJECT: manifest key, id, or exact title).', (y) =>
      y
        .command(
          'import <project> <input>',
          'Stream tasks from FILE, DIR or - (stdin) into a project, checked first, in batches, resumable.',
          (yy) =>
            yy
              .positional('project', { type: 'string', demandOption: true })
              .positional('input', {
                type: 'string',
                demandOption: true,
                describe: 'A .json/.jsonl/.csv/.tsv file, a directory of them, or - for stdin',
              })
              .option('format', {
                choices: ['json', 'jsonl', 'csv', 'tsv'] as const,
                describe: 'Default: from the file extension',
              })
              .option('batch-size', { type: 'number', default: DEFAULT_BATCH_SIZE, describe: 'Tasks per request' })
              .option('max-batch-mb', {
                type: 'number',
                default: DEFAULT_MAX_BATCH_MIB,
                describe: 'Largest request body, in MiB (the server refuses bodies over its upload limit)',
              })
              .option('resume', {
                type: 'boolean',
                default: false,
                describe: 'Continue an import that stopped (see the .labelform-import.json sidecar)',
              })
              .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' }),
          (a) =>
            run(async () =>
              (await import('./commands/tasks-import.ts')).runTasksImport(io, {
                dir: a.dir,
                debug: a.debug,
                project: String(a.project),
                input: a.input === STDIN_ARG ? '-' : String(a.input),
                batchSize: a['batch-size'],
                maxBatchMb: a['max-batch-mb'],
                resume: a.resume,
                quiet: a.quiet,
                ...(a.format ? { format: a.format } : {}),
                ...(a.env ? { env: a.env } : {}),
              }),
            )(),
        )
        .command(
          'list <project>',
          'Page through the tasks of a project and stream them to stdout (JSON Lines, or --json).',
          (yy) =>
            yy
              .positional('project', { type: 'string', demandOption: true })
              .option('page-size', { type: 'number', default: 100, describe: 'Tasks per request' })
              .option('fields', {
                choices: ['all'] as const,
                describe: 'all: include annotations, predictions and drafts',
              })
              .option('jsonl', { type: 'boolean', default: false, describe: 'One task per line (the default)' })
              .option('json', { type: 'boolean', default: false, describe: 'One JSON array' })
              .check((a) => {
                if (a.json && a.jsonl) throw new Error('--json and --jsonl cannot be used together');
                if (!Number.isInteger(a['page-size']) || a['page-size'] < 1)
                  throw new Error('--page-size must be a positive whole number');
                return true;
              }),
          (a) =>
            run(async () =>
              (await import('./commands/tasks-list.ts')).runTasksList(io, {
                dir: a.dir,
                debug: a.debug,
                project: String(a.project),
                pageSize: a['page-size'],
                json: a.json,
                ...(a.fields ? { fields: a.fields } : {}),
                ...(a.env ? { env: a.env } : {}),
              }),
            )(),
        )
        .demandCommand(1, 'Name a tasks command: import or list.'),
    )
    .command(
      'export <project>',
      'Download annotations: the synchronous export, or --snapshot for large projects; --list-formats.',
      (y) =>
        y
          .positional('project', { type: 'string', demandOption: true })
          .option('format', { type: 'string', default: 'JSON', describe: 'Export format name (see --list-formats)' })
          .option('out', {
            type: 'string',
            describe: "Output file (default: the server's file name, in the current directory)",
          })
          .option('snapshot', {
            type: 'boolean',
            default: false,
            describe: 'Export through a snapshot (wait, convert, download)',
          })
          .option('list-formats', {
            type: 'boolean',
            default: false,
            describe: 'List the formats the server offers for this project',
          })
          .option('all-tasks', { type: 'boolean', default: false, describe: 'Include tasks without annotations' })
          .option('json', { type: 'boolean', default: false, describe: 'With --list-formats: print JSON' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress output' }),
      (a) =>
        run(async () =>
          (await import('./commands/export.ts')).runExport(io, {
            dir: a.dir,
            debug: a.debug,
            project: String(a.project),
            format: a.format,
            snapshot: a.snapshot,
            listFormats: a['list-formats'],
            allTasks: a['all-tasks'],
            quiet: a.quiet,
            json: a.json,
            ...(a.out ? { out: a.out } : {}),
            ...(a.env ? { env: a.env } : {}),
          }),
        )(),
    )
    .demandCommand(1, 'Name a command; `labelform --help` lists them.')
    .recommendCommands()
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // Commands run inside guard(), so whatever reaches here is about the arguments: a missing
      // or unknown one, or a .check() that threw.
      const text = msg ?? err?.message ?? 'invalid arguments';
      io.stderr(`labelform: ${text}\nRun \`labelform --help\` for usage.\n`);
      throw new UsageError(text);
    });
}

class UsageError extends Error {}

function checkId(id: unknown): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1)
    throw new UserError(`"${String(id)}" is not a project id (a positive whole number)`);
  return n;
}

/**
 * Runs a command and turns what it throws into exit code 1: a user mistake as one message on
 * stderr (with its located problems and their annotations), a bug with its stack. A command asked
 * for a document (`--json`, `--markdown`) still prints one on stdout, saying that it failed and why.
 */
async function guard(io: Io, fn: () => Promise<number>, document?: DocumentRequest): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    const style = styleFor(io.color);
    if (err instanceof UsageError) return 1;
    if (isUserError(err)) {
      if (document)
        io.stdout(
          renderFailureDocument(document, {
            message: err.message,
            diagnostics: err.diagnostics,
            ...(err.hint ? { hint: err.hint } : {}),
          }),
        );
      if (err.diagnostics.length) printDiagnostics(io, err.diagnostics);
      else emitAnnotations(io, [{ severity: 'error', code: 'error', message: err.message }]);
      io.stderr(`${style.red('Error:')} ${err.message}\n`);
      if (err.hint) io.stderr(`${err.hint}\n`);
      return 1;
    }
    const e = err as Error;
    if (document)
      io.stdout(
        renderFailureDocument(document, {
          message: `internal error: ${e?.message ?? String(err)}`,
          diagnostics: [],
          internal: true,
        }),
      );
    io.stderr(
      `${style.red('labelform: internal error:')} ${e?.message ?? String(err)}\n${e?.stack ?? ''}\n` +
        `This is a bug in labelform ${VERSION}; please report it with the command you ran.\n`,
    );
    return 1;
  }
}
