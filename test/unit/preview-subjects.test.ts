/** Which label configs `preview` draws: every project's and LabelConfig's, never one holding a secret. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subjectsOf } from '../../src/preview/run.ts';
import { cleanupTrees, load, ROOT_CONFIG, projectYaml } from './support/validate-fixtures.ts';

const sharedConfig = (name: string, image: string) =>
  `apiVersion: labelform/v1\nkind: LabelConfig\nmetadata:\n  name: ${name}\nspec:\n  label_config: |\n    <View>\n      <Image name="i" value="${image}"/>\n      <Choices name="c" toName="i"><Choice value="A"/></Choices>\n    </View>\n`;

test('a LabelConfig or project config from ${env:...} is withheld, by name; the others are drawn', async () => {
  const { result } = await load(
    {
      'labelform.yaml': ROOT_CONFIG,
      'plain.yaml': sharedConfig('plain', 'https://x.example.com/i.png'),
      'secret.yaml': sharedConfig('secret', '${env:IMG_URL}'),
      'p.yaml': projectYaml('p', '  title: Uses the secret\n  label_config:\n    ref: secret\n'),
      'q.yaml': projectYaml('q', '  title: Uses the plain one\n  label_config:\n    ref: plain\n'),
    },
    { env: { IMG_URL: 'https://files.example.com/s3cr3t.png' } },
  );
  assert.ok(result.repository, JSON.stringify(result.diagnostics));
  const all = subjectsOf(result.repository, []);
  assert.equal(all.subjects.map((s) => s.name).sort(), ['LabelConfig/plain', 'q']);
  assert.equal(all.withheld.sort(), ['LabelConfig/secret', 'p']);
  assert.not.ok(JSON.stringify(all.subjects).includes('s3cr3t'));
  // Named, a withheld config is said to be withheld, not unknown.
  const named = subjectsOf(result.repository, ['LabelConfig/secret']);
  assert.equal([named.subjects, named.unknown, named.withheld], [[], [], ['LabelConfig/secret']]);
});

test.after(cleanupTrees);
test.run();
