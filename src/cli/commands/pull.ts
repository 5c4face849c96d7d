import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isApiError } from '../../api/errors.ts';
import { literalTextCredentials } from '../../kinds/shared/text-credentials.ts';
import { holdsSecret, keyFromTitle, manifestYaml, type PullSecret } from '../../manifest/pulled.ts';
import { findRepositoryRoot, findSchemaDir } from '../../manifest/find-root.ts';
import { loadRepository } from '../../state/load-repository.ts';
import { loadRootConfig } from '../../manifest/load-root-config.ts';
import type { RootConfig } from '../../manifest/types.ts';
import { findResourceKind, RESOURCE_KINDS } from '../../kinds/registry.ts';
import { DEFAULT_KIND } from '../../model/kind-names.ts';
import { UserError } from '../../util/errors.ts';
import type { Diagnostic } from '../../util/diagnostics.ts';
import { isSecretVariableName, maskUrlsInText } from '../../util/credentials.ts';
import { MIN_SECRET_LENGTH, SENSITIVE_MASK } from '../../util/redact.ts';
import {
  resourcesOf,
  type DesiredResource,
  type LiveResource,
  type PulledManifest,
  type ResourceKind,
} from '../../kinds/kind.ts';
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

  // What the repository already manages, by kind, so a second pull adds only what is new.
  const existing = new Map<string, Existing>();
  let envSecrets: readonly PullSecret[] = [];
  if (config) {
    const repo = await loadRepository(root, { env: io.env, requireEnv: false, cwd: io.cwd });
    if (!repo.repository && repo.diagnostics.some((d) => d.code !== 'no-manifests' && d.severity === 'error')) {
      throw new UserError(`the repository in ${root} has errors; fix them before pulling into it`, repo.diagnostics);
    }
    envSecrets = repo.envSecrets ?? [];
    for (const kind of RESOURCE_KINDS) {
      const had = existingOf(existing, kind.kind);
      for (const r of resourcesOf<DesiredResource>(repo.repository, kind)) {
        had.keys.add(r.name);
        had.files.set(r.name, r.file);
        if (r.importId !== undefined) {
          had.ids.add(r.importId);
          had.files.set(r.importId, r.file);
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
  // Every kind pull can write, parents first: the top-level ones are read here, each child kind
  // for the parents pulled (or already in the repository), in the loop below.
  const kinds = RESOURCE_KINDS.filter((k) => k.toManifest);
  const topLevel = kinds.filter((k) => k.parent === undefined);
  const topLives = await withServer(target, () =>
    Promise.all(
      topLevel.map(async (kind): Promise<readonly LiveResource[]> => {
        if (args.all) return kind.readLive(client, { namespace, all: true });
        // `--project ID` names resources of the default kind (its option is named for it).
        const readOne = kind.kind === DEFAULT_KIND ? kind.readOne?.bind(kind) : undefined;
        if (!readOne) return [];
        return Promise.all(
          args.project.map((id) =>
            readOne(client, id).catch((err: unknown) => {
              if (isApiError(err) && err.status === 404)
                throw new UserError(`no ${kind.noun} with id ${id} on ${target.url}`);
              throw err;
            }),
          ),
        );
      }),
    ),
  );

  const s = styleFor(io.color);
  const createdOutDir = !existsSync(outDir);
  if (createdOutDir) await mkdir(outDir, { recursive: true });
  const staging = await mkdtemp(join(outDir, '.labelform-pull-'));
  /** What was written, kind by kind (parents first). */
  const pulled: Pulled[] = [];
  const skipped: string[] = [];
  const showTitle = (t: string | null | undefined) =>
    holdsSecret(t ?? '', secrets) ? SENSITIVE_MASK : `"${maskUrlsInText(t ?? '')}"`;
  const schemaDir = await findSchemaDir(root);
  /** Requested top-level resources already in the repository: what belongs to them is looked at, to say what is not pulled. */
  const inRepository: Array<{ kind: string; id: number; key: string; file: string }> = [];
  /** Writes a pulled manifest (and the files beside it) into the staging folder. */
  const write = async (kind: ResourceKind, path: string, manifest: PulledManifest, what: string) => {
    const file = join(staging, path);
    await mkdir(dirname(file), { recursive: true });
    const schemaPath = schemaReference(dirname(join(outDir, path)), join(schemaDir, `${kind.schema}.schema.json`));
    await writeFile(
      file,
      manifestYaml(manifest.manifest, schemaPath, `Pulled from ${target.url} ${what} by labelform pull.`),
    );
    for (const [name, text] of Object.entries(manifest.files ?? {})) await writeFile(join(dirname(file), name), text);
  };
  try {
    for (const [i, kind] of topLevel.entries()) {
      const had = existingOf(existing, kind.kind);
      const used = new Set(had.keys);
      for (const l of topLives[i] ?? []) {
        const marker = kind.identify(l);
        if (marker && marker.namespace !== namespace) {
          skipped.push(`${l.id} ${showTitle(l.title)}: managed by namespace ${marker.namespace}`);
          continue;
        }
        if ((marker && had.keys.has(marker.key)) || had.ids.has(l.id)) {
          const file = (marker && had.files.get(marker.key)) || had.files.get(l.id) || '';
          skipped.push(`${l.id} ${showTitle(l.title)}: already in the repository${file ? ` (${file})` : ''}`);
          inRepository.push({ kind: kind.kind, id: l.id, key: marker?.key ?? `#${l.id}`, file });
          continue;
        }
        let key = marker?.key ?? keyFromTitle(l.title, l.id, kind.schema);
        // A key (and its directory name) made from a title that holds a secret (or a URL credential) would hold it too.
        if (!marker && (keyHoldsSecret(key, secrets) || literalTextCredentials(l.title).length > 0))
          key = `${kind.schema}-${l.id}`;
        if (!marker && used.has(key)) key = `${key.slice(0, 50)}-${l.id}`;
        used.add(key);
        const label = `${kind.noun} ${l.id}`;
        const manifest = kind.toManifest!(l, { key, adopt: !marker, secrets });
        if ('skipped' in manifest) {
          skipped.push(`${label}: ${manifest.skipped}`);
          continue;
        }
        const path = kind.pullPath(key);
        await write(kind, path, manifest, label);
        pulled.push({ kind, key, path, id: l.id, notes: manifest.notes, adopt: !marker });
      }
    }
    // What belongs to each pulled resource (a project's webhooks, ...), beside its manifest.
    for (const kind of kinds.filter((k) => k.parent !== undefined)) {
      const parentKind = kind.parent ?? '';
      const parentNoun = findResourceKind(parentKind)?.noun ?? parentKind;
      const ofParent = pulled.filter((p) => p.kind.kind === parentKind);
      const parentsInRepository = inRepository.filter((p) => p.kind === parentKind);
      const parents: LiveResource[] = [...ofParent, ...parentsInRepository].map((p) => ({
        id: p.id,
        title: p.key,
        marker: { namespace, key: p.key },
      }));
      const lives = parents.length
        ? await withServer(target, () => kind.readLive(client, { namespace, all: true, parents }))
        : [];
      const had = existingOf(existing, kind.kind);
      const usedKeys = new Set(had.keys);
      /** Marker keys met in this pull, with the id that wrote them (copies of a marker are skipped). */
      const markerIds = new Map<string, number>();
      /** Titles of the tabs pulled per project (a View's title is unique within its project). */
      const titles = new Map<string, number>();
      // Marked ones first, each by id, so that a marker's key is never given to a title's key, and
      // of copies carrying one marker the lowest id is the one written (the one apply keeps).
      for (const l of [...lives].sort((a, b) => Number(!kind.identify(a)) - Number(!kind.identify(b)) || a.id - b.id)) {
        const marker = kind.identify(l);
        if (l.parentId === undefined) {
          if (marker?.namespace === namespace && had.keys.has(marker.key)) continue;
          if (had.ids.has(l.id)) continue;
          skipped.push(
            `organization ${kind.noun} ${l.id} (${holdsSecret(l.title, secrets) ? SENSITIVE_MASK : l.title}): not pulled, pull writes what belongs to the ${parentNoun}s it pulls; declare it in a ${kind.kind} manifest without spec.project${marker ? '' : `, with import: {id: ${l.id}}`}`,
          );
          continue;
        }
        const home = parentsInRepository.find((p) => p.id === l.parentId);
        if (home) {
          // A tab or webhook made in the UI for a project the repository already has.
          if ((marker?.namespace === namespace && had.keys.has(marker.key)) || had.ids.has(l.id)) continue;
          const where = home.file ? ` (${home.file})` : '';
          skipped.push(
            marker && marker.namespace !== namespace
              ? `${kind.noun} ${l.id} of ${parentNoun} ${home.id}: managed by namespace ${marker.namespace}`
              : `${kind.noun} ${l.id} of ${parentNoun} ${home.id}: not pulled, its ${parentNoun} is already in the repository${where} and pull writes a ${parentNoun}'s ${kind.noun}s only with the ${parentNoun}; declare it in a ${kind.kind} manifest${marker ? ` named ${marker.key} (it carries that marker)` : ` with import: {id: ${l.id}}`}`,
          );
          continue;
        }
        const parent = ofParent.find((p) => p.id === l.parentId);
        if (!parent) continue;
        const label = `${kind.noun} ${l.id} of ${parentNoun} ${parent.id}`;
        if (marker && marker.namespace !== namespace) {
          skipped.push(`${label}: managed by namespace ${marker.namespace}`);
          continue;
        }
        if ((marker && had.keys.has(marker.key)) || had.ids.has(l.id)) {
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
            `${label}: ${kind.noun} ${sameTitle} of this ${parentNoun} has the same title ${showTitle(l.title)}, and labelform finds a tab that lost its marker by its title, so titles are unique within a ${parentNoun}; rename one of them in Label Studio, then pull again`,
          );
          continue;
        }
        let key = marker?.key ?? keyFromTitle(l.title, l.id, kind.schema);
        if (!marker && (keyHoldsSecret(key, secrets) || key.length > 40)) key = `${kind.schema}-${l.id}`;
        if (!marker && usedKeys.has(key)) key = `${key.slice(0, 50)}-${l.id}`;
        for (let n = 2; !marker && usedKeys.has(key); n++) key = `${kind.schema}-${l.id}-${n}`;
        const manifest = kind.toManifest!(l, { key, parentKey: parent.key, adopt: !marker, secrets });
        if ('skipped' in manifest) {
          skipped.push(`${label}: ${manifest.skipped}`);
          continue;
        }
        usedKeys.add(key);
        if (marker) markerIds.set(marker.key, l.id);
        if (titleKey !== undefined) titles.set(titleKey, l.id);
        const path = kind.pullPath(key, parent.key);
        await write(kind, path, manifest, label);
        pulled.push({ kind, key, path, id: l.id, notes: manifest.notes, adopt: !marker });
      }
    }
    // A top-level resource's folder (its key) must be new; a child's manifest goes into its parent's.
    const clashes = pulled
      .filter((p) => p.kind.parent === undefined)
      .map((p) => p.path.split('/')[0] ?? p.key)
      .filter((top) => existsSync(join(outDir, top)));
    if (clashes.length) {
      throw new UserError(
        `these directories already exist in ${outDir}; nothing was written: ${clashes.join(', ')}`,
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

  for (const p of pulled) {
    io.stdout(
      `${s.green('✔')} ${p.path} ← ${p.kind.noun} ${p.id}${p.adopt ? ' (import: adopted on the next apply)' : ' (already carries the marker)'}\n`,
    );
    for (const n of p.notes) io.stdout(`    note: ${n}\n`);
  }
  for (const k of skipped) io.stdout(`${s.dim(`- skipped ${k}`)}\n`);
  const secretNotes = pulled.flatMap((p) => p.notes).filter((n) => n.includes('holds the value of ${env:')).length;
  if (secretNotes)
    io.stdout(
      `\n${secretNotes} value(s) held a secret from the environment: written as \${env:NAME} references or left out, as noted above; no secret value was written.\n`,
    );
  const counts = topLevel.map((k) => `${pulled.filter((p) => p.kind === k).length} ${k.noun}(s)`).join(', ');
  const nouns = topLevel.map((k) => `${k.noun}s`).join(' and ');
  io.stdout(
    `\nPulled ${counts} into ${relative(io.cwd, outDir) || '.'}${config ? (root !== outDir ? ` (repository ${relative(io.cwd, root) || '.'}, namespace ${namespace})` : '') : ' (wrote labelform.yaml)'}. Next: \`labelform plan\` shows the adoptions; \`labelform apply\` marks the ${nouns} as managed.\n`,
  );
  return 0;
}

/** A kind's resources already in the repository: their keys, adopted ids, and files (by key and by id). */
interface Existing {
  readonly keys: Set<string>;
  readonly ids: Set<number>;
  readonly files: Map<string | number, string>;
}

function existingOf(existing: Map<string, Existing>, kind: string): Existing {
  let had = existing.get(kind);
  if (!had) existing.set(kind, (had = { keys: new Set(), ids: new Set(), files: new Map() }));
  return had;
}

/** A manifest pull wrote (the path relative to the folder pulled into). */
interface Pulled {
  readonly kind: ResourceKind;
  readonly key: string;
  readonly path: string;
  readonly id: number;
  readonly notes: readonly string[];
  readonly adopt: boolean;
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
