import { stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { checkLabelConfig } from '../labelconfig/check.ts';
import { reviewLabelConfig } from '../labelconfig/review.ts';
import { parseLabelConfigXml } from '../labelconfig/parse-xml.ts';
import { summarizeLabelConfig, type LabelConfigSummary } from '../labelconfig/summarize.ts';
import { diag, type Diagnostic } from '../util/diagnostics.ts';
import { describeSecret, findSecret, registerEnvSecret } from '../util/redact.ts';
import { discoverManifests } from '../manifest/discover.ts';
import { limitPerFile } from '../manifest/limit-diagnostics.ts';
import type { KnownKinds } from '../manifest/look-alike.ts';
import { displayPath, readRootConfig, type RawDoc } from '../manifest/load-root-config.ts';
import { collectVariableReferences, interpolate, type Scalar } from '../manifest/interpolate.ts';
import { resolveRepoPath } from '../manifest/repo-path.ts';
import { checkSecretReferences } from '../manifest/secret-references.ts';
import { validateAgainstSchema } from '../manifest/schemas.ts';
import { readTextFile } from '../manifest/source-file.ts';
import type { RootConfig, XmlSource } from '../manifest/types.ts';
import type { DesiredResource, LoadContext, ManifestDocument, Repository } from '../kinds/kind.ts';
import { findManifestKind, isResourceKind, kindNamesForMessages, MANIFEST_KINDS } from '../kinds/registry.ts';
import { MAX_LABEL_CONFIG_BYTES } from '../labelconfig/parse-xml.ts';
import { valuePosition } from '../kinds/shared/text-credentials.ts';

/** The registry's kinds, as manifest discovery names them to a file that looks meant as a manifest. */
const KNOWN_KINDS: KnownKinds = {
  names: MANIFEST_KINDS.map((k) => k.kind),
  schemas: MANIFEST_KINDS.map((k) => k.schema),
  forMessages: kindNamesForMessages(),
};

export interface LoadOptions {
  /** `--env`; default: labelform.yaml's defaultEnvironment, its only environment, or `default`. */
  readonly environment?: string;
  /** The process environment, for `${env:NAME}`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Plan/apply need every `${env:NAME}`; offline validate only notes the unset ones. */
  readonly requireEnv: boolean;
  /** Also check that every `${var.NAME}` is defined in every environment (validate does). */
  readonly checkAllEnvironments?: boolean;
  /** Base for the file paths shown in messages. Default: process.cwd(). */
  readonly cwd?: string;
}

export interface LoadResult {
  readonly repository?: Repository;
  readonly diagnostics: Diagnostic[];
  /** How many manifest files were read. */
  readonly fileCount: number;
  /** Every `${env:NAME}` the manifests reference whose variable is set, with its value (for `pull`). */
  readonly envSecrets?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/**
 * Loads and validates every manifest under `dir` in stages — read, parse, interpolate, schema,
 * cross-references, label configs — and returns every problem found, each with its location.
 * A repository is returned only when there is no error.
 */
export async function loadRepository(dir: string, opts: LoadOptions): Promise<LoadResult> {
  const cwd = opts.cwd ?? process.cwd();
  const root = resolve(cwd, dir);
  const show = (p: string) => displayPath(cwd, p);
  const diagnostics: Diagnostic[] = [];
  const rootStat = await stat(root).catch(() => undefined);
  if (!rootStat?.isDirectory()) {
    diagnostics.push(diag('no-directory', `${show(root)} is not a directory`, { file: show(root) }));
    return { diagnostics, fileCount: 0 };
  }

  // Stage 1: find and parse labelform.yaml and every file with a labelform apiVersion.
  const discovered = await discoverManifests(root, show, KNOWN_KINDS);
  diagnostics.push(...discovered.diagnostics);
  const configPath = discovered.configPath;
  const manifestFiles = discovered.files;
  for (const p of manifestFiles) diagnostics.push(...p.diagnostics);
  if (configPath && !manifestFiles.some((p) => p.path !== configPath)) {
    // An empty desired state is valid (a repository whose projects were all retired), but say so.
    const ns = (manifestFiles[0]?.docs[0]?.value as { namespace?: unknown } | null)?.namespace;
    diagnostics.push(
      diag(
        'no-manifests',
        `no ${kindNamesForMessages()} manifests under ${show(root)}: the desired state is empty; \`apply --prune\` would delete every project of namespace ${JSON.stringify(String(ns ?? ''))}`,
        { file: show(root) },
        'warning',
      ),
    );
  }

  // Stage 2: the root config decides the environment, and with it the variables.
  const docs: RawDoc[] = manifestFiles.flatMap((p) => p.docs.map((doc) => ({ path: p.path, doc })));
  // Empty files and look-alikes are errors, but a file a manifest names as its data is not a manifest.
  const data = dataFileReferences(docs.filter((d) => d.path !== configPath));
  for (const s of discovered.suspects)
    if (!data.some((ref) => s.path === ref || s.path.startsWith(`${ref}${sep}`))) diagnostics.push(s.problem);
  const configDocs = docs.filter((d) => d.path === configPath);
  const otherDocs = docs.filter((d) => d.path !== configPath);
  const config = configPath ? readRootConfig(configDocs, show(configPath), diagnostics) : undefined;
  const selected = config ? selectEnvironmentName(config, opts.environment, diagnostics) : undefined;
  const variables: Record<string, Scalar> = (selected && config?.environments[selected]?.variables) || {};

  // Stage 3: every other document — kind, interpolation, schema.
  const docsByKind = new Map<string, ManifestDocument<Record<string, unknown>>[]>(
    MANIFEST_KINDS.map((k) => [k.kind, []]),
  );
  // Values still holding a `${env:NAME}` whose variable is unset (offline validate): not checked.
  const unresolvedByDoc = new Map<RawDoc, ReadonlySet<string>>();
  const envSecrets: Array<{ name: string; value: string }> = [];
  // Documents loaded without their broken fields (file, field names), and `Kind/name` of those
  // that could not be loaded at all although their name is known.
  const partial: Array<{ file: string; start: number; fields: readonly string[] }> = [];
  const unloadable = new Set<string>();
  // Where each document of a file begins: a diagnostic belongs to the last one before its line.
  const docStarts = new Map<string, number[]>();
  for (const { doc } of otherDocs) docStarts.set(doc.file, [...(docStarts.get(doc.file) ?? []), doc.locate('').line]);
  for (const raw of otherDocs) {
    const { doc } = raw;
    const at = (pointer: string, key = false) => ({ file: doc.file, ...doc.locate(pointer, { key }), pointer });
    const v = doc.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      diagnostics.push(
        diag('not-a-manifest', 'a manifest must be a mapping with apiVersion, kind, metadata and spec', at('')),
      );
      continue;
    }
    const kind = (v as Record<string, unknown>).kind;
    if (kind === 'Config') {
      diagnostics.push(
        diag('misplaced-config', 'kind Config belongs in labelform.yaml at the repository root', at('/kind')),
      );
      continue;
    }
    const manifestKind = typeof kind === 'string' ? findManifestKind(kind) : undefined;
    if (!manifestKind) {
      const expected = `expected ${kindNamesForMessages()}`;
      diagnostics.push(
        diag(
          'unknown-kind',
          kind === undefined ? `missing "kind": ${expected}` : `unknown kind ${JSON.stringify(kind)}: ${expected}`,
          at(kind === undefined ? '' : '/kind'),
        ),
      );
      continue;
    }
    const interpolated = interpolate(v, { variables, env: opts.env, requireEnv: opts.requireEnv });
    // Values from ${env:...} are secrets: masked wherever they are printed, never written by pull.
    const secretIssues = checkSecretReferences(interpolated.envRefs);
    for (const ref of interpolated.envRefs) {
      if (secretIssues.some((i) => i.pointer === ref.pointer)) continue;
      registerEnvSecret(ref.name, ref.value);
      if (!envSecrets.some((e) => e.name === ref.name)) envSecrets.push({ name: ref.name, value: ref.value });
    }
    for (const issue of secretIssues) diagnostics.push(diag(issue.code, issue.message, at(issue.pointer)));
    for (const issue of interpolated.issues)
      diagnostics.push(diag(`interpolation-${issue.kind}`, issue.message, at(issue.pointer)));
    for (const pointer of interpolated.unresolved) {
      diagnostics.push(
        diag(
          'env-unset',
          `${/\$\{env:([A-Za-z0-9_]+)\}/.exec(String(pick(v, pointer)))?.[1] ?? 'an environment variable'} is not set; this value is not checked offline and plan will need it`,
          at(pointer),
          'warning',
        ),
      );
    }
    if (opts.checkAllEnvironments && config) {
      for (const ref of collectVariableReferences(v)) {
        for (const [envName, env] of Object.entries(config.environments)) {
          if (envName !== selected && !(ref.name in (env.variables ?? {}))) {
            diagnostics.push(
              diag(
                'interpolation-undefined-var',
                `variable "${ref.name}" is not defined for environment "${envName}"`,
                at(ref.pointer),
              ),
            );
          }
        }
      }
    }
    const value = interpolated.value as Record<string, unknown>;
    // A value still holding `${...}` (unset env, or an interpolation error reported above) is not schema-checked.
    const unresolved = new Set([...interpolated.unresolved, ...interpolated.issues.map((i) => i.pointer)]);
    unresolvedByDoc.set(raw, unresolved);
    const fromEnv = new Set(interpolated.envPointers);
    const schemaIssues = validateAgainstSchema(manifestKind.schema, value, { hideValue: (p) => fromEnv.has(p) }).filter(
      (i) => !unresolved.has(i.pointer),
    );
    for (const issue of schemaIssues) diagnostics.push(diag('schema', issue.message, at(issue.pointer, issue.atKey)));
    let checked = value;
    const broken = [...schemaIssues, ...interpolated.issues, ...secretIssues];
    if (broken.length > 0) {
      // The second pass (references, rules, label configs) still runs on the rest of the
      // document: without its fields of the wrong shape, with those whose content alone is
      // refused (a URL with a space) as they are, when that is schema-valid apart from them.
      const kept = new Set(schemaIssues.filter((i) => i.wellTyped).map((i) => i.pointer));
      const rest = withoutFields(
        value,
        broken.map((i) => i.pointer).filter((p) => !kept.has(p)),
      );
      const left =
        rest &&
        validateAgainstSchema(manifestKind.schema, rest.value).filter(
          (i) => !unresolved.has(i.pointer) && !(i.wellTyped && kept.has(i.pointer)),
        );
      if (!rest || left!.length > 0) {
        const name = (value.metadata as { name?: unknown } | undefined)?.name;
        if (typeof name === 'string' && !broken.some((i) => i.pointer === '' || i.pointer.startsWith('/metadata')))
          unloadable.add(`${manifestKind.kind}/${name}`);
        continue;
      }
      checked = rest.value;
      partial.push({
        file: doc.file,
        start: doc.locate('').line,
        fields: [...rest.fields, ...[...kept].map(topField)],
      });
    }
    // What is a secret is what the manifest text says (a `${env:...}` reference), set or not: offline validate has no secrets.
    const sensitive = new Set(
      interpolated.envPointers.map((p) => /^\/spec\/([^/]+)/.exec(p)?.[1]).filter((f): f is string => f !== undefined),
    );
    docsByKind.get(manifestKind.kind)!.push({
      raw,
      value: checked,
      sensitive,
      envPointers: interpolated.envPointers,
      envNames: interpolated.envRefs.map((r) => ({ pointer: r.pointer, name: r.name })),
    });
  }

  // Stage 4: names across documents (unique per kind), then each kind's own loading, in
  // registry order (a Project's `label_config: {ref}` needs the LabelConfigs loaded first).
  const seenNames = new Map<string, RawDoc>();
  for (const { raw, value } of [...docsByKind.values()].flat()) {
    const name = String((value.metadata as { name: string }).name);
    const key = `${String(value.kind)}/${name}`;
    const first = seenNames.get(key);
    if (first) {
      const loc = first.doc.locate('/metadata/name');
      diagnostics.push(
        diag(
          'duplicate-name',
          `${String(value.kind)} "${name}" is already defined at ${first.doc.file}:${loc.line}:${loc.col}`,
          {
            file: raw.doc.file,
            ...raw.doc.locate('/metadata/name'),
            pointer: '/metadata/name',
          },
        ),
      );
    } else {
      seenNames.set(key, raw);
    }
  }

  const root_ = root;
  const loadXml = async (raw: RawDoc, pointer: string, spec: unknown): Promise<Omit<XmlSource, 'ref'> | undefined> => {
    const { doc } = raw;
    if (typeof spec === 'string') {
      // XML from an unset ${env:...} is unknown offline (the env-unset warning says so).
      if (unresolvedByDoc.get(raw)?.has(pointer)) return undefined;
      return checkXml(spec, doc.file, valuePosition(doc, pointer), diagnostics);
    }
    const ref = (spec as { file: string }).file;
    const resolved = await resolveRepoPath(root_, raw.path, ref);
    if (!resolved.ok) {
      diagnostics.push(
        diag('file-reference', resolved.message, {
          file: doc.file,
          ...doc.locate(`${pointer}/file`),
          pointer: `${pointer}/file`,
        }),
      );
      return undefined;
    }
    const file = show(resolved.path);
    const read = await readTextFile(resolved.path, file, 'label config', MAX_LABEL_CONFIG_BYTES);
    if (!read.ok) {
      // A file that cannot be read at all is the manifest's mistake: point at the reference.
      const atReference = read.diagnostic.line === undefined;
      diagnostics.push(
        atReference
          ? diag(read.diagnostic.code, `label config "${ref}": ${read.diagnostic.message}`, {
              file: doc.file,
              ...doc.locate(`${pointer}/file`),
              pointer: `${pointer}/file`,
            })
          : read.diagnostic,
      );
      return undefined;
    }
    return checkXml(read.text, file, (line, col) => ({ line, col }), diagnostics);
  };

  const loaded = new Map<string, DesiredResource[]>();
  const context: LoadContext = { root, show, diagnostics, loaded: (kind) => loaded.get(kind) ?? [], loadXml };
  const firstPass = diagnostics.length;
  // Each kind gets the documents its own schema accepted (stage 3), so they have the shape its
  // `load` declares (`ManifestDocument<M>`, M generated from that schema): `load` is a method, so
  // the registry's `ManifestKind` (M unknown) takes every kind's without a cast.
  for (const k of MANIFEST_KINDS) loaded.set(k.kind, await k.load(docsByKind.get(k.kind) ?? [], context));
  dropKnockOnErrors(diagnostics, firstPass, partial, unloadable, docStarts);

  // A message about a value from ${env:...} (an XML parser's, a rule's naming a label) may quote
  // it: such a message is withheld as a whole, never cut, and its location stays.
  for (const [i, d] of diagnostics.entries()) {
    const found = findSecret(`${d.message}\n${d.element ?? ''}`);
    if (found) {
      const { element: _element, ...rest } = d;
      diagnostics[i] = {
        ...rest,
        message: `this ${d.code} message would show the value of ${describeSecret(found.name)}, so it is withheld; check that value`,
      };
    }
  }

  diagnostics.splice(0, diagnostics.length, ...limitPerFile(diagnostics));
  const fileCount = manifestFiles.length;
  if (diagnostics.some((d) => d.severity === 'error') || !config || !selected)
    return { diagnostics, fileCount, envSecrets };
  // Resource kinds' lists sorted by key; a kind the server does not have (LabelConfig) as loaded.
  const resources = Object.fromEntries(
    MANIFEST_KINDS.map((k) => {
      const list = loaded.get(k.kind) ?? [];
      return [k.kind, isResourceKind(k) ? [...list].sort((a, b) => a.name.localeCompare(b.name)) : list];
    }),
  );
  return {
    diagnostics,
    fileCount,
    envSecrets,
    repository: {
      root,
      config,
      environment: selected,
      resources,
    },
  };
}

/**
 * The summaries of label configs that parsed and checked clean, by their text: a repository of
 * 10,000 projects often holds a few configs many times over, parsed and checked once each here.
 * Whether a config is clean does not depend on where it is (positions only go into messages), and
 * summaries are read-only. Module-wide: a text's summary does not change between loads.
 */
const cleanConfigs = new Map<string, LabelConfigSummary>();
/** Texts past this many are checked every time (the cache holds only what fits in memory easily). */
const MAX_CACHED_CONFIGS = 1000;

function checkXml(
  xml: string,
  file: string,
  at: XmlSource['at'],
  diagnostics: Diagnostic[],
): Omit<XmlSource, 'ref'> | undefined {
  const clean = cleanConfigs.get(xml);
  if (clean) return { xml, file, at, summary: clean, review: [] };
  const parsed = parseLabelConfigXml(xml);
  if (!parsed.ok) {
    const { line, col } = at(parsed.problem.line, parsed.problem.col);
    diagnostics.push(diag(parsed.problem.code, parsed.problem.message, { file, line, col }));
    return undefined;
  }
  const problems = checkLabelConfig(parsed.root, at);
  for (const p of problems)
    diagnostics.push(diag(p.code, p.message, { file, ...at(p.line, p.col), element: p.element }));
  if (problems.length > 0) return undefined;
  const review = reviewLabelConfig(parsed.root, at).map((f) => ({ ...f, ...at(f.line, f.col) }));
  const summary = summarizeLabelConfig(parsed.root);
  if (review.length === 0 && cleanConfigs.size < MAX_CACHED_CONFIGS) cleanConfigs.set(xml, summary);
  return { xml, file, at, summary, review };
}

function selectEnvironmentName(
  config: RootConfig,
  requested: string | undefined,
  diagnostics: Diagnostic[],
): string | undefined {
  const name = requested ?? config.defaultEnvironment;
  if (!(name in config.environments)) {
    if (requested !== undefined) {
      diagnostics.push(
        diag(
          'unknown-environment',
          `--env ${requested}: no such environment in labelform.yaml (defined: ${Object.keys(config.environments).join(', ')})`,
          { file: config.file },
        ),
      );
    }
    return undefined;
  }
  return name;
}

/**
 * Absolute paths of the files the manifests name as data (`tasks[].file`, `label_config: {file}`),
 * read from the documents as written (before any check): such a file is never a suspect.
 */
function dataFileReferences(docs: readonly RawDoc[]): string[] {
  const refs: string[] = [];
  const add = (raw: RawDoc, ref: unknown) => {
    if (typeof ref === 'string' && ref !== '') refs.push(resolve(dirname(raw.path), ref).replace(/[\\/]+$/, ''));
  };
  for (const raw of docs) {
    const v = raw.doc.value as { tasks?: unknown; spec?: { label_config?: { file?: unknown } } } | null;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v.tasks)) for (const t of v.tasks) add(raw, (t as { file?: unknown } | null)?.file);
    add(raw, v.spec?.label_config?.file);
  }
  return refs;
}

