import type { Readable } from 'node:stream';
import { ApiError } from './errors.ts';
import { createHttp, type Http, type HttpOptions } from './http.ts';
import { topLevelText } from '../util/json-text.ts';
import type {
  LsAnnotation,
  LsDraft,
  LsExportTask,
  LsPrediction,
  LsResultHolder,
  ResultHolderType,
  LsConfigValidation,
  LsExportFormat,
  LsExportSnapshot,
  LsImportResult,
  LsPage,
  LsProject,
  LsProjectSummary,
  LsTask,
  LsTaskPage,
  LsTemplate,
  LsUser,
  LsVersion,
} from './types.ts';

/** Largest page the projects list serves (`ProjectListPagination.max_page_size`). */
export const PROJECTS_PAGE_SIZE = 100;

export type ProjectWrite = Partial<Omit<LsProject, 'id'>>;

/** One Data Manager filter item (`filter:tasks:meta` contains, `filter:tasks:total_annotations` equal, ...). */
export interface TaskFilter {
  readonly filter: string;
  readonly operator: string;
  readonly type: string;
  readonly value: string | number;
}

export interface TaskListOptions {
  readonly pageSize?: number;
  readonly fields?: 'all' | 'task_only';
  /** A Data Manager query (`{"filters": {...}}`) as JSON. */
  readonly query?: string;
}

/**
 * Typed Label Studio API. Route strings are exact, trailing slash included: the server only
 * adds a missing slash, and routes declared without one (`/import`, `/exports/{id}`) 404 with it.
 */
export interface LabelStudioClient {
  readonly http: Http;
  version(): Promise<LsVersion>;
  whoami(): Promise<LsUser>;

  /**
   * Every project, page by page (`page_size=100`), optionally trimmed to `fields`. Sent as
   * `include=`: Label Studio 1.23 ignores `fields=` on projects and trims with `include=`.
   */
  listProjects(opts?: { fields?: readonly string[]; pageSize?: number }): AsyncGenerator<LsProject[]>;
  getProject(id: number): Promise<LsProject>;
  createProject(body: ProjectWrite): Promise<LsProject>;
  updateProject(id: number, body: ProjectWrite): Promise<LsProject>;
  deleteProject(id: number): Promise<void>;
  /** Structural check, no auth needed; resolves when valid, rejects with the server's message. */
  validateConfig(labelConfig: string): Promise<void>;
  /** Strict per-project check (refuses removed labels still used by annotations). */
  validateProjectConfig(id: number, labelConfig: string): Promise<LsConfigValidation>;
  projectSummary(id: number): Promise<LsProjectSummary>;

  /** Tasks as values, or already serialised as one JSON array (batches built as text or bytes). Never retried. */
  importTasks(
    projectId: number,
    tasks: readonly unknown[] | string | Uint8Array,
    opts?: { returnTaskIds?: boolean },
  ): Promise<LsImportResult>;
  /** One page of `/api/tasks/`; past the last page the server answers 404, returned as an empty page. */
  listTasksPage(projectId: number, page: number, opts?: TaskListOptions): Promise<LsTaskPage>;
  /** Every task, page by page. */
  listTasks(projectId: number, opts?: TaskListOptions): AsyncGenerator<LsTask[]>;
  createAnnotation(taskId: number, body: { result: unknown[]; [key: string]: unknown }): Promise<LsAnnotation>;
  /**
   * Deletes the tasks among `ids` that also match `where` (Data Manager filter items, e.g. a
   * `filter:tasks:meta` contains), in one request: the Data Manager `delete_tasks` action. The
   * filter makes a repeated request harmless, since SQLite hands a deleted id to the next new
   * task. Resolves to the number deleted. An empty `ids` is refused: the server reads an empty
   * selection as "every task" (checked on 1.23.2).
   */
  deleteTasks(projectId: number, ids: readonly number[], where: readonly TaskFilter[]): Promise<number>;

