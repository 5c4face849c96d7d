/**
 * Everything the fake Label Studio knows, as plain data. Tests may read it and, to set up a
 * scenario, change it (switch legacy tokens off, move the clock, look at stored annotations).
 */
import { randomBytes } from 'node:crypto';
import type { ParsedConfig } from './label-config.ts';

export const LS_VERSION = '1.23.2';

export interface FakeUser {
  readonly id: number;
  readonly email: string;
  readonly dateJoined: string;
}

export interface FakeAnnotation {
  readonly id: number;
  result: unknown;
  completed_by: number;
  was_cancelled: boolean;
  ground_truth: boolean;
  lead_time: number | null;
  created_at: string;
  updated_at: string;
  updated_by: number | null;
  /** Came in through `/import` (the summary never counts those). */
  readonly imported: boolean;
  readonly unique_id: string;
  /** The exact text of `result` when it was last written by a PATCH (Python keeps `10.0` a float). */
  resultText?: string;
}

/** A draft (`AnnotationDraft`): of a task, or of one annotation (`annotation` set). */
export interface FakeDraft {
  readonly id: number;
  result: unknown;
  resultText?: string;
  readonly annotation: number | null;
  readonly user: number;
  lead_time: number | null;
  was_postponed: boolean;
  readonly created_at: string;
  updated_at: string;
}

export interface FakePrediction {
  readonly id: number;
  result: unknown;
  model_version: string;
  score: number | null;
  created_at: string;
  updated_at: string;
  resultText?: string;
}

export interface FakeTask {
  readonly id: number;
  readonly project: number;
  readonly inner_id: number;
  data: Record<string, unknown>;
  meta: unknown;
  created_at: string;
  updated_at: string;
  updated_by: number | null;
  annotations: FakeAnnotation[];
  predictions: FakePrediction[];
  /** Drafts of every user (absent = none). */
  drafts?: FakeDraft[];
}

export interface FakeSummary {
  created_at: string;
  all_data_columns: Record<string, number>;
  common_data_columns: string[];
  created_annotations: Record<string, number>;
  created_labels: Record<string, Record<string, number>>;
  created_labels_drafts: Record<string, Record<string, number>>;
}

export interface FakeConvertedFormat {
  readonly id: number;
  readonly export_type: string;
  status: string;
}

export interface FakeExport {
  readonly id: number;
  readonly title: string;
  readonly created_at: string;
  readonly finished_at: string;
  readonly md5: string;
  readonly task_number: number;
  /** The snapshot's content: tasks as exported in JSON, frozen at creation. */
  readonly tasks: unknown[];
  readonly converted_formats: FakeConvertedFormat[];
}

/** A project's stored (writable and derived) fields; counters are computed when serialised. */
export interface FakeProject {
  readonly id: number;
  readonly created_at: string;
  fields: Record<string, unknown>;
  parsed: ParsedConfig;
  dataTypes: Record<string, string>;
  /** `config_suitable_for_bulk_annotation`, derived with the config. */
  bulk: boolean;
  taskIds: number[];
  nextInnerId: number;
  summary: FakeSummary;
  exports: Map<number, FakeExport>;
}

/** A webhook as the server stores it (`webhooks.Webhook` with its `WebhookAction` rows). */
export interface FakeWebhook {
  readonly id: number;
  readonly project: number | null;
  url: string;
  send_payload: boolean;
  send_for_all_actions: boolean;
  headers: Record<string, string>;
  is_active: boolean;
  actions: string[];
  readonly created_at: string;
  updated_at: string;
}

/** A Data Manager tab: `data` as stored, with its filters and ordering kept apart as the server keeps them. */
export interface FakeView {
  readonly id: number;
  readonly project: number;
  data: Record<string, unknown>;
  filters: { conjunction: string; items: Array<Record<string, unknown>> } | null;
  ordering: unknown[] | null;
  order: number;
}

/** An ML backend's record (the password kept, never answered). */
export interface FakeMlBackend {
  readonly id: number;
  readonly project: number;
  fields: Record<string, unknown>;
  basicAuthPass: string;
  state: string;
}

