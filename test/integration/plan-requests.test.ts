import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '../../src/api/client.ts';
import { runCli } from '../helpers/cli.ts';
import { thousandManagedProjects } from '../helpers/scale.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';

let ls: FakeLabelStudio;
/** The version and the project list: 12 at most. Other kinds are read only when a repository declares them. */
const BUDGET = 12;
let dir: string;

test.before(async () => {
  ls = await startFakeLabelStudio();
  dir = await thousandManagedProjects(ls);
});
test.after(async () => {
  await ls.stop();
});

test('planning 1,000 managed projects makes at most 12 HTTP requests; a loop that GETs each project makes 1,000', async () => {
  ls.resetRequestCount();
  const plan = await runCli(['plan', '--detailed-exitcode', '--json', '-C', dir], {
    env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token },
  });
  assert.is(plan.code, 0, plan.stderr);
  const json = JSON.parse(plan.stdout);
  assert.is(json.summary.noop, 1000);
  assert.ok(ls.requestCount <= BUDGET, `plan made ${ls.requestCount} requests (budget ${BUDGET})`);
  assert.is(json.stats.requests, ls.requestCount, 'the plan reports the requests it made');

  ls.resetRequestCount();
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  for (let id = 1; id <= 1000; id++) await client.getProject(id);
  assert.is(ls.requestCount, 1000);
});

test('one changed project among 1,000: still the same few requests, one update', async () => {
  const client = createClient({ baseUrl: ls.url, token: ls.token });
  await client.updateProject(500, { color: '#FFFFFF' });
  ls.resetRequestCount();
  const plan = JSON.parse(
    (await runCli(['plan', '--json', '-C', dir], { env: { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: ls.token } }))
      .stdout,
  );
  assert.is(plan.summary.update, 1);
  assert.equal(
    plan.changes.find((c: { action: string }) => c.action === 'update').fields.map((f: { field: string }) => f.field),
    ['color'],
  );
  assert.ok(ls.requestCount <= BUDGET, `plan made ${ls.requestCount} requests (budget ${BUDGET})`);
});

test.run();
