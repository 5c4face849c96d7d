/**
 * The contract every resource kind implements (Project, Webhook, View, MlBackend, the storages).
 * The planner, the applier, the saved-plan check, the renderers and the CLI know kinds only
 * through it and through `registry.ts`, the one list of kinds. In the spirit of a Pulumi dynamic
 * provider or a Grizzly handler with a base handler: a kind writes a small core (`KindDefinition`:
 * load, read live, plan, create/update/delete) and `defineKind` supplies the rest (identify by
 * marker, normalise, diff, orphans, digest, no facts, no drift attribution, no pull).
 */
import type { LabelStudioClient } from '../api/client.ts';
import type {
  CreateChange,
  DeleteChange,
  FieldChange,
  Orphan,
  PlanDiagnostic,
  ResourceChange,
  UpdateChange,
  AdoptChange,
} from '../generated/schema-types.ts';
import type { RawDoc } from '../manifest/load-root-config.ts';
import type { RootConfig, XmlSource } from '../manifest/types.ts';
import type { SourceDocument } from '../manifest/yaml-source.ts';
import type { Diagnostic } from '../util/diagnostics.ts';
import type { PullSecret } from '../manifest/pulled.ts';
import type { ReviewFinding } from '../labelconfig/review.ts';

/** A resource as its manifest declares it, after loading. */
export interface DesiredResource {
  readonly kind: string;
  /** metadata.name: the key of the resource within its kind (and parent). */
  readonly name: string;
  readonly file: string;
  readonly doc: SourceDocument;
  /** Key of the resource that owns this one (a project's webhook names its Project). */
  readonly parent?: string;
  /** `import: {id}`: adopt this existing resource instead of creating one. */
  readonly importId?: number;
}

/** The desired state: labelform.yaml and every manifest, loaded by their kinds. */
export interface Repository {
  /** Absolute path of the directory holding labelform.yaml. */
  readonly root: string;
  readonly config: RootConfig;
  /** The environment the manifests were interpolated for. */
  readonly environment: string;
  /**
   * Every loaded resource, by kind (registry order), each resource kind's list sorted by key; read
   * a kind's list, typed, with `resourcesOf` (or the kind's `desired`).
   */
  readonly resources: Readonly<Record<string, readonly DesiredResource[]>>;
}

/** A kind's resources in a repository (none without one), typed as the kind loads them. */
export function resourcesOf<D extends DesiredResource>(
  repo: Repository | undefined,
  kind: ManifestKind<D> | { readonly kind: string },
): readonly D[] {
  // The loader puts under each kind's name what that kind's `load` returned.
  return (repo?.resources[kind.kind] ?? []) as readonly D[];
}

/** Who owns a live resource: labelform's marker, read back from the server. */
export interface ResourceMarker {
  readonly namespace: string;
  readonly key: string;
  /** Key of the parent resource, for a kind with a parent. */
  readonly parent?: string;
}

/** A resource as the server has it, with the marker that says which manifest owns it. */
export interface LiveResource {
  readonly id: number;
  /** What people call it (a project's title), for messages. */
  readonly title: string;
  readonly marker?: ResourceMarker;
  /** Server id of the resource that owns this one. */
  readonly parentId?: number;
  /**
   * A parent that records its children (a project's marker): the codes (`recordedAs`) of the
   * child kinds labelform last applied to it; absent when it records none (an older marker):
   * children of every kind may be there.
   */
  readonly childKinds?: readonly string[];
}

/**
 * One manifest document of a kind, schema-valid and interpolated, ready for the kind's `load`.
 * `M` is the document's shape as the kind's schema says it (`ProjectManifest` from
 * src/generated/schema-types.ts): the loader hands a kind only documents its schema accepted (a
 * value still holding an unset `${env:...}`, in offline validate, is the one exception, and is
 * not judged by the kinds' rules).
 */
export interface ManifestDocument<M = unknown> {
  readonly raw: RawDoc;
  readonly value: M;
  /** Top-level spec fields whose value came from `${env:...}`. */
  readonly sensitive: Set<string>;
  /** JSON pointers of every value that came from `${env:...}`. */
  readonly envPointers: readonly string[];
  /** Every `${env:NAME}` used, with where (names only, never values). */
  readonly envNames: ReadonlyArray<{ readonly pointer: string; readonly name: string }>;
}

