/**
 * Label Studio 1.23.2 answers the filtered task list (tasks with annotations or drafts) with HTTP
 * 500 on a project that has no tasks (seen on the real server; test/e2e/drift-attribution.test.ts
 * removes a label from such a project). Counting label use must then say "none", not fail, and
 * must still fail when the project does have tasks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LabelStudioClient } from '../../src/api/client.ts';
import { ApiError } from '../../src/api/errors.ts';
import { readAnnotationUsage } from '../../src/kinds/project/annotation-usage.ts';

function stubClient(total: number): LabelStudioClient {
  return {
    // eslint-disable-next-line require-yield -- a listing that fails when it is read, as the server's does
    async *listTasks() {
      throw new ApiError(
        'http',
        'GET',
        '/api/tasks/?project=5',
        500,
        "Field 'id' expected a number but got ''.",
        undefined,
      );
    },
    listTasksPage: async () => ({ tasks: [], total, total_annotations: 0, total_predictions: 0 }),
  } as unknown as LabelStudioClient;
}

test('a 500 from the filtered list of a project without tasks: no annotations use anything', async () => {
  assert.equal(await readAnnotationUsage(stubClient(0), 5), { annotations: 0, controls: {}, labels: {} });
});

test('a 500 from the filtered list of a project with tasks is still an error', async () => {
  try {
    await readAnnotationUsage(stubClient(3), 5);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, ApiError);
    assert.is((err as ApiError).status, 500);
  }
});

test.run();
