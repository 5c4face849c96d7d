import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { isApiError } from '../../api/errors.ts';
import type { LsProject } from '../../api/types.ts';
import { PROJECT_FIELDS } from '../../kinds/project/fields.ts';
import { parseMarker } from '../../kinds/project/marker.ts';
import { keyFromTitle, manifestYaml, projectToManifest } from '../../kinds/project/to-manifest.ts';
import { loadRepository, loadRootConfig } from '../../manifest/load.ts';
import { SCHEMA_DIR } from '../../manifest/schemas.ts';
import { readLiveState } from '../../state/live-state.ts';
import { UserError } from '../../util/errors.ts';
import { connect, resolveEnvironment, withServer } from '../connect.ts';
import { styleFor, type Io } from '../io.ts';

export interface PullArgs {
  readonly dir: string;
  readonly env?: string;
  readonly debug: boolean;
  readonly project: readonly number[];
  readonly all: boolean;
  readonly out?: string;
  readonly namespace?: string;
}

/**
 * `labelform pull`: writes a manifest and a config.xml per live project, so a team with an
 * existing server gets a working repository in one command. Projects without a marker get an
 * `import: {id}` block: the next apply adopts them instead of creating copies. All files are
 * written aside first and moved into place only when every one of them is ready.
 */
export async function runPull(io: Io, args: PullArgs): Promise<number> {
  if (!args.all && args.project.length === 0) throw new UserError('name the projects to pull with --project ID (repeatable), or pass --all');
  const outDir = resolve(io.cwd, args.out ?? args.dir);
  const { config, diagnostics } = await loadRootConfig(outDir, io.cwd);
  if (diagnostics.some((d) => d.severity === 'error')) throw new UserError(`fix labelform.yaml in ${outDir} first`, diagnostics);
  const namespace = config?.namespace ?? args.namespace ?? 'default';
  if (config && args.namespace && args.namespace !== config.namespace) {
    throw new UserError(`--namespace ${args.namespace} differs from labelform.yaml's namespace "${config.namespace}"`);
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(namespace)) throw new UserError(`--namespace "${namespace}" must be lowercase letters, digits and "-"`);

  // What the repository already manages, so a second pull adds only what is new.
  const existingKeys = new Set<string>();
  const existingIds = new Set<number>();
  if (config) {
    const repo = await loadRepository(outDir, { env: io.env, requireEnv: false, cwd: io.cwd });
    if (!repo.repository && repo.diagnostics.some((d) => d.code !== 'no-manifests' && d.severity === 'error')) {
      throw new UserError(`the repository in ${outDir} has errors; fix them before pulling into it`, repo.diagnostics);
    }
    for (const p of repo.repository?.projects ?? []) {
      existingKeys.add(p.name);
      if (p.importId !== undefined) existingIds.add(p.importId);
    }
  }

  const target = resolveEnvironment(config, args.env, io.env);
  const client = connect(target, io, { debug: args.debug });
  const projects: LsProject[] = await withServer(target, async () => {
    if (args.all) return (await readLiveState(client, PROJECT_FIELDS)).projects.map((p) => p.fields as LsProject);
    return Promise.all(
      args.project.map((id) =>
        client.getProject(id).catch((err: unknown) => {
          if (isApiError(err) && err.status === 404) throw new UserError(`no project with id ${id} on ${target.url}`);
          throw err;
        }),
      ),
    );
  });

  const s = styleFor(io.color);
  const createdOutDir = !existsSync(outDir);
  if (createdOutDir) await mkdir(outDir, { recursive: true });
  const staging = await mkdtemp(join(outDir, '.labelform-pull-'));
  const planned: Array<{ key: string; id: number; notes: readonly string[]; adopt: boolean }> = [];
  const skipped: string[] = [];
  try {
    const used = new Set(existingKeys);
    for (const p of projects) {
      const marker = parseMarker(p.description);
      if (marker && marker.namespace !== namespace) {
        skipped.push(`${p.id} "${p.title}": managed by namespace ${marker.namespace}`);
        continue;
      }
      if ((marker && existingKeys.has(marker.key)) || existingIds.has(p.id)) {
        skipped.push(`${p.id} "${p.title}": already in the repository`);
        continue;
      }
      let key = marker?.key ?? keyFromTitle(p.title, p.id);
      if (!marker && used.has(key)) key = `${key.slice(0, 50)}-${p.id}`;
      used.add(key);
      const pulled = projectToManifest(p, key, marker ? undefined : p.id);
      const dir = join(staging, key);
      await mkdir(dir, { recursive: true });
      const finalFile = join(outDir, key, 'project.yaml');
      const schemaPath = relative(dirname(finalFile), join(SCHEMA_DIR, 'project.schema.json')).split('\\').join('/');
      await writeFile(join(dir, 'project.yaml'), manifestYaml(pulled.manifest, schemaPath, `Pulled from ${target.url} project ${p.id} by labelform pull.`));
      if (pulled.xml !== undefined) await writeFile(join(dir, 'config.xml'), `${pulled.xml}\n`);
      planned.push({ key, id: p.id, notes: pulled.notes, adopt: !marker });
    }
    const clashes = planned.filter((x) => existsSync(join(outDir, x.key)));
    if (clashes.length) {
      throw new UserError(`these directories already exist in ${outDir}; nothing was written: ${clashes.map((c) => c.key).join(', ')}`, [], 'Pull into an empty directory with --out, or move them aside.');
    }
    if (!config) {
      await writeFile(
        join(staging, 'labelform.yaml'),
        `# yaml-language-server: $schema=${relative(outDir, join(SCHEMA_DIR, 'labelform.schema.json')).split('\\').join('/')}\napiVersion: labelform/v1\nkind: Config\nnamespace: ${namespace}\n# Without environments, the server URL comes from LABEL_STUDIO_URL and the token from LABEL_STUDIO_API_KEY.\n`,
      );
    }
    for (const name of await readdir(staging)) await rename(join(staging, name), join(outDir, name));
  } catch (err) {
    if (createdOutDir) await rm(outDir, { recursive: true, force: true });
    throw err;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  for (const p of planned) {
    io.stdout(`${s.green('✔')} ${p.key}/project.yaml ← project ${p.id}${p.adopt ? ' (import: adopted on the next apply)' : ' (already carries the marker)'}\n`);
    for (const n of p.notes) io.stdout(`    note: ${n}\n`);
  }
  for (const k of skipped) io.stdout(`${s.dim(`- skipped ${k}`)}\n`);
  io.stdout(`\nPulled ${planned.length} project(s) into ${relative(io.cwd, outDir) || '.'}${config ? '' : ' (wrote labelform.yaml)'}. Next: \`labelform plan\` shows the adoptions; \`labelform apply\` marks the projects as managed.\n`);
  return 0;
}
