import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isApiError } from '../../api/errors.ts';
import type { LsProject } from '../../api/types.ts';
import { PROJECT_FIELDS } from '../../kinds/project/fields.ts';
import { parseMarker } from '../../kinds/project/marker.ts';
import { projectToManifest } from '../../kinds/project/to-manifest.ts';
import { literalTextCredentials } from '../../kinds/shared/text-credentials.ts';
import { holdsSecret, keyFromTitle, manifestYaml, type PullSecret } from '../../manifest/pulled.ts';
import { findRepositoryRoot, findSchemaDir } from '../../manifest/find-root.ts';
import { loadRepository } from '../../state/load-repository.ts';
import { loadRootConfig } from '../../manifest/load-root-config.ts';
import type { RootConfig } from '../../manifest/types.ts';
import { readLiveProjects } from '../../kinds/project/live.ts';
import { RESOURCE_KINDS } from '../../kinds/registry.ts';
import { UserError } from '../../util/errors.ts';
import type { Diagnostic } from '../../util/diagnostics.ts';
import { isSecretVariableName, maskUrlsInText } from '../../util/credentials.ts';
import { MIN_SECRET_LENGTH, SENSITIVE_MASK } from '../../util/redact.ts';
import { resourcesOf, type DesiredResource, type LiveResource } from '../../kinds/kind.ts';
import { assertTrustedCheckout } from '../ci-trust.ts';
import { connect, DEFAULT_TOKEN_ENV, resolveEnvironment, withServer, type ResolvedEnvironment } from '../connect.ts';
import { styleFor, type Io } from '../../util/io.ts';

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
 *
 * Pulling into a folder of an existing repository (labelform.yaml in a directory above) uses that
 * repository's config and namespace. No secret it knows of is written: see `pullSecrets`.
 */