  /**
   * Every task's annotations (cancelled ones too) and drafts (every user's), in full: the JSON
   * export with `download_all_tasks=true`. The task list's `drafts` holds only the calling
   * user's drafts (`DataManagerTaskSerializer.get_drafts`), so it cannot list them all.
   */
  exportAnnotationsAndDrafts(projectId: number): Promise<LsExportTask[]>;
  /**
   * Every prediction of a project, with `model_version` (`GET /api/predictions/?task__project=`,
   * one unpaginated list). `task__project`, not `project`: before 1.13 the list has no `project`
   * filter and ignores it, answering with every prediction of the organization.
   */
  listPredictions(projectId: number): Promise<LsPrediction[]>;
  /** A draft of the calling user on a task, or on one of its annotations. Never retried. */
  createDraft(
    taskId: number,
    body: { result: unknown[]; [key: string]: unknown },
    annotationId?: number,
  ): Promise<LsDraft>;
  /** Every draft of a task, of every user (`GET /api/tasks/{id}/drafts`). */
  listTaskDrafts(taskId: number): Promise<LsDraft[]>;
  getAnnotation(id: number): Promise<LsAnnotation>;
  getDraft(id: number): Promise<LsDraft>;
  getPrediction(id: number): Promise<LsPrediction>;
  /** One annotation, draft or prediction with the exact text of its `result`. */
  readResult(type: ResultHolderType, id: number): Promise<LsResultHolder<LsAnnotation | LsDraft | LsPrediction>>;
  /**
   * Replaces the `result` of one annotation, draft or prediction with `resultText` (JSON text,
   * sent as it is, so that `10.0` stays a float). Safe to repeat, and may run beside other such
   * writes. A PATCH of an annotation deletes the drafts attached to it (`tasks/models.py`
   * `delete_draft`, measured on 1.23.2); it sets `updated_by` to the caller.
   */
  writeResult(
    type: ResultHolderType,
    id: number,
    resultText: string,
  ): Promise<LsResultHolder<LsAnnotation | LsDraft | LsPrediction>>;

  exportFormats(projectId: number): Promise<LsExportFormat[]>;
  /** The synchronous export as a stream (`GET /api/projects/{id}/export`). */
  downloadExport(
    projectId: number,
    opts: { exportType: string; downloadAllTasks?: boolean; timeoutMs?: number },
  ): Promise<{ stream: Readable; headers: Record<string, string> }>;
  createExportSnapshot(projectId: number, body?: Record<string, unknown>): Promise<LsExportSnapshot>;
  getExportSnapshot(projectId: number, exportId: number): Promise<LsExportSnapshot>;
  convertExportSnapshot(
    projectId: number,
    exportId: number,
    exportType: string,
  ): Promise<{ export_type: string; converted_format: number }>;
  downloadExportSnapshot(
    projectId: number,
    exportId: number,
    exportType: string,
  ): Promise<{ stream: Readable; headers: Record<string, string> }>;
  deleteExportSnapshot(projectId: number, exportId: number): Promise<void>;

  templates(): Promise<LsTemplate[]>;
  /** Creates a personal access token for the calling user (409 when one exists). */
  createPersonalAccessToken(): Promise<string>;
}

