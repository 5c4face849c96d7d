/** The server itself: version, current user, health, templates. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testRelease } from '../helpers/applicable.ts';
import { releaseAtLeast, rawRequest, useTarget } from './target.ts';

const { t, client } = useTarget(test);

test('version: the release under test, Community edition, no auth needed', async () => {
  const v = await client.version();
  assert.is(v.release, testRelease());
  // No edition in the answer of 1.13.1 and older (status then prints none).
  assert.is(v.edition, releaseAtLeast('1.17') ? 'Community' : undefined);
  const anonymous = await rawRequest(t.url, 'GET', '/api/version/');
  assert.is(anonymous.status, 200);
  assert.is(JSON.parse(anonymous.text).release, testRelease());
});

test('whoami: the token owner', async () => {
  const me = await client.whoami();
  assert.type(me.id, 'number');
  assert.match(me.email, '@');
  // `permissions` are in the answer from 1.23 (not on 1.20.0 and older); labelform does not read them.
  if (releaseAtLeast('1.23')) {
    assert.ok(Array.isArray(me.permissions));
    assert.ok((me.permissions as string[]).includes('projects.change'));
  }
  assert.is(me.active_organization, 1);
  const slash = await rawRequest(t.url, 'GET', '/api/current-user/whoami/', {
    headers: { Authorization: `Token ${t.token}` },
  });
  assert.is(slash.status, 404);
  assert.match(String(slash.headers['content-type']), 'text/html');
});

test('health: {"status": "UP"} served as text/html; the root redirects to the login page', async () => {
  for (const path of ['/health/', '/health']) {
    const res = await rawRequest(t.url, 'GET', path);
    assert.is(res.status, 200);
    assert.equal(JSON.parse(res.text), { status: 'UP' });
    assert.match(String(res.headers['content-type']), 'text/html');
  }
  const root = await rawRequest(t.url, 'GET', '/');
  assert.is(root.status, 302);
  assert.is(root.headers.location, '/user/login/');
});

test('every API answer sets a session cookie (a client must not keep it)', async () => {
  const res = await rawRequest(t.url, 'GET', '/api/version/');
  assert.match(String(res.headers['set-cookie']), /^sessionid=/);
});

test('templates: title, type, group, image, details, config (no slug); every config validates', async () => {
  const templates = await client.templates();
  assert.ok(templates.length > 0);
  for (const tpl of templates) {
    for (const key of ['title', 'type', 'group', 'image', 'details', 'config'])
      assert.type(tpl[key], 'string', `${tpl.title}: ${key}`);
    assert.not.ok('slug' in tpl);
  }
  const body = await client.http.request<{ templates: unknown[]; groups: unknown[] }>('GET', '/api/templates/');
  assert.ok(body.groups.length > 0);
  assert.ok(body.groups.every((g) => typeof g === 'string'));
  await Promise.all(templates.map((tpl) => client.validateConfig(tpl.config)));
});

test.run();
