import { withServer } from '../connect.ts';
import type { Io } from '../../util/io.ts';
import { resolveProject } from '../project-ref.ts';
import { openServer } from '../server-session.ts';

export interface TasksListArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly project: string;
  readonly pageSize: number;
  readonly fields?: 'all';
  readonly json: boolean;
}

/**
 * `labelform tasks list PROJECT`: pages through `/api/tasks/` and writes each page to stdout as it
 * arrives, one task per line (JSON Lines), or as one JSON array with --json.
 */
export async function runTasksList(io: Io, args: TasksListArgs): Promise<number> {
  const { config, target, client } = await openServer(io, args);
  return withServer(target, async () => {
    const project = await resolveProject(client, args.project, config);
    let first = true;
    if (args.json) io.stdout('[');
    for await (const tasks of client.listTasks(project.id, {
      pageSize: args.pageSize,
      ...(args.fields ? { fields: args.fields } : {}),
    })) {
      if (args.json) {
        let chunk = '';
        for (const t of tasks) {
          chunk += `${first ? '\n' : ',\n'}${JSON.stringify(t)}`;
          first = false;
        }
        io.stdout(chunk);
      } else {
        io.stdout(`${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`);
      }
    }
    if (args.json) io.stdout(first ? ']\n' : '\n]\n');
    return 0;
  });
}