export function createClient(opts: HttpOptions): LabelStudioClient {
  const http = createHttp(opts);
  const req = http.request.bind(http);

  async function* listProjects(o: { fields?: readonly string[]; pageSize?: number } = {}): AsyncGenerator<LsProject[]> {
    const pageSize = Math.min(o.pageSize ?? PROJECTS_PAGE_SIZE, PROJECTS_PAGE_SIZE);
    for (let page = 1; ; page++) {
      const body = await req<LsPage<LsProject>>('GET', '/api/projects/', {
        params: { page, page_size: pageSize, ...(o.fields ? { include: o.fields.join(',') } : {}) },
      });
      yield body.results;
      if (!body.next || body.results.length === 0 || page * pageSize >= body.count) return;
    }
  }

  async function listTasksPage(projectId: number, page: number, o: TaskListOptions = {}): Promise<LsTaskPage> {
    try {
      return await req<LsTaskPage>('GET', '/api/tasks/', {
        params: {
          project: projectId,
          page,
          page_size: o.pageSize ?? 100,
          ...(o.fields ? { fields: o.fields } : {}),
          ...(o.query ? { query: o.query } : {}),
        },
      });
    } catch (err) {
      // An out-of-range page is a 404 from Django's paginator.
      if (err instanceof ApiError && err.status === 404 && page > 1)
        return { tasks: [], total: 0, total_annotations: 0, total_predictions: 0 };
      throw err;
    }
  }

  async function* listTasks(projectId: number, o: TaskListOptions = {}): AsyncGenerator<LsTask[]> {
    const pageSize = o.pageSize ?? 100;
    for (let page = 1; ; page++) {
      const body = await listTasksPage(projectId, page, { ...o, pageSize });
      if (body.tasks.length > 0) yield body.tasks;
      if (body.tasks.length < pageSize || page * pageSize >= body.total) return;
    }
  }

  async function readResult(
    type: ResultHolderType,
    id: number,
  ): Promise<LsResultHolder<LsAnnotation | LsDraft | LsPrediction>> {
    return holderOf(await req<string>('GET', holderPath(type, id), { responseType: 'text' }));
  }

  async function writeResult(
    type: ResultHolderType,
    id: number,
    resultText: string,
  ): Promise<LsResultHolder<LsAnnotation | LsDraft | LsPrediction>> {
    const text = await req<string>('PATCH', holderPath(type, id), {
      data: `{"result": ${resultText}}`,
      headers: { 'Content-Type': 'application/json' },
      responseType: 'text',
      idempotent: true,
      concurrentWrite: true,
    });
    return holderOf(text);
  }

  return {
    http,
    version: () => req<LsVersion>('GET', '/api/version/'),
    whoami: () => req<LsUser>('GET', '/api/current-user/whoami'),
    listProjects,
    getProject: (id) => req<LsProject>('GET', `/api/projects/${id}/`),
    // Creating is never retried blindly: a lost answer could mean a project was made. The
    // reconciler looks for its ownership marker before trying again.
    createProject: (body) => req<LsProject>('POST', '/api/projects/', { data: body, idempotent: false }),
    updateProject: (id, body) => req<LsProject>('PATCH', `/api/projects/${id}/`, { data: body, idempotent: true }),
    deleteProject: async (id) => {
      await req<unknown>('DELETE', `/api/projects/${id}/`);
    },
    validateConfig: async (labelConfig) => {
      await req<unknown>('POST', '/api/projects/validate/', {
        data: { label_config: labelConfig },
        idempotent: true,
        anonymous: true,
      });
    },
    validateProjectConfig: (id, labelConfig) =>
      req<LsConfigValidation>('POST', `/api/projects/${id}/validate/`, {
        data: { label_config: labelConfig },
        idempotent: true,
      }),
    projectSummary: (id) => req<LsProjectSummary>('GET', `/api/projects/${id}/summary/`),

    importTasks: (projectId, tasks, o = {}) =>
      req<LsImportResult>('POST', `/api/projects/${projectId}/import`, {
        data: tasks,
        ...(typeof tasks === 'string' || tasks instanceof Uint8Array
          ? { headers: { 'Content-Type': 'application/json' } }
          : {}),
        idempotent: false,
        params: o.returnTaskIds ? { return_task_ids: true } : undefined,
        timeoutMs: 600_000,
      }),
    listTasksPage,
    listTasks,
    createAnnotation: (taskId, body) =>
      req<LsAnnotation>('POST', `/api/tasks/${taskId}/annotations/`, { data: body, idempotent: false }),
    deleteTasks: async (projectId, ids, where) => {
      if (ids.length === 0 || where.length === 0) throw new Error('deleteTasks needs task ids and at least one filter');
      const body = { selectedItems: { all: false, included: ids }, filters: { conjunction: 'and', items: where } };
      const result = await req<{ processed_items?: number }>('POST', '/api/dm/actions/', {
        params: { id: 'delete_tasks', project: projectId },
        data: body,
        idempotent: true,
      });
      return Number(result.processed_items ?? 0);
    },

    exportAnnotationsAndDrafts: async (projectId) => {
      const { stream } = await http.stream('GET', `/api/projects/${projectId}/export`, {
        params: { exportType: 'JSON', download_all_tasks: true },
        timeoutMs: 600_000,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      const tasks = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (!Array.isArray(tasks))
        throw new ApiError(
          'not-label-studio',
          'GET',
          `/api/projects/${projectId}/export`,
          200,
          'the JSON export is not a list of tasks',
          undefined,
        );
      return (tasks as LsExportTask[]).map((t) => ({ ...t, annotations: t.annotations ?? [], drafts: t.drafts ?? [] }));
    },
    listPredictions: (projectId) =>
      req<LsPrediction[]>('GET', '/api/predictions/', { params: { task__project: projectId } }),
    createDraft: (taskId, body, annotationId) =>
      req<LsDraft>(
        'POST',
        annotationId === undefined
          ? `/api/tasks/${taskId}/drafts`
          : `/api/tasks/${taskId}/annotations/${annotationId}/drafts`,
        { data: body, idempotent: false },
      ),
    listTaskDrafts: (taskId) => req<LsDraft[]>('GET', `/api/tasks/${taskId}/drafts`),
    getAnnotation: (id) => req<LsAnnotation>('GET', holderPath('annotation', id)),
    getDraft: (id) => req<LsDraft>('GET', holderPath('draft', id)),
    getPrediction: (id) => req<LsPrediction>('GET', holderPath('prediction', id)),
    readResult,
    writeResult,

    exportFormats: (projectId) => req<LsExportFormat[]>('GET', `/api/projects/${projectId}/export/formats`),
    downloadExport: (projectId, o) =>
      http.stream('GET', `/api/projects/${projectId}/export`, {
        params: { exportType: o.exportType, ...(o.downloadAllTasks ? { download_all_tasks: true } : {}) },
        timeoutMs: o.timeoutMs ?? 600_000,
      }),
    // Community edition builds the snapshot inside this request (~33 s for 60,000 tasks, measured).
    createExportSnapshot: (projectId, body = {}) =>
      req<LsExportSnapshot>('POST', `/api/projects/${projectId}/exports/`, {
        data: body,
        idempotent: false,
        timeoutMs: 3_600_000,
      }),
    getExportSnapshot: (projectId, exportId) =>
      req<LsExportSnapshot>('GET', `/api/projects/${projectId}/exports/${exportId}`),
    convertExportSnapshot: (projectId, exportId, exportType) =>
      req('POST', `/api/projects/${projectId}/exports/${exportId}/convert`, {
        data: { export_type: exportType },
        idempotent: false,
        timeoutMs: 3_600_000,
      }),
    downloadExportSnapshot: (projectId, exportId, exportType) =>
      http.stream('GET', `/api/projects/${projectId}/exports/${exportId}/download`, {
        params: { exportType },
        timeoutMs: 600_000,
      }),
    deleteExportSnapshot: async (projectId, exportId) => {
      await req<unknown>('DELETE', `/api/projects/${projectId}/exports/${exportId}`);
    },

    templates: async () => (await req<{ templates: LsTemplate[] }>('GET', '/api/templates/')).templates,
    createPersonalAccessToken: async () =>
      (await req<{ token: string }>('POST', '/api/token/', { idempotent: false })).token,
  };
}

function holderPath(type: ResultHolderType, id: number): string {
  switch (type) {
    case 'annotation':
      return `/api/annotations/${id}/`;
    case 'draft':
      return `/api/drafts/${id}/`;
    case 'prediction':
      return `/api/predictions/${id}/`;
  }
}

function holderOf<T>(text: string): LsResultHolder<T> {
  const object = JSON.parse(text) as T;
  return { object, resultText: topLevelText(text, 'result') ?? 'null' };
}
