import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeTree } from '../helpers/cli.ts';
import { api, cli, resetServer } from './support.ts';

const client = api();

test.before(async () => {
  await resetServer(client);
});

test('every template the server ships, as a project; pull --all; apply the adoptions; plan: no changes', async () => {
  const templates = await client.templates();
  assert.ok(templates.length >= 50, `the server ships ${templates.length} templates`);
  const ids: number[] = [];
  for (const [i, t] of templates.entries()) {
    const title = `${String(i + 1).padStart(2, '0')} ${t.title}`.slice(0, 50);
    ids.push(
      (
        await client.createProject({
          title,
          label_config: t.config,
          description: `From the "${t.group ?? ''}" template group.`,
        })
      ).id,
    );
  }
  // Some settings changed away from their defaults, as a team would have done in the UI.
  await client.updateProject(ids[0]!, {
    color: '#123456',
    maximum_annotations: 3,
    expert_instruction: '<p>Be <b>careful</b> <img src=x onerror=alert(1)></p>',
    show_skip_button: false,
  });
  await client.updateProject(ids[1]!, { sampling: 'Uniform sampling', pinned_at: '2026-01-02T03:04:05.123456+02:00' });

  const dir = await writeTree({});
  const pulled = await cli(dir, ['pull', '--all', '--namespace', 'templates']);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.match(pulled.stdout, new RegExp(`Pulled ${templates.length} project\\(s\\)`));

  const validated = await cli(dir, ['validate']);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);

  const plan = JSON.parse((await cli(dir, ['plan', '--json'])).stdout);
  assert.is(plan.summary.errors, 0, JSON.stringify(plan.diagnostics, null, 2));
  assert.is(plan.summary.adopt, templates.length);
  assert.is(plan.summary.create + plan.summary.update, 0);
  const withFieldChanges = plan.changes.filter((c: { fields: unknown[] }) => c.fields.length > 0);
  assert.equal(withFieldChanges, [], 'after pull, plan shows nothing but the adoptions');

  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, new RegExp(`${templates.length} adopted`));
  const again = await cli(dir, ['plan', '--detailed-exitcode']);
  assert.is(again.code, 0, again.stdout + again.stderr);

  // A pulled manifest holds the changed settings and not the defaults.
  const first = plan.changes.find((c: { id: number }) => c.id === ids[0]);
  const yaml = await readFile(join(dir, first.key, 'project.yaml'), 'utf8');
  assert.match(yaml, /color: "#123456"/);
  assert.match(yaml, /maximum_annotations: 3/);
  assert.match(yaml, /show_skip_button: false/);
  assert.not.match(yaml, /sampling:/);
  assert.match(yaml, /import:\n {2}id: \d+/);
});

test.run();
