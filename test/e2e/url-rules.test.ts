/**
 * The URL rule of validate against the real server: every webhook URL that `webhook-url` refuses,
 * Label Studio refuses too (400), and every one it takes, Label Studio takes (the server runs with
 * SSRF protection off here, so its URL field's own validator is what answers).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError } from '../../src/api/errors.ts';
import { urlProblem } from '../../src/manifest/url-rules.ts';
import { onlyFrom } from '../helpers/applicable.ts';
import { SERVER_TAKES_WEBHOOK_URL, STRICTER_THAN_SERVER } from '../helpers/webhook-urls.ts';
import { api, uniqueNamespace } from './support.ts';

const client = api();

// The table is what 1.23.2 (Django 5.2) answers; 1.17 and 1.20 answer the same. Before 1.17 Django's
// older URL pattern refuses more (a one-digit port: test/contract/webhooks.test.ts).
onlyFrom(
  test,
  '1.17',
  "the URL table of Django's newer URL pattern",
)('webhook URLs: the server takes exactly what validate takes (and the few validate refuses on purpose)', async () => {
  const project = await client.createProject({ title: `URL rules ${uniqueNamespace('u')}` });
  try {
    const answers: Record<string, number> = {};
    for (const url of [...Object.keys(SERVER_TAKES_WEBHOOK_URL), ...STRICTER_THAN_SERVER]) {
      try {
        const hook = await client.http.request<{ id: number }>('POST', '/api/webhooks/', {
          data: { project: project.id, url, is_active: false },
          idempotent: false,
        });
        answers[url] = 201;
        await client.http.request('DELETE', `/api/webhooks/${hook.id}/`);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === undefined) throw err;
        answers[url] = err.status;
      }
    }
    for (const [url, takes] of Object.entries(SERVER_TAKES_WEBHOOK_URL)) {
      assert.is(answers[url], takes ? 201 : 400, `server on ${JSON.stringify(url)}`);
      assert.is(urlProblem('webhook-url', url) === undefined, takes, `validate on ${JSON.stringify(url)}`);
    }
    for (const url of STRICTER_THAN_SERVER) assert.is(answers[url], 201, `server on ${JSON.stringify(url)}`);
  } finally {
    await client.deleteProject(project.id);
  }
});

test.run();
