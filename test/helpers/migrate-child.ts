/**
 * A label migration run as a child process (for `kill -9` tests): `node --import tsx
 * migrate-child.ts PROJECT JOURNAL CONTROL FROM TO [CONCURRENCY]`, the server from
 * LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY. Prints `progress N/M` lines, then the report as JSON.
 */
import { createClient } from '../../src/api/client.ts';
import { runMigration } from '../../src/kinds/project/migrate/io-run.ts';
import { renameLabel } from './label-rename.ts';

const [project, journalPath, control, from, to, concurrency] = process.argv.slice(2);
const client = createClient({
  baseUrl: process.env.LABEL_STUDIO_URL!,
  token: process.env.LABEL_STUDIO_API_KEY!,
  concurrency: Number(concurrency ?? 4),
});
const report = await runMigration(client, {
  projectId: Number(project),
  map: renameLabel(control!, from!, to!),
  predictions: 'rewrite',
  deleteDrafts: false,
  journalPath: journalPath!,
  concurrency: Number(concurrency ?? 4),
  onProgress: (p) => console.log(`progress ${p.done}/${p.total}`),
});
console.log(JSON.stringify(report));
