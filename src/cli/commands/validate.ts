import { RESOURCE_KINDS } from '../../kinds/registry.ts';
import type { Repository } from '../../kinds/kind.ts';
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
          projects: repo?.projects.map((p) => p.name) ?? [],
          labelConfigs: repo?.labelConfigs.map((l) => l.name) ?? [],
          // Every other kind's keys, by kind (Webhook, View, ...), when the repository has some.
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
      `${style.green('✔')} ${plural(result.fileCount, 'manifest file')} valid: ${plural(repo.projects.length, 'project')}, ${others(repo)}${plural(repo.labelConfigs.length, 'label config')}, namespace "${repo.config.namespace}"${warnings ? `, ${plural(warnings, 'warning')}` : ''} (${ms} ms)\n`,
    );
    return 0;
  }
  io.stderr(
    `${style.red('✖')} ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''} in ${plural(result.fileCount, 'manifest file')}\n`,
  );
  return 1;
}

/** "2 webhooks, 1 view, " for the kinds other than Project the repository declares (nothing for none). */
function others(repo: Repository): string {
  return RESOURCE_KINDS.filter((k) => k.kind !== 'Project' && k.desired(repo).length)
    .map((k) => `${plural(k.desired(repo).length, k.noun)}, `)
    .join('');
}

/** `{resources: {Webhook: ['p/hook'], ...}}` for the kinds other than Project the repository declares; nothing for none. */
function otherKeys(repo: Repository | undefined): { resources?: Record<string, string[]> } {
  if (!repo) return {};
  const kinds = RESOURCE_KINDS.filter((k) => k.kind !== 'Project' && k.desired(repo).length);
  return kinds.length
    ? {
        resources: Object.fromEntries(
          kinds.map((k) => [k.kind, k.desired(repo).map((d) => (d.parent ? `${d.parent}/${d.name}` : d.name))]),
        ),
      }
    : {};
}