/** A source or target storage: its fields as sent (secrets kept, never answered). */
export interface FakeStorage {
  readonly id: number;
  readonly direction: 'import' | 'export';
  readonly type: string;
  readonly project: number;
  fields: Record<string, unknown>;
  status: string;
  lastSyncCount: number | null;
}

export interface FakePat {
  readonly jti: string;
  readonly userId: number;
  readonly token: string;
  readonly exp: number;
  blacklisted: boolean;
}

export interface FakeState {
  /** Added to Date.now(): move it forward to expire access tokens without waiting. */
  clockOffsetMs: number;
  /** The release this fake behaves as (FakeStateOptions.release). */
  readonly release: string;
  latencyMs: number;
  requestCount: number;
  /** Like Django's DATA_UPLOAD_MAX_MEMORY_SIZE; undefined = no limit. */
  maxBodyBytes: number | undefined;
  accessTokenLifetimeSeconds: number;
  readonly signingKey: Buffer;
  readonly user: FakeUser;
  legacyToken: string;
  jwtSettings: { api_tokens_enabled: boolean; legacy_api_tokens_enabled: boolean };
  pats: Map<string, FakePat>;
  projects: Map<number, FakeProject>;
  tasks: Map<number, FakeTask>;
  webhooks: Map<number, FakeWebhook>;
  /** As a server with its SSRF checks on (the default): a webhook to a loopback address is a 403. */
  refuseWebhookUrls: boolean;
  views: Map<number, FakeView>;
  mlBackends: Map<number, FakeMlBackend>;
  storages: Map<number, FakeStorage>;
  nextId: {
    project: number;
    task: number;
    annotation: number;
    prediction: number;
    draft: number;
    export: number;
    convertedFormat: number;
    webhook: number;
    view: number;
    mlBackend: number;
    storage: number;
  };
  versionCalls: number;
}

export interface FakeStateOptions {
  readonly token?: string;
  readonly accessTokenLifetimeSeconds?: number;
  readonly latencyMs?: number;
  readonly maxBodyBytes?: number;
  readonly legacyTokensEnabled?: boolean;
  /**
   * The release to behave as (default 1.23.2). Older releases lack what they lacked: no personal
   * access tokens before 1.17 (the refresh route is a 404 page), no `annotator_evaluation_enabled`
   * before 1.23 (dropped on write, absent on read).
   */
  readonly release?: string;
}

export function createState(opts: FakeStateOptions = {}): FakeState {
  return {
    clockOffsetMs: 0,
    release: opts.release ?? '1.23.2',
    latencyMs: opts.latencyMs ?? 0,
    requestCount: 0,
    maxBodyBytes: opts.maxBodyBytes,
    accessTokenLifetimeSeconds: opts.accessTokenLifetimeSeconds ?? 300,
    signingKey: randomBytes(32),
    user: { id: 1, email: 'admin@example.com', dateJoined: new Date().toISOString() },
    legacyToken: opts.token ?? `fake${randomBytes(18).toString('hex')}`,
    jwtSettings: { api_tokens_enabled: true, legacy_api_tokens_enabled: opts.legacyTokensEnabled ?? true },
    pats: new Map(),
    projects: new Map(),
    tasks: new Map(),
    webhooks: new Map(),
    refuseWebhookUrls: false,
    views: new Map(),
    mlBackends: new Map(),
    storages: new Map(),
    nextId: {
      project: 1,
      task: 1,
      annotation: 1,
      prediction: 1,
      draft: 1,
      export: 1,
      convertedFormat: 1,
      webhook: 1,
      view: 1,
      mlBackend: 1,
      storage: 1,
    },
    versionCalls: 0,
  };
}

export function nowMs(state: FakeState): number {
  return Date.now() + state.clockOffsetMs;
}

/** Django's ISO format: microseconds and `Z`. */
export function isoNow(state: FakeState): string {
  return new Date(nowMs(state))
    .toISOString()
    .replace(/\.(\d{3})Z$/, (_, ms: string) => `.${ms}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}Z`);
}
