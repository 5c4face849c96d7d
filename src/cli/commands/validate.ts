import { kindsInMessageOrder } from '../../kinds/registry.ts';
import { resourcesOf, type Repository } from '../../kinds/kind.ts';
import { loadRepository } from '../../state/load-repository.ts';
import { sortDiagnostics } from '../../util/diagnostics.ts';
import { styleFor, type Io } from '../../util/io.ts';
import { emitAnnotations } from '../annotations.ts';
import { countSeverities, plural, printDiagnostics } from '../report.ts';

export interface ValidateArgs {
  readonly dir: string;
  readonly env?: string;
  readonly json: boolean;
}

/** `labelform validate [dir]`: offline checks of every manifest and label config. Exit 0 clean, 1 otherwise. */
export async function runValidate(io: Io, args: ValidateArgs): Promise<number> {
  const started = io.now();
  const result = await loadRepository(args.dir, {
    env: io.env,
    requireEnv: false,
    checkAllEnvironments: true,
    cwd: io.cwd,
    ...(args.env ? { environment: args.env } : {}),
  });
  const { errors, warnings } = countSeverities(result.diagnostics);
  const repo = result.repository;
  if (args.json) {
    io.stdout(
      `${JSON.stringify(
        {
          valid: errors === 0,
          files: result.fileCount,
          errors,
          warnings,
          // The kinds listed on their own (projects, labelConfigs), then every other kind's keys by kind (Webhook, View, ...), when the repository has some.
          ...listedKeys(repo),
          ...otherKeys(repo),
          diagnostics: sortDiagnostics(result.diagnostics),
        },
        null,
        2,
      )}\n`,
    );
    emitAnnotations(io, sortDiagnostics(result.diagnostics));
    return errors === 0 ? 0 : 1;
  }
  printDiagnostics(io, result.diagnostics);
  const style = styleFor(io.color);
  const ms = io.now() - started;
  if (errors === 0 && repo) {
    io.stdout(
      `${style.green('✔')} ${plural(result.fileCount, 'manifest file')} valid: ${counts(repo)}, namespace "${repo.config.namespace}"${warnings ? `, ${plural(warnings, 'warning')}` : ''} (${ms} ms)\n`,
    );
    return 0;
  }
  io.stderr(
    `${style.red('✖')} ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''} in ${plural(result.fileCount, 'manifest file')}\n`,
  );
  return 1;
}

/** A resource's key as validate lists it: `parent/name` under a parent. */
function keyOf(d: { readonly name: string; readonly parent?: string }): string {
  return d.parent ? `${d.parent}/${d.name}` : d.name;
}

/** "1 project, 2 webhooks, 0 label configs": a kind listed on its own always, any other when the repository declares some. */
function counts(repo: Repository): string {
  return kindsInMessageOrder()
    .map((k) => ({ k, n: resourcesOf(repo, k).length }))
    .filter(({ k, n }) => k.listedAs !== undefined || n > 0)
    .map(({ k, n }) => plural(n, k.noun))
    .join(', ');
}

/** `{projects: [...], labelConfigs: [...]}`: the keys of each kind listed on its own (empty lists without a repository). */
function listedKeys(repo: Repository | undefined): Record<string, string[]> {
  return Object.fromEntries(
    kindsInMessageOrder().flatMap((k) =>
      k.listedAs === undefined ? [] : [[k.listedAs, resourcesOf(repo, k).map(keyOf)]],
    ),
  );
}

/** `{resources: {Webhook: ['p/hook'], ...}}` for the other kinds the repository declares; nothing for none. */
function otherKeys(repo: Repository | undefined): { resources?: Record<string, string[]> } {
  if (!repo) return {};
  const kinds = kindsInMessageOrder().filter((k) => k.listedAs === undefined && resourcesOf(repo, k).length);
  return kinds.length
    ? {
        resources: Object.fromEntries(kinds.map((k) => [k.kind, resourcesOf(repo, k).map(keyOf)])),
      }
    : {};
}