export async function runPull(io: Io, args: PullArgs): Promise<number> {
  if (!args.all && args.project.length === 0)
    throw new UserError('name the projects to pull with --project ID (repeatable), or pass --all');
  const outDir = resolve(io.cwd, args.out ?? args.dir);
  const root = (await findRepositoryRoot(outDir)) ?? outDir;
  const { config, diagnostics } = await loadRootConfig(root, io.cwd);
  if (diagnostics.some((d) => d.severity === 'error'))
    throw new UserError(`fix labelform.yaml in ${root} first`, diagnostics);
  const namespace = config?.namespace ?? args.namespace ?? 'default';
  if (config && args.namespace && args.namespace !== config.namespace) {
    throw new UserError(
      `--namespace ${args.namespace} differs from the namespace "${config.namespace}" in ${config.file}`,
    );
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(namespace))
    throw new UserError(`--namespace "${namespace}" must be lowercase letters, digits and "-"`);

  // What the repository already manages, so a second pull adds only what is new.
  const existingKeys = new Set<string>();
  const existingIds = new Set<number>();
  /** Where each project already in the repository is declared (as shown from the working directory), by its key and by its adopted id. */
  const existingFiles = new Map<string | number, string>();
  /** Other kinds' keys and adopted ids already in the repository. */
  const existingChildren = new Map<string, { keys: Set<string>; ids: Set<number> }>();
  let envSecrets: readonly PullSecret[] = [];
  if (config) {
    const repo = await loadRepository(root, { env: io.env, requireEnv: false, cwd: io.cwd });
    if (!repo.repository && repo.diagnostics.some((d) => d.code !== 'no-manifests' && d.severity === 'error')) {
      throw new UserError(`the repository in ${root} has errors; fix them before pulling into it`, repo.diagnostics);
    }
    envSecrets = repo.envSecrets ?? [];
    for (const kind of RESOURCE_KINDS) {
      const list = resourcesOf<DesiredResource>(repo.repository, kind);
      if (kind.parent !== undefined) {
        existingChildren.set(kind.kind, {
          keys: new Set(list.map((r) => r.name)),
          ids: new Set(list.map((r) => r.importId).filter((id): id is number => id !== undefined)),
        });
        continue;
      }
      // A top-level kind: the projects pull writes.
      for (const p of list) {
        existingKeys.add(p.name);
        existingFiles.set(p.name, p.file);
        if (p.importId !== undefined) {
          existingIds.add(p.importId);
          existingFiles.set(p.importId, p.file);
        }
      }
    }
    warnUnsetSecrets(io, repo.diagnostics);
  }
  // Pulling from one repository (-C, default: here) into a folder outside it: its secrets count too.
  const dirRoot = await findRepositoryRoot(resolve(io.cwd, args.dir));
  if (dirRoot && dirRoot !== root) {
    const other = await loadRepository(dirRoot, { env: io.env, requireEnv: false, cwd: io.cwd });
    envSecrets = [...envSecrets, ...(other.envSecrets ?? [])];
    warnUnsetSecrets(io, other.diagnostics);
  }

  const target = resolveEnvironment(config, args.env, io.env);
  await assertTrustedCheckout(io.env, resolve(io.cwd, args.dir));
  const secrets = pullSecrets(envSecrets, config, target, io.env);
  const client = connect(target, io, { debug: args.debug });
  const projects: LsProject[] = await withServer(target, async () => {
    if (args.all) return (await readLiveProjects(client, PROJECT_FIELDS)).map((p) => p.fields as LsProject);
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
  const pulledChildren: Array<{
    path: string;
    kind: string;
    noun: string;
    id: number;
    notes: readonly string[];
    adopt: boolean;
  }> = [];
  const showTitle = (t: string | null | undefined) =>
    holdsSecret(t ?? '', secrets) ? SENSITIVE_MASK : `"${maskUrlsInText(t ?? '')}"`;
  const schemaDir = await findSchemaDir(root);
  /** Requested projects already in the repository: their tabs and webhooks are looked at, to say which are not pulled. */
  const inRepository: Array<{ id: number; key: string; file: string }> = [];
  try {
    const used = new Set(existingKeys);
    for (const p of projects) {
      const marker = parseMarker(p.description);
      if (marker && marker.namespace !== namespace) {
        skipped.push(`${p.id} ${showTitle(p.title)}: managed by namespace ${marker.namespace}`);
        continue;
      }
      if ((marker && existingKeys.has(marker.key)) || existingIds.has(p.id)) {
        const file = (marker && existingFiles.get(marker.key)) || existingFiles.get(p.id) || '';
        skipped.push(`${p.id} ${showTitle(p.title)}: already in the repository${file ? ` (${file})` : ''}`);
        inRepository.push({ id: p.id, key: marker?.key ?? `#${p.id}`, file });
        continue;
      }
      let key = marker?.key ?? keyFromTitle(p.title, p.id);
      // A key (and its directory name) made from a title that holds a secret (or a URL credential) would hold it too.
      if (!marker && (keyHoldsSecret(key, secrets) || literalTextCredentials(p.title ?? '').length > 0))
        key = `project-${p.id}`;
      if (!marker && used.has(key)) key = `${key.slice(0, 50)}-${p.id}`;
      used.add(key);
      const pulled = projectToManifest(p, key, marker ? undefined : p.id, secrets);
      const dir = join(staging, key);
      await mkdir(dir, { recursive: true });
      const finalFile = join(outDir, key, 'project.yaml');
      const schemaPath = schemaReference(dirname(finalFile), join(schemaDir, 'project.schema.json'));
      await writeFile(
        join(dir, 'project.yaml'),
        manifestYaml(pulled.manifest, schemaPath, `Pulled from ${target.url} project ${p.id} by labelform pull.`),
      );
      if (pulled.xml !== undefined) await writeFile(join(dir, 'config.xml'), `${pulled.xml}\n`);
      planned.push({ key, id: p.id, notes: pulled.notes, adopt: !marker });
    }
    // What belongs to each pulled project (its webhooks, ...), beside its project.yaml.
    const parents: LiveResource[] = [...planned, ...inRepository].map((p) => ({
      id: p.id,
      title: p.key,
      marker: { namespace, key: p.key },
    }));
    for (const kind of RESOURCE_KINDS.filter((k) => k.parent !== undefined && k.toManifest)) {
      const lives = parents.length
        ? await withServer(target, () => kind.readLive(client, { namespace, all: true, parents }))
        : [];
      const existing = existingChildren.get(kind.kind) ?? { keys: new Set<string>(), ids: new Set<number>() };
      const usedKeys = new Set(existing.keys);
      /** Marker keys met in this pull, with the id that wrote them (copies of a marker are skipped). */
      const markerIds = new Map<string, number>();
      /** Titles of the tabs pulled per project (a View's title is unique within its project). */
      const titles = new Map<string, number>();
      // Marked ones first, each by id, so that a marker's key is never given to a title's key, and
      // of copies carrying one marker the lowest id is the one written (the one apply keeps).
      for (const l of [...lives].sort((a, b) => Number(!kind.identify(a)) - Number(!kind.identify(b)) || a.id - b.id)) {
        const marker = kind.identify(l);
        if (l.parentId === undefined) {
          if (marker?.namespace === namespace && existing.keys.has(marker.key)) continue;
          if (existing.ids.has(l.id)) continue;
          skipped.push(
            `organization ${kind.noun} ${l.id} (${holdsSecret(l.title, secrets) ? SENSITIVE_MASK : l.title}): not pulled, pull writes what belongs to the projects it pulls; declare it in a ${kind.kind} manifest without spec.project${marker ? '' : `, with import: {id: ${l.id}}`}`,
          );
          continue;
        }
        const home = inRepository.find((p) => p.id === l.parentId);
        if (home) {
          // A tab or webhook made in the UI for a project the repository already has.
          if ((marker?.namespace === namespace && existing.keys.has(marker.key)) || existing.ids.has(l.id)) continue;
          const where = home.file ? ` (${home.file})` : '';
          skipped.push(
            marker && marker.namespace !== namespace
              ? `${kind.noun} ${l.id} of project ${home.id}: managed by namespace ${marker.namespace}`
              : `${kind.noun} ${l.id} of project ${home.id}: not pulled, its project is already in the repository${where} and pull writes a project's ${kind.noun}s only with the project; declare it in a ${kind.kind} manifest${marker ? ` named ${marker.key} (it carries that marker)` : ` with import: {id: ${l.id}}`}`,
          );
          continue;
        }
        const parent = planned.find((p) => p.id === l.parentId);
        if (!parent) continue;
        const label = `${kind.noun} ${l.id} of project ${parent.id}`;
        if (marker && marker.namespace !== namespace) {
          skipped.push(`${label}: managed by namespace ${marker.namespace}`);
          continue;
        }
        if ((marker && existing.keys.has(marker.key)) || existing.ids.has(l.id)) {
          skipped.push(`${label}: already in the repository`);
          continue;
        }
        if (marker && markerIds.has(marker.key)) {
          skipped.push(
            `${label}: a copy of ${kind.noun} ${markerIds.get(marker.key)} (both carry the marker ${namespace}/${marker.key}); the next apply deletes this copy`,
          );
          continue;
        }
        // A kind whose titles are unique within a parent (a View, see its load.ts): of two with one title, the second is not written.
        const titleKey =
          kind.titlesUnique && l.title.trim() !== '' ? `${l.parentId}\u0000${l.title.trim()}` : undefined;
        const sameTitle = titleKey === undefined ? undefined : titles.get(titleKey);
        if (sameTitle !== undefined) {
          skipped.push(
            `${label}: ${kind.noun} ${sameTitle} of this project has the same title ${showTitle(l.title)}, and labelform finds a tab that lost its marker by its title, so titles are unique within a project; rename one of them in Label Studio, then pull again`,
          );
          continue;
        }
        let key = marker?.key ?? keyFromTitle(l.title, l.id, kind.schema);
        if (!marker && (keyHoldsSecret(key, secrets) || key.length > 40)) key = `${kind.schema}-${l.id}`;
        if (!marker && usedKeys.has(key)) key = `${key.slice(0, 50)}-${l.id}`;
        for (let n = 2; !marker && usedKeys.has(key); n++) key = `${kind.schema}-${l.id}-${n}`;
        const pulled = kind.toManifest!(l, { key, parentKey: parent.key, adopt: !marker, secrets });
        if ('skipped' in pulled) {
          skipped.push(`${label}: ${pulled.skipped}`);
          continue;
        }
        usedKeys.add(key);
        if (marker) markerIds.set(marker.key, l.id);
        if (titleKey !== undefined) titles.set(titleKey, l.id);
        const file = `${kind.schema}-${key}.yaml`;
        const schemaPath = schemaReference(join(outDir, parent.key), join(schemaDir, `${kind.schema}.schema.json`));
        await writeFile(
          join(staging, parent.key, file),
          manifestYaml(pulled.manifest, schemaPath, `Pulled from ${target.url} ${label} by labelform pull.`),
        );
        pulledChildren.push({
          path: `${parent.key}/${file}`,
          kind: kind.kind,
          noun: kind.noun,
          id: l.id,
          notes: pulled.notes,
          adopt: !marker,
        });
      }
    }
    const clashes = planned.filter((x) => existsSync(join(outDir, x.key)));
    if (clashes.length) {
      throw new UserError(
        `these directories already exist in ${outDir}; nothing was written: ${clashes.map((c) => c.key).join(', ')}`,
        [],
        'Pull into an empty directory with --out, or move them aside.',
      );
    }
    if (!config) {
      await writeFile(
        join(staging, 'labelform.yaml'),
        `# yaml-language-server: $schema=${schemaReference(outDir, join(schemaDir, 'labelform.schema.json'))}\napiVersion: labelform/v1\nkind: Config\nnamespace: ${namespace}\n# Without environments, the server URL comes from LABEL_STUDIO_URL and the token from LABEL_STUDIO_API_KEY.\n`,
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
    io.stdout(
      `${s.green('✔')} ${p.key}/project.yaml ← project ${p.id}${p.adopt ? ' (import: adopted on the next apply)' : ' (already carries the marker)'}\n`,
    );
    for (const n of p.notes) io.stdout(`    note: ${n}\n`);
  }
  for (const c of pulledChildren) {
    io.stdout(
      `${s.green('✔')} ${c.path} ← ${c.noun} ${c.id}${c.adopt ? ' (import: adopted on the next apply)' : ' (already carries the marker)'}\n`,
    );
    for (const n of c.notes) io.stdout(`    note: ${n}\n`);
  }
  for (const k of skipped) io.stdout(`${s.dim(`- skipped ${k}`)}\n`);
  const secretNotes = planned.flatMap((p) => p.notes).filter((n) => n.includes('holds the value of ${env:')).length;
  if (secretNotes)
    io.stdout(
      `\n${secretNotes} value(s) held a secret from the environment: written as \${env:NAME} references or left out, as noted above; no secret value was written.\n`,
    );
  io.stdout(
    `\nPulled ${planned.length} project(s) into ${relative(io.cwd, outDir) || '.'}${config ? (root !== outDir ? ` (repository ${relative(io.cwd, root) || '.'}, namespace ${namespace})` : '') : ' (wrote labelform.yaml)'}. Next: \`labelform plan\` shows the adoptions; \`labelform apply\` marks the projects as managed.\n`,
  );
  return 0;
}

/**
 * The values `pull` must not write (docs/commands.md, pull):
 * - every `${env:NAME}` referenced by the manifests of the repository pulled into, and of the one
 *   pull runs from (-C), whose variable is set: the repository says which variables are secrets;
 * - the API token of the environment used and of every environment in labelform.yaml;
 * - every variable whose name says it is a secret (`isSecretVariableName` in util/credentials.ts:
 *   the one rule for what is a credential, less PWD, SSH_AUTH_SOCK, XDG_SESSION_ID and the like),
 *   for a pull into a new folder, where no manifest names them.
 * The rest of the process environment (PATH, HOME, USER, ...) holds no secrets and is ignored:
 * treating "root" or "/home/x" as secrets would rewrite ordinary text.
 */
function pullSecrets(
  envSecrets: readonly PullSecret[],
  config: RootConfig | undefined,
  target: ResolvedEnvironment,
  env: Io['env'],
): PullSecret[] {
  const out: PullSecret[] = [];
  const add = (name: string, value: string | undefined, trim = true) => {
    const v = trim ? value?.trim() : value;
    if (v && !out.some((s) => s.value === v)) out.push({ name, value: v });
  };
  for (const s of envSecrets) add(s.name, s.value, false);
  add(target.tokenEnv, target.token);
  for (const def of Object.values(config?.environments ?? {}))
    add(def.tokenEnv ?? DEFAULT_TOKEN_ENV, env[def.tokenEnv ?? DEFAULT_TOKEN_ENV]);
  for (const [name, value] of Object.entries(env)) {
    if (isSecretVariableName(name) && (value?.trim().length ?? 0) >= MIN_SECRET_LENGTH) add(name, value);
  }
  return out;
}

/** A referenced variable that is not set: pull cannot recognise its value, so it says so. */
function warnUnsetSecrets(io: Io, diagnostics: readonly Diagnostic[]): void {
  const names = new Set(
    diagnostics
      .filter((d) => d.code === 'env-unset')
      .map((d) => /^([A-Za-z_][A-Za-z0-9_]*) is not set/.exec(d.message)?.[1])
      .filter((n): n is string => n !== undefined),
  );
  for (const name of names)
    io.stderr(
      `warning: ${name} is not set, so pull cannot recognise its value (\${env:${name}}) in what it writes; set it and pull again if the server may hold it\n`,
    );
}

function keyHoldsSecret(key: string, secrets: readonly PullSecret[]): boolean {
  return secrets.some((s) => {
    const slug = keyFromTitle(s.value, 0);
    return key.includes(s.value.toLowerCase()) || (slug !== 'project-0' && key.includes(slug));
  });
}

/** A `$schema` path relative to the file's directory, as editors resolve it. */
function schemaReference(fromDir: string, schemaFile: string): string {
  const rel = relative(fromDir, schemaFile).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}
