/**
 * Projects under the one credential rule (src/util/credentials.ts): a text field (title,
 * description, expert_instruction, ...) or a label config holding a URL credential written in git
 * (user info, a token parameter, a Slack path) is an error at the credential's own line and
 * column, one from `${env:...}` is not; a live one (made in the UI) is masked in every plan format,
 * the saved plan and drift; pull writes a text as `${env:PROJECT_<KEY>_<FIELD>}` to set and each
 * credential link of a label config as its own reference (the XML inline in project.yaml), and the
 * pulled repository validates, re-plans to zero and holds no credential. Against the in-repo fake.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linksInText, textCredentialErrors } from '../../src/kinds/shared/text-credentials.ts';
import { stripMarker } from '../../src/kinds/project/marker.ts';
import { projectToManifest } from '../../src/kinds/project/to-manifest.ts';
import type { LsProject } from '../../src/api/types.ts';
import { clearSecrets } from '../../src/util/redact.ts';
import { projectYaml, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { filesHoldingSecrets } from '../helpers/secret-scan.ts';
import { cleanupTrees, load, ROOT_CONFIG } from '../unit/support/validate-fixtures.ts';

const fake = useFakeCli(test, { namespace: 'test' });
const cli = (dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  fake.cli(dir, args, { env });

test.after(async () => {
  clearSecrets();
  await cleanupTrees();
});
test.before.each(() => clearSecrets());

const take = 'it is then kept out of plans, logs and saved plans';
const USERINFO = 'https://bob:hunter2pw@files.example.com/x';
const SLACK = 'https://hooks.slack.com/services/T0001/B0001/XXXXsecretXXXX';
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
const SECRETS = ['hunter2pw', 'XXXXsecretXXXX', TOKEN, 'tok-img-4455', 'B0001/XXXX'];

test('validate: a URL credential written in git in a title, a description (a link inside it, block or plain), an instruction or a label config (inline, file, LabelConfig) is an error at the credential; from ${env:...} it passes', async () => {
  const r = await load(
    {
      'labelform.yaml': ROOT_CONFIG,
      'a.yaml': projectYaml(
        'a',
        `  title: Links\n  description: |\n    Files are at\n    ${USERINFO} and\n    alerts go to ${SLACK}.\n  expert_instruction: "Read https://docs.example.com/guide?access_token=${TOKEN} first"\n`,
      ),
      'b.yaml': projectYaml(
        'b',
        `  title: ${USERINFO}\n  label_config: |\n    <View>\n      <Image name="img" value="https://cdn.example.com/a.png?token=tok-img-4455"/>\n    </View>\n`,
      ),
      'c.yaml': projectYaml('c', '  title: From a file\n  label_config:\n    file: ./c.xml\n'),
      'c.xml':
        '<View>\n  <HyperText name="h" value="$html"/>\n  <Header value="see https://u:p4ssw0rd99@wiki.example.com/page"/>\n</View>\n',
      'l.yaml':
        'apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: shared\nspec:\n  label_config: |\n    <View>\n      <Image name="i" value="https://x.example.com/i.png?page=1&amp;api_key=k3y-998877"/>\n    </View>\n',
      'd.yaml': projectYaml('d', '  title: Refers\n  label_config:\n    ref: shared\n'),
      'e.yaml': projectYaml(
        'e',
        '  title: From env\n  description: "Files at https://bob:${env:PW}@files.example.com/x"\n  expert_instruction: ${env:INSTR}\n  label_config: |\n    <View>\n      <Image name="img" value="${env:IMG_URL}"/>\n      <Text name="t" value="$text"/>\n    </View>\n',
      ),
      'f.yaml': projectYaml(
        'f',
        '  title: Clean\n  description: See https://files.example.com/x?page=2 for the guide.\n',
      ),
    },
    {
      env: {
        PW: 'envpass123',
        INSTR: `https://docs.example.com/?access_token=${TOKEN}`,
        IMG_URL: 'https://cdn.example.com/a.png?token=tok-img-4455',
      },
    },
  );
  assert.equal(r.lines, [
    `a.yaml:9:17: secret-literal: description holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `a.yaml:10:51: secret-literal: description holds a credential written in git: its path (a Slack webhook URL's path is its secret). Take the URL from \${env:NAME} (${take})`,
    `a.yaml:11:73: secret-literal: expert_instruction holds a credential written in git: its query parameter access_token. Take it from \${env:NAME} (${take})`,
    `b.yaml:6:22: secret-literal: title holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `b.yaml:9:68: secret-literal: label_config holds a credential written in git: its query parameter token. Take it from \${env:NAME} (${take})`,
    `c.xml:3:32: secret-literal: label_config holds a credential written in git: its user info (before "@"). Take it from \${env:NAME} (${take})`,
    `l.yaml:8:77: secret-literal: label_config holds a credential written in git: its query parameter api_key. Take it from \${env:NAME} (${take})`,
  ]);
  const all = r.lines.join('\n');
  for (const s of [...SECRETS, 'p4ssw0rd99', 'k3y-998877', 'envpass123']) assert.not.ok(all.includes(s), `${s} quoted`);
});

const DESCRIPTION = `Source files: ${USERINFO}\nAlerts: ${SLACK}`;
const INSTRUCTION = `Read https://docs.example.com/guide?access_token=${TOKEN} first`;
const CONFIG =
  '<View>\n  <Image name="img" value="https://cdn.example.com/a.png?token=tok-img-4455"/>\n  <Choices name="c" toName="img"><Choice value="yes"/></Choices>\n</View>';

test('pull: a UI-made project whose description, expert_instruction and label config hold URL credentials is written with ${env:NAME} to set, nothing in clear; the pulled repository validates, plans (adopt) and re-plans to zero', async () => {
  const made = await fake.client.createProject({
    title: 'Made in the UI',
    description: DESCRIPTION,
    expert_instruction: INSTRUCTION,
    label_config: CONFIG,
  });
  const into = await fake.tree({});
  const pulled = await cli(into, ['pull', '--project', String(made.id), '--namespace', 'test']);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.equal(await filesHoldingSecrets(into, SECRETS), [], 'a pulled file holds a credential');
  const entries = await readdir(into, { recursive: true, withFileTypes: true });
  assert.not.ok(
    entries.some((e) => e.name === 'config.xml'),
    'the label config is written inline (an .xml file is not interpolated)',
  );
  const yaml = await readFile(join(entries.find((e) => e.name === 'project.yaml')!.parentPath, 'project.yaml'), 'utf8');
  for (const s of SECRETS) assert.not.ok((pulled.stdout + pulled.stderr).includes(s), `${s} was printed`);
  const toSet = new Map<string, string>();
  for (const m of pulled.stdout.matchAll(/note: (\w+) holds a credential.*?written as \$\{env:(\w+)\}/g))
    toSet.set(m[1]!, m[2]!);
  assert.equal(
    toSet,
    new Map([
      ['description', 'PROJECT_MADE_IN_THE_UI_DESCRIPTION'],
      ['expert_instruction', 'PROJECT_MADE_IN_THE_UI_EXPERT_INSTRUCTION'],
      ['label_config', 'PROJECT_MADE_IN_THE_UI_LABEL_CONFIG_URL'],
    ]),
  );
  assert.match(
    pulled.stdout,
    /note: label_config holds a credential \(its query parameter token\) in https:\/\/cdn\.example\.com\/a\.png\?token=\(sensitive\): written as \$\{env:PROJECT_MADE_IN_THE_UI_LABEL_CONFIG_URL\}/,
  );
  assert.ok(yaml.includes('<Image name="img" value="${env:PROJECT_MADE_IN_THE_UI_LABEL_CONFIG_URL}"/>'), yaml);
  const env = {
    PROJECT_MADE_IN_THE_UI_DESCRIPTION: DESCRIPTION,
    PROJECT_MADE_IN_THE_UI_EXPERT_INSTRUCTION: INSTRUCTION,
    PROJECT_MADE_IN_THE_UI_LABEL_CONFIG_URL: 'https://cdn.example.com/a.png?token=tok-img-4455',
  };
  const validated = await cli(into, ['validate'], env);
  assert.is(validated.code, 0, validated.stdout + validated.stderr);
  const plan = await cli(into, ['plan', '--json'], env);
  assert.is(plan.code, 0, plan.stderr);
  const change = (
    JSON.parse(plan.stdout).changes as Array<{
      kind: string;
      action: string;
      id?: number;
      fields: Array<{ field: string }>;
    }>
  ).find((c) => c.kind === 'Project')!;
  assert.equal([change.action, change.id, change.fields], ['adopt', made.id, []]);
  const applied = await cli(into, ['apply', '--auto-approve'], env);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  for (const s of SECRETS)
    assert.not.ok((plan.stdout + applied.stdout + applied.stderr).includes(s), `${s} was printed`);
  const live = fake.ls.state.projects.get(made.id)!.fields;
  assert.equal(
    [live.expert_instruction, String(live.label_config).trim(), String(live.description).startsWith(DESCRIPTION)],
    [INSTRUCTION, CONFIG, true],
  );
  assert.is((await cli(into, ['plan', '--detailed-exitcode'], env)).code, 0, 're-plans to zero');
  assert.equal(await filesHoldingSecrets(into, SECRETS), []);
});

test('pull: a title holding a URL credential is written as ${env:NAME} and names no directory', async () => {
  const made = await fake.client.createProject({ title: 'https://bob:hunter2pw@f.io/x' });
  const into = await fake.tree({});
  const pulled = await cli(into, ['pull', '--project', String(made.id), '--namespace', 'test']);
  assert.is(pulled.code, 0, pulled.stdout + pulled.stderr);
  assert.not.ok(pulled.stdout.includes('hunter2pw'));
  assert.equal(await filesHoldingSecrets(into, SECRETS), []);
  const entries = await readdir(into, { recursive: true });
  assert.ok(entries.includes(`project-${made.id}`), entries.join(', '));
  assert.not.ok(entries.some((e) => e.includes('hunter2pw')));
  assert.match(
    pulled.stdout,
    new RegExp(
      `note: title holds a credential \\(its user info \\(before "@"\\)\\): written as \\$\\{env:PROJECT_PROJECT_${made.id}_TITLE\\}`,
    ),
  );
});

test('plan: a description, instruction and label config with URL credentials made in the UI are masked in text, Markdown, JSON, --debug, --out and drift; apply from the saved plan puts git back, then nothing to do', async () => {
  const xml =
    '<View>\n  <Image name="img" value="$image"/>\n  <Choices name="c" toName="img"><Choice value="yes"/></Choices>\n</View>';
  const dir = await fake.repo({
    'p.yaml': projectYaml(
      'p',
      `  title: Planned\n  description: Plain words\n  expert_instruction: Be careful\n  label_config: |\n${xml
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    ),
  });
  const applied = await cli(dir, ['apply', '--auto-approve']);
  assert.is(applied.code, 0, applied.stdout + applied.stderr);
  const live = [...fake.ls.state.projects.values()].find((p) => p.fields.title === 'Planned')!;
  // Changed in the UI: links with credentials.
  live.fields.description = String(live.fields.description).replace('Plain words', DESCRIPTION);
  live.fields.expert_instruction = INSTRUCTION;
  live.fields.label_config = CONFIG;
  const out = join(dir, 'plan.json');
  const outputs: string[] = [];
  for (const args of [
    ['plan'],
    ['plan', '--json'],
    ['plan', '--markdown'],
    ['plan', '--debug'],
    ['plan', '--out', out],
    ['drift'],
    ['drift', '--json'],
  ]) {
    const r = await cli(dir, args);
    assert.ok(r.code === 0 || r.code === 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    outputs.push(r.stdout, r.stderr);
  }
  outputs.push(await readFile(out, 'utf8'));
  for (const s of SECRETS)
    assert.not.ok(
      outputs.some((o) => o.includes(s)),
      `${s} was printed or saved`,
    );
  const plan = JSON.parse(outputs.at(-1)!);
  const fields = plan.changes.find((c: { key: string }) => c.key === 'p').fields as Array<{
    field: string;
    before?: string;
  }>;
  assert.equal(
    fields.find((f) => f.field === 'description'),
    {
      field: 'description',
      before:
        'Source files: https://(sensitive)@files.example.com/x\nAlerts: https://hooks.slack.com/services/(sensitive)/(sensitive)/(sensitive)',
      after: 'Plain words',
    },
  );
  assert.equal(
    fields.find((f) => f.field === 'expert_instruction'),
    {
      field: 'expert_instruction',
      before: 'Read https://docs.example.com/guide?access_token=(sensitive) first',
      after: 'Be careful',
    },
  );
  assert.ok(
    fields
      .find((f) => f.field === 'label_config')!
      .before!.includes('value="https://cdn.example.com/a.png?token=(sensitive)"'),
  );
  assert.ok(
    plan.changes
      .find((c: { key: string }) => c.key === 'p')
      .detail.labelConfig.diff.includes(
        '-  <Image name="img" value="https://cdn.example.com/a.png?token=(sensitive)"/>',
      ),
  );
  const fromPlan = await cli(dir, ['apply', out]);
  assert.is(fromPlan.code, 0, fromPlan.stdout + fromPlan.stderr);
  assert.equal(
    [
      live.fields.expert_instruction,
      String(live.fields.label_config).trim(),
      stripMarker(String(live.fields.description)),
    ],
    ['Be careful', xml, 'Plain words'],
  );
  assert.is((await cli(dir, ['plan', '--detailed-exitcode'])).code, 0);
  assert.equal(await filesHoldingSecrets(dir, SECRETS), []);
});

test('to-manifest alone: a label config linking two credential URLs gets one variable each, the rest of the XML as it was; a clean one goes to config.xml', () => {
  const base = { id: 4, title: 'Two links', description: '' } as unknown as LsProject;
  const xml =
    '<View>\n  <Image name="a" value="https://a.example.com/1.png?token=tok-img-4455"/>\n  <Header value="https://u:hunter2pw@b.example.com/"/>\n  <Image name="b" value="$image"/>\n</View>';
  const m = projectToManifest({ ...base, label_config: xml }, 'two');
  assert.is(m.xml, undefined);
  assert.is(
    (m.manifest.spec as Record<string, unknown>).label_config,
    '<View>\n  <Image name="a" value="${env:PROJECT_TWO_LABEL_CONFIG_URL}"/>\n  <Header value="${env:PROJECT_TWO_LABEL_CONFIG_URL_2}"/>\n  <Image name="b" value="$image"/>\n</View>',
  );
  assert.is(m.notes.filter((n) => n.startsWith('label_config holds a credential')).length, 2);
  const clean = projectToManifest(
    { ...base, label_config: '<View>\n  <Image name="b" value="https://a.example.com/1.png?page=2"/>\n</View>' },
    'two',
  );
  assert.equal(
    [clean.xml !== undefined, (clean.manifest.spec as Record<string, unknown>).label_config],
    [true, { file: './config.xml' }],
  );
});

test('a text a pull request wrote to be slow: 200,000 closing parentheses, 20,000 links with a token, each read once', () => {
  // Trimming counted the parentheses again for each one (hours for this text); now one pass.
  assert.equal(linksInText(`see http://a.example.com/x${')'.repeat(200_000)}`), [
    { link: 'http://a.example.com/x', at: 4 },
  ]);
  assert.equal(linksInText('(see http://a.example.com/x_(y)).'), [{ link: 'http://a.example.com/x_(y)', at: 5 }]);
  const lines = Array.from({ length: 20_000 }, (_, i) => `link ${i}: https://h.example.com/p?token=secret${i}xyz`).join(
    '\n',
  );
  const errors = textCredentialErrors(lines, 'description', 'p.yaml', '/spec/description', (line, col) => ({
    line,
    col,
  }));
  assert.is(errors.length, 20_000);
  assert.equal(
    [errors[19_999]!.line, errors[19_999]!.col],
    [20_000, 'link 19999: https://h.example.com/p?token='.length + 1],
  );
});

test.run();
