/**
 * pull keeps secret-looking variables' values out of what it writes, but not the session's own
 * variables whose names only look like a credential's: PWD is the working directory (a webhook
 * path or a local-files storage path under it is common), SSH_AUTH_SOCK a socket path.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSecretVariableName } from '../../src/util/credentials.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const NS = 'test';
const fake = useFakeCli(test, { namespace: NS });

test('isSecretVariableName: the credential rule, less the session variables', () => {
  for (const name of ['LS_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'HOOK_API_KEY', 'X_SESSION_TOKEN'])
    assert.ok(isSecretVariableName(name), name);
  for (const name of [
    'PWD',
    'OLDPWD',
    'SSH_AUTH_SOCK',
    'XDG_SESSION_ID',
    'DBUS_SESSION_BUS_ADDRESS',
    'SESSION_MANAGER',
    'GPG_KEY',
    'PATH',
    'HOME',
    'not a name',
  ])
    assert.not.ok(isSecretVariableName(name), name);
});

async function pulledWebhook(url: string, env: Record<string, string>): Promise<string> {
  const project = await fake.client.createProject({ title: `Session paths ${Object.keys(env).join(' ')}` });
  await fake.client.http.request('POST', '/api/webhooks/', {
    data: { project: project.id, url, send_for_all_actions: true },
  });
  const dir = await fake.tree({});
  const pulled = await fake.cli(dir, ['pull', '--project', String(project.id), '--namespace', NS], { env });
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter(
    (e) => e.isFile() && e.name.startsWith('webhook'),
  );
  assert.is(files.length, 1, files.map((f) => f.name).join(', '));
  return readFile(join(files[0]!.parentPath, files[0]!.name), 'utf8');
}

test('pull with PWD and SSH_AUTH_SOCK set: a webhook URL holding their values is written as it is', async () => {
  const text = await pulledWebhook('https://hooks.example.com/srv/labelling-area/hook', {
    PWD: '/srv/labelling-area',
    SSH_AUTH_SOCK: '/hook',
  });
  assert.match(text, /url: https:\/\/hooks\.example\.com\/srv\/labelling-area\/hook\n/);
  assert.not.match(text, /\$\{env:/);
});

test('pull with a secret-looking variable set: its value is never written', async () => {
  const text = await pulledWebhook('https://hooks.example.com/srv/labelling-area/hook', {
    HOOK_TOKEN: 'labelling-area',
  });
  assert.not.ok(text.includes('labelling-area'), text);
  assert.match(text, /\$\{env:HOOK_TOKEN\}/);
});

test.run();
