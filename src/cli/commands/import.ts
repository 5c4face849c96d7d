import { isApiError } from '../../api/errors.ts';
import { findMarkedProjects } from '../../kinds/project/carriers.ts';
import { parseMarker, stripMarker, withMarker } from '../../kinds/project/marker.ts';
import { showTitle } from '../../reconcile/render-values.ts';
import { UserError } from '../../util/errors.ts';
import { withServer } from '../connect.ts';
import { styleFor, type Io } from '../io.ts';
import { openSession } from '../plan-shell.ts';

export interface ImportArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly name: string;
  readonly projectId: number;
}

/**
 * `labelform import NAME PROJECT_ID`: adopts an existing project under a manifest by writing the
 * ownership marker into its description. Nothing else changes; `plan` then shows the real
 * differences between the manifest and the project.
 */
export async function runImport(io: Io, args: ImportArgs): Promise<number> {
  const session = await openSession(io, args);
  const { repo, client, target } = session;
  const desired = repo.projects.find((p) => p.name === args.name);
  if (!desired) {
    throw new UserError(`no Project manifest named "${args.name}" (defined: ${repo.projects.map((p) => p.name).join(', ') || 'none'})`);
  }
  const marker = { namespace: repo.config.namespace, key: args.name };
  return withServer(target, async () => {
    const project = await client.getProject(args.projectId).catch((err: unknown) => {
      if (isApiError(err) && err.status === 404) throw new UserError(`no project with id ${args.projectId} on ${target.url}`);
      throw err;
    });
    const current = parseMarker(project.description);
    if (current?.namespace === marker.namespace && current.key === marker.key) {
      io.stdout(`Project ${project.id} ${showTitle(project.title ?? '')} is already managed as ${marker.key}.\n`);
      return 0;
    }
    if (current) {
      throw new UserError(`project ${project.id} ${showTitle(project.title ?? '')} is already managed as ${current.namespace}/${current.key}; remove that marker from its description first`);
    }
    const holder = (await findMarkedProjects(client, marker)).find((c) => c.id !== project.id);
    if (holder) {
      throw new UserError(`project ${holder.id} ${showTitle(holder.title ?? '')} already carries the marker of ${marker.key}; one key can manage one project`);
    }
    await client.updateProject(project.id, { description: withMarker(stripMarker(project.description), marker) });
    const s = styleFor(io.color);
    io.stdout(`${s.green('✔')} Adopted project ${project.id} ${showTitle(project.title ?? '')} as ${marker.key} (namespace ${marker.namespace}). Run \`labelform plan\` to see how it differs from ${desired.file}.\n`);
    return 0;
  });
}