/** What a kind's loader can use: where the repository is, shared helpers, kinds loaded before it. */
export interface LoadContext {
  readonly root: string;
  /** Turns an absolute path into the one shown in messages. */
  readonly show: (path: string) => string;
  readonly diagnostics: Diagnostic[];
  /** Resources of a kind loaded earlier in registry order. */
  readonly loaded: (kind: string) => readonly DesiredResource[];
  /** Reads and checks a label config given inline or as `{file}` at `pointer`. */
  readonly loadXml: (raw: RawDoc, pointer: string, spec: unknown) => Promise<Omit<XmlSource, 'ref'> | undefined>;
}

/** The manifest side of a kind: its schema and how its documents become resources (`M`: a document's shape). */
export interface ManifestKind<D extends DesiredResource = DesiredResource, M = unknown> {
  /** The manifest's `kind:`, and the plan's. */
  readonly kind: string;
  /** `schemas/<schema>.schema.json` validates its manifests (and types are generated from it). */
  readonly schema: string;
  /** The word for one resource in messages ("project", "label config"). */
  readonly noun: string;
  /**
   * `validate`: the key of this kind's list of names in `--json` (`projects`), and a count in the
   * summary line even when there are none. A kind without it is listed under `resources`, and
   * counted, only when the repository has some.
   */
  readonly listedAs?: string;
  /** Turns this kind's documents into resources; problems go to `ctx.diagnostics`. */
  load(docs: readonly ManifestDocument<M>[], ctx: LoadContext): Promise<D[]>;
  /** `preview`: the label configs this kind's resources hold, in their order; absent: none to draw. */
  previewConfigs?(resources: readonly D[]): readonly PreviewConfig[];
}

/** A label config a resource holds, as `preview` draws it. */
export interface PreviewConfig {
  /** The resource's key (its kind names it in `preview NAME`). */
  readonly key: string;
  /** The file holding the XML, and the XML. */
  readonly file: string;
  readonly xml: string;
  readonly review: readonly ReviewFinding[];
  /** The config comes from `${env:...}`, a secret: never drawn into an image that gets uploaded. */
  readonly withheld: boolean;
  /** A declared task file: its first task is shown. */
  readonly taskFile?: {
    readonly path: string;
    readonly display: string;
    readonly format: 'json' | 'jsonl' | 'csv' | 'tsv';
  };
}

/** What a kind's live read is told. */
export interface ReadLiveOptions {
  readonly namespace: string;
  /** The manifests (absent for `pull`, which reads what is there). */
  readonly repo?: Repository;
  /** Every field, not only those the manifests manage (pull). */
  readonly all?: boolean;
  /** The live resources of the parent kind, read first (for a kind with a parent). */
  readonly parents?: readonly LiveResource[];
  /** The plan will prune: orphans must be found, even of a kind the manifests do not use. */
  readonly prune?: boolean;
}

/** What `pull` gives a kind to write a manifest for one of its live resources. */
export interface PullContext {
  readonly key: string;
  /** The parent's key in the pulled repository. */
  readonly parentKey?: string;
  /** The resource carries no marker yet: the manifest gets `import: {id}`. */
  readonly adopt: boolean;
  /** Values that must not be written (they become `${env:NAME}` or are left out). */
  readonly secrets: readonly PullSecret[];
}