/** Fields of a manifest that can be left out for the second pass; the rest identify the document. */
const IDENTITY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec']);

/**
 * The document without the fields holding the problems at `pointers` (a `spec` field, or a
 * top-level one such as `tasks` or `import`), and their names; undefined when a problem is in
 * what identifies the document (apiVersion, kind, metadata) or in `spec` as a whole.
 */
function withoutFields(
  value: Record<string, unknown>,
  pointers: readonly string[],
): { value: Record<string, unknown>; fields: string[] } | undefined {
  if (pointers.length === 0) return { value, fields: [] };
  const spec =
    value.spec !== null && typeof value.spec === 'object' && !Array.isArray(value.spec)
      ? { ...(value.spec as Record<string, unknown>) }
      : undefined;
  const rest: Record<string, unknown> = { ...value, ...(spec ? { spec } : {}) };
  const fields: string[] = [];
  for (const pointer of pointers) {
    const [top, field] = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (top === undefined) return undefined;
    if (top === 'spec') {
      if (field === undefined || !spec) return undefined;
      delete spec[field];
      fields.push(field);
    } else {
      if (IDENTITY_FIELDS.has(top)) return undefined;
      delete rest[top];
      fields.push(top);
    }
  }
  return { value: rest, fields };
}

/** The spec field (or top-level field) a pointer is in: `url` for /spec/url, `tasks` for /tasks/0/file. */
function topField(pointer: string): string {
  const [top, field] = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return (top === 'spec' ? field : top) ?? '';
}

