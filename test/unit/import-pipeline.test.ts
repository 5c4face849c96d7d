/**
 * How `runImport` paces its requests, with a stub client (the server's side is covered by the
 * integration and end-to-end tests of doubled batches): one import request at a time, the next
 * batch read while the last one is stored and no further, one count for a whole clean import,
 * and a failed batch stops the import before anything after it is sent.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LabelStudioClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import type { LsImportResult } from '../../src/api/types.ts';
import { runImport } from '../../src/tasks/import-tasks.ts';
import type { TaskRecord } from '../../src/tasks/read-records.ts';

interface Stub {
  readonly client: LabelStudioClient;
  /** Tags of the tasks "stored", in order. */
  readonly stored: string[];
  /** Each import request: how many tasks, and how many records had been read when it was sent. */
  readonly posts: Array<{ size: number; readBefore: number; readAtAnswer?: number }>;
  /** `meta contains` values of the count requests. */
  readonly counts: string[];
  /** Most import requests open at once. */
  maxOpen: number;
  /** Called for each import request; resolve (or reject) to answer it. */
  answer: (size: number, body: string) => Promise<void>;
}

function stubServer(read: () => number): Stub {
  let open = 0;
  const stub: Stub = {
    stored: [],
    posts: [],
    counts: [],
    maxOpen: 0,
    answer: () => new Promise<void>((r) => setTimeout(r, 5)),
    client: {
      importTasks: async (_projectId: number, body: unknown): Promise<LsImportResult> => {
        const tasks = JSON.parse(String(body)) as Array<{ meta: { labelform: string } }>;
        const post: Stub['posts'][number] = { size: tasks.length, readBefore: read() };
        stub.posts.push(post);
        open++;
        stub.maxOpen = Math.max(stub.maxOpen, open);
        try {
          await stub.answer(tasks.length, String(body));
          post.readAtAnswer = read();
        } finally {
          open--;
        }
        stub.stored.push(...tasks.map((t) => t.meta.labelform));
        return { task_count: tasks.length, annotation_count: 0, prediction_count: 0 };
      },
      http: {
        request: async (_method: string, _path: string, opts: { params: { query: string } }) => {
          const text = (JSON.parse(opts.params.query) as { filters: { items: Array<{ value: string }> } }).filters
            .items[0]!.value;
          stub.counts.push(text);
          return { total: stub.stored.filter((tag) => tag.includes(text)).length, tasks: [] };
        },
      },
    } as unknown as LabelStudioClient,
  };
  return stub;
}

function records(n: number, onRead: () => void): AsyncIterable<TaskRecord> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < n; i++) {
        onRead();
        yield { index: i, line: i + 1, item: { text: `t ${i}` } };
      }
    },
  };
}

test('one import request at a time, the next batch read meanwhile and no further, one count for a clean import', async () => {
  let read = 0;
  const stub = stubServer(() => read);
  const result = await runImport({
    client: stub.client,
    projectId: 1,
    records: records(25, () => read++),
    skip: 0,
    scope: 'labelform-import=abc',
    runId: 'r1',
    batchSize: 10,
    maxBatchBytes: 1 << 20,
  });
  assert.equal(
    { tasks: result.tasks, batches: result.batches, records: result.records },
    { tasks: 25, batches: 3, records: 25 },
  );
  assert.is(stub.maxOpen, 1, 'never two import requests open at once');
  assert.equal(
    stub.posts.map((p) => p.size),
    [10, 10, 5],
  );
  // While batch 1 is stored, batch 2 is read whole (and the first record of batch 3, which is what
  // ends a batch), and no more: it is sent when batch 1 has answered.
  assert.equal(
    stub.posts.map((p) => [p.readBefore, p.readAtAnswer]),
    [
      [11, 21],
      [21, 25],
      [25, 25],
    ],
  );
  assert.equal(stub.counts, ['labelform-import=abc batch=r1.'], 'one count, of every task this run sent');
  assert.equal(stub.stored.slice(9, 11), [
    'labelform-import=abc batch=r1.1 item=9',
    'labelform-import=abc batch=r1.2 item=10',
  ]);
});

test('a batch the server refuses stops the import: nothing after it is sent, and the error is the server’s', async () => {
  let read = 0;
  const stub = stubServer(() => read);
  let calls = 0;
  stub.answer = async () => {
    if (++calls === 2) throw new ApiError('http', 'POST', '/api/projects/1/import', 400, 'bad task', undefined);
  };
  const committed: number[] = [];
  const error = await runImport({
    client: stub.client,
    projectId: 1,
    records: records(50, () => read++),
    skip: 0,
    scope: 'labelform-import=abc',
    runId: 'r3',
    batchSize: 10,
    maxBatchBytes: 1 << 20,
    onCommitted: (p) => {
      committed.push(p.batches);
    },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, ApiError);
  assert.match((error as ApiError).message, /bad task/);
  assert.is(stub.posts.length, 2, 'batch 3 is never sent');
  assert.equal(committed, [1], 'only batch 1 is recorded as committed');
  assert.ok(read <= 31, `reading stops at the failure (read ${read})`);
});

test.run();