/** A pulled manifest: the document, and what a person should know about it. */
export interface PulledManifest {
  readonly manifest: Record<string, unknown>;
  readonly notes: readonly string[];
  /** Files written beside the manifest, by name (a project's `config.xml`), with their text. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A manifest matched with what the server has for its identity. */
export interface Match<D extends DesiredResource = DesiredResource, L extends LiveResource = LiveResource> {
  readonly desired: D;
  /** The resource carrying this identity's marker (with dedupe, the lowest id of several). */
  readonly live?: L;
  /** More than one resource carries this identity: all of them, lowest id first. */
  readonly duplicates: readonly L[];
  /** `import: {id}` names this resource (and it carries no marker yet). */
  readonly adopt?: L;
}

/** What `plan` was asked for, as every kind's planner sees it. */
export interface PlanRequest {
  readonly repo: Repository;
  readonly namespace: string;
  /** `version`: the server's release as it reported it, when the live state was read. */
  readonly server: { readonly url: string; readonly environment: string; readonly version?: string };
  readonly allowDuplicateTitle: boolean;
  readonly dedupe: boolean;
  readonly prune: boolean;
  /**
   * `--delete-drafts`: a label migration also writes annotations that have a draft attached,
   * which Label Studio deletes with the write (without it they are left and counted as skipped).
   */
  readonly deleteDrafts: boolean;
}

/**
 * What a kind's planner decides for one manifest (or, with --prune, one orphan): its changes in
 * plan order (the deletes of a manifest's duplicate copies before its own change), and the
 * problems it found. The engine collects them, kind by kind, into the plan.
 */
export interface KindPlan {
  readonly changes: readonly ResourceChange[];
  readonly diagnostics?: readonly PlanDiagnostic[];
}

/** Nothing planned, for these reasons (a manifest that cannot be planned: its errors). */
export function refused(...diagnostics: PlanDiagnostic[]): KindPlan {
  return { changes: [], diagnostics };
}

/**
 * Everything a kind's planner gets for one resource: pure data, and the kind's own `diff` as the
 * engine runs it (normalise → diff → plan: the planner decides the change from that diff).
 */
export interface KindPlanContext<
  L extends LiveResource,
  F,
  D extends DesiredResource = DesiredResource,
> extends PlanRequest {
  /** Every live resource of this kind. */
  readonly live: readonly L[];
  /** The facts the kind read before planning (`readFacts`). */
  readonly facts: F | undefined;
  /** The parent's identity on the plan (`parent` of its changes), when the kind has a parent. */
  readonly parentOf: (desired: DesiredResource) => ResourceChange['parent'];
  /** The kind's `diff` of a manifest against a live resource (its `normalise` on both sides), for this server's release. */
  diff(desired: D, live: L | undefined): FieldChange[];
}

/** The outcome of one step, as the kind reports it. */
export interface StepDone {
  /** Server id of the resource the step left (created, updated, deleted). */
  readonly id: number;
  readonly notes?: readonly string[];
  /** Copies of a created resource removed after the create (a re-run POST, a racing apply). */
  readonly removedCopies?: readonly number[];
  /** Copies that could not be proven fresh and empty: left in place, listed here. */
  readonly leftCopies?: ReadonlyArray<{ readonly id: number; readonly reason: string }>;
  /** Not done, and why (for example a deletion nobody confirmed). */
  readonly skipped?: string;
}

/** What a kind's applier is given for a whole run. */
export interface ApplyRun<L extends LiveResource = LiveResource> {
  readonly client: LabelStudioClient;
  readonly namespace: string;
  /** Every live resource of this kind, as the plan read them. */
  readonly live: readonly L[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly allowDataLoss: boolean;
  /** Asks a person to confirm one deletion (type the title back); absent when not interactive. */
  readonly confirmDelete?: (change: DeleteChange) => Promise<boolean>;
  /** Kind-specific ports and options from the CLI, passed through untouched (Project: applied-from record, task import). */
  readonly extras: Readonly<Record<string, unknown>>;
  /**
   * For a parent kind: the codes (`recordedAs`) of the recorded child kinds the manifests declare
   * under the resource with this key, which it records when it writes that resource.
   */
  readonly childKindsOf?: (key: string) => readonly string[];
  /**
   * For a parent kind: reads the recorded child kinds under one of its resources now and gives
   * the codes of those with a resource carrying this namespace's marker there (for a resource
   * whose record is older than the record of children).
   */
  readonly childKindsFound?: (parent: LiveResource) => Promise<readonly string[]>;
}

/** Carries out one kind's steps of a plan; made once per run, so it can keep state across steps. */
export interface KindApplier<D extends DesiredResource = DesiredResource> {
  create(change: CreateChange, desired: D | undefined, parentId: number | undefined): Promise<StepDone>;
  update(change: UpdateChange | AdoptChange, desired: D | undefined, parentId: number | undefined): Promise<StepDone>;
  delete(change: DeleteChange): Promise<StepDone>;
  /** After every step of every kind: a last look (Project settles keys doubled by racing runs). */
  finish?(report: (event: SettledEvent) => void): Promise<void>;
}

/** The final check found an identity carried by more than one resource and settled it. */
export interface SettledEvent {
  readonly kind: string;
  readonly key: string;
  readonly winner: number;
  readonly removed: readonly number[];
  readonly left: ReadonlyArray<{ id: number; reason: string }>;
}

/**
 * Which side moved since the last apply, for a field where git and the server differ:
 * - `server`: git still holds what was applied; the server does not (someone edited it there);
 * - `git`: the server still holds what was applied; git changed since (not applied yet), or git
 *   did not manage the field when it was last applied;
 * - `both`: neither holds what was applied;
 * - `unknown`: nothing to compare with (no record, or the field is a secret).
 */
export type ChangeOrigin = 'server' | 'git' | 'both' | 'unknown';

/**
 * A kind of resource labelform manages on the server, as the engine sees it: every member is
 * there (`defineKind` supplies the defaults), except those whose absence means something (no
 * facts to read, no pull, no pull by id, no `labelform import`, no page of its own). `D` is the desired resource, `L` the live one,
 * `F` the facts read between the live read and the (pure) planner.
 */
export interface ResourceKind<
  D extends DesiredResource = DesiredResource,
  L extends LiveResource = LiveResource,
  F = unknown,
  M = unknown,
> extends ManifestKind<D, M> {
  /** The kind whose resources own these (`Project` for a project's webhooks); absent for top level. */
  readonly parent?: string;
  /**
   * A child kind the server lists one parent at a time (a project's ML backends, its storages):
   * the code under which a parent's record (`childKinds`, `recordChild`) says it carries managed
   * ones, so that a read visits only the parents that do, or that the manifests give some.
   */
  readonly recordedAs?: string;
  /**
   * A parent kind that records its children: makes the record of one of its resources list a
   * child kind (`recordedAs`), before a child of that kind is written under it, so that no
   * managed child is ever left under a parent that does not record it. Nothing is written when
   * the record lists it already, or when the resource records no children at all (read anyway).
   */
  recordChild?(client: LabelStudioClient, parentId: number, code: string): Promise<void>;
  /** Titles are unique within a parent (a tab that lost its marker is found by its title): pull writes one of a title. */
  readonly titlesUnique?: boolean;
  /** Where the ownership marker is written, as a plan's adopt says it ("to the description"); absent: not said. */
  readonly markerPlace?: string;
  /** The resources a loaded repository declares of this kind. */
  desired(repo: Repository): readonly D[];
  /**
   * Reads every resource of this kind the plan needs (`all`: every field, for pull). `parents`
   * are the live resources of the parent kind, read first.
   */
  readLive(client: LabelStudioClient, opts: ReadLiveOptions): Promise<L[]>;
  /** Whether a live resource holds data a delete would lose (a project's tasks); a copy that does is never removed. */
  holdsData(live: L): boolean;
  /** The marker a live resource carries, if any. */
  identify(live: L): ResourceMarker | undefined;
  /** One named function that makes a field's value comparable (both sides go through it). */
  normalise(field: string, value: unknown, side: 'desired' | 'live'): unknown;
  /**
   * Field changes from live to desired (only the fields the manifest sets), each compared after
   * `normalise`; secrets carry no values. `release`: the server's, when known.
   */
  diff(desired: D, live: L | undefined, release?: string): FieldChange[];
  /** Reads what the planner needs beyond the live state (may be slow; only for the matches given). */
  readFacts?(
    client: LabelStudioClient,
    matches: readonly Match<D, L>[],
    req: PlanRequest & { readonly datasets: boolean },
  ): Promise<{ readonly facts: F; readonly diagnostics: readonly PlanDiagnostic[] }>;
  /** Decides the change for one matched manifest; pure: it returns what it decided. */
  plan(match: Match<D, L>, ctx: KindPlanContext<L, F, D>): KindPlan;
  /** A live resource of this namespace with no manifest. */
  orphan(live: L): Omit<Orphan, 'kind' | 'parent'>;
  /** With --prune: the delete planned for an orphan; pure. */
  planPrune(orphan: Orphan, live: L, ctx: KindPlanContext<L, F, D>): KindPlan;
  /** What of a manifest goes into the plan's `desiredDigest` (secrets by name only). */
  digest(desired: D, root: string): object;
  /** The applier for one run. */
  startApply(run: ApplyRun<L>): KindApplier<D>;
  /** pull: a manifest for a live resource that plans as no change (no secret value in it); absent when it cannot be written. */
  toManifest?(live: L, ctx: PullContext): PulledManifest | { readonly skipped: string };
  /**
   * pull: where the manifest of a resource with this key goes, relative to the folder pulled into
   * (`parentKey`: its parent's key; the files of `toManifest` go beside it).
   */
  pullPath(key: string, parentKey?: string): string;
  /** Its page in Label Studio's web app, relative to the server's URL (`projects/7/`); absent: its parent's page. */
  page?(id: number): string;
  /** `pull --project ID`: one resource read by its server id, with every field (the API's 404 when there is none); absent: not pulled by id. */
  readOne?(client: LabelStudioClient, id: number): Promise<L>;
  /**
   * `labelform import Kind/key ID`: marks an existing resource as this manifest's, changing
   * nothing else. `parentId` is the server id of the manifest's parent. Refuses a resource that
   * is someone else's, under another parent, or a key another resource already carries.
   */
  adopt?(
    client: LabelStudioClient,
    id: number,
    desired: D,
    ctx: { readonly namespace: string; readonly parentId?: number },
  ): Promise<{ readonly already: boolean; readonly title: string }>;
  /** Drift: which side moved since the last apply, per field. */
  attribute(field: string, desired: D, live: L): ChangeOrigin;
  /** Drift: what the marker records about the last apply. */
  lastApplied(live: L): { readonly commit?: string; readonly repository?: string } | undefined;
}

/** The members `defineKind` supplies when a kind leaves them out. */
export type DefaultedMember =
  | 'desired'
  | 'holdsData'
  | 'identify'
  | 'normalise'
  | 'diff'
  | 'orphan'
  | 'planPrune'
  | 'digest'
  | 'attribute'
  | 'lastApplied'
  | 'pullPath';

/**
 * What a kind writes (the pulumi shape: check = `load`, read = `readLive`, diff, and create,
 * update, delete = `startApply`, plus `plan`, which turns a diff into a change): a small required
 * core, and whatever differs from the defaults `defineKind` supplies:
 * - `desired`: the kind's list in the repository; `identify`: the live resource's `marker`;
 * - `normalise`: the value as it is; `diff`: `fields` compared through `liveValue` and
 *   `normalise` (`showLive` masks a live value for the plan), or no field changes without them;
 * - `orphan`, `planPrune`: a resource that holds no data, deleted; `holdsData`: no;
 * - `digest`: the spec with secrets by name only, and `import`;
 * - `pullPath`: `<key>/<schema>.yaml` for a top-level kind, `<parent>/<schema>-<key>.yaml` beside
 *   the parent's manifest for a child kind;
 * - no facts (`readFacts`), no drift attribution (`attribute`: unknown; `lastApplied`: none),
 *   no pull (`toManifest`; `readOne`: not by id), no `labelform import` (`adopt`), no page of
 *   its own in the web app (`page`: links go to its parent's);
 * - no label configs to draw (`previewConfigs`).
 */
export type KindDefinition<
  D extends DesiredResource = DesiredResource,
  L extends LiveResource = LiveResource,
  F = unknown,
  /** The names of the fields the default `diff` compares (`fields`). */
  N extends string = string,
  /** A manifest document's shape, as the kind's schema says it. */
  M = unknown,
> = Omit<ResourceKind<D, L, F, M>, DefaultedMember> &
  Partial<Pick<ResourceKind<D, L, F, M>, DefaultedMember>> & {
    /** The fields the default `diff` compares for a manifest, in plan order (only those it sets count). */
    readonly fields?: (desired: D) => readonly N[];
    /** A live resource's value of a field, for the default `diff`. */
    readonly liveValue?: (live: L, field: N) => unknown;
    /** A live value as a plan may show it (credentials masked), for the default `diff`. */
    readonly showLive?: (field: N, value: unknown) => unknown;
  };

/** A step the kind refuses to carry out; its message is shown as it is. */
export class Refusal extends Error {}