/**
 * Errors the second pass made only because of problems already reported: one at a value the
 * schema refused, a rule of a document checked without some of its fields (or with a refused
 * value) that names one of them ("BASIC_AUTH needs basic_auth_pass"), and "no Project named x"
 * for an x whose manifest is there but broken.
 */
function dropKnockOnErrors(
  diagnostics: Diagnostic[],
  firstPass: number,
  partial: ReadonlyArray<{ file: string; start: number; fields: readonly string[] }>,
  unloadable: ReadonlySet<string>,
  docStarts: ReadonlyMap<string, readonly number[]>,
): void {
  const mentions = (message: string, field: string) =>
    new RegExp(`(^|[^\\w])${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\w]|$)`).test(message);
  // The document of a file a diagnostic is in (its first line), so that two documents of one file stay apart.
  const docOf = (d: Diagnostic): number =>
    Math.max(-1, ...(docStarts.get(d.file ?? '') ?? []).filter((start) => start <= (d.line ?? 0)));
  const valueKey = (d: Diagnostic) => `${d.file}\u0000${docOf(d)}\u0000${d.pointer}`;
  const reportedAt = new Set(
    diagnostics
      .slice(0, firstPass)
      .filter((d) => d.pointer !== undefined)
      .map(valueKey),
  );
  const knockOn = (d: Diagnostic): boolean => {
    const missing = /^no (\w+) named "([^"]*)"/.exec(d.message);
    if (missing && d.code.startsWith('missing-') && unloadable.has(`${missing[1]}/${missing[2]}`)) return true;
    const mine = partial.filter((p) => p.file === d.file && p.start === docOf(d));
    if (mine.length === 0) return false;
    // One problem per value: one the first pass refused is not judged again by the second.
    if (d.pointer !== undefined && reportedAt.has(valueKey(d))) return true;
    return d.code === 'rule' && mine.some((p) => p.fields.some((f) => mentions(d.message, f)));
  };
  diagnostics.splice(
    firstPass,
    diagnostics.length - firstPass,
    ...diagnostics.slice(firstPass).filter((d) => !knockOn(d)),
  );
}

function pick(value: unknown, pointer: string): unknown {
  let v: unknown = value;
  for (const seg of pointer.split('/').slice(1))
    v = (v as Record<string, unknown> | undefined)?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}
