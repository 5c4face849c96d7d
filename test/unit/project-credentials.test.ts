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
import { projectToManifest } from '../../src/kinds/project/to-manifest.ts';
import type { LsProject } from '../../src/api/types.ts';
import { clearSecrets } from '../../src/util/redact.ts';
import { projectYaml, type CliResult } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';
import { filesHoldingSecrets } from '../helpers/secret-scan.ts';
import { cleanupTrees, load, ROOT_CONFIG } from './support/validate-fixtures.ts';

const fake = useFakeCli(test, { namespace: 'test' });
const cli = (dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> => fake.cli(dir, args, { env });

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
  const r = await load({
    'labelform.yaml': ROOT_CONFIG,
    'a.yaml': projectYaml('a', `  title: Links\n  description: |\n    Files are at\n    ${USERINFO} and\n    alerts go to ${SLACK}.\n  expert_instruction: "Read https://docs.example.com/guide?access_token=${TOKEN} first"\n`),
    'b.yaml': projectYaml('b', `  title: ${USERINFO}\n  label_config: |\n    <View>\n      <Image name="img" value="https://cdn.example.com/a.png?token=tok-img-4455"/>\n    </View>\n`),
    'c.yaml': projectYaml('c', '  title: From a file\n  label_config:\n    file: ./c.xml\n'),
    'c.xml': '<View>\n  <HyperText name="h" value="$html"/>\n  <Header value="see https://u:p4ssw0rd99@wiki.example.com/page"/>\n</View>\n',
    'l.yaml': 'apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: shared\nspec:\n  label_config: |\n    <View>\n      <Image name="i" value="https://x.example.com/i.png?page=1&amp;api_key=k3y-998877"/>\n    </View>\n',
    'd.yaml': projectYaml('d', '  title: Refers\n  label_config:\n    ref: shared\n'),
    'e.yaml': projectYaml('e', '  title: From env\n  description: "Files at https://bob:${env:PW}@files.example.com/x"\n  expert_instruction: ${env:INSTR}\n  label_config: |\n    <View>\n      <Image name="img" value="${env:IMG_URL}"/>\n      <Text name="t" value="$text"/>\n    </View>\n'),
    'f.yaml': projectYaml('f', '  title: Clean\n  description: See https://files.example.com/x?page=2 for the guide.\n'),
  }, { env: { PW: 'envpass123', INSTR: `https://docs.example.com/?access_token=${TOKEN}`, IMG_URL: 'https://cdn.example.com/a.png?token=tok-img-4455' } });
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

test.run();
