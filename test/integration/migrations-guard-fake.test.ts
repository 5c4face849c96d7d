/**
 * Declared label migrations through the CLI: `validate` refuses a wrong one at file:line:col
 * (exit 1, no stack trace, offline), and `plan` against the fake Label Studio names the migration
 * that would make a refused label removal safe, and no longer refuses it once it is declared.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withMarker } from '../../src/kinds/project/marker.ts';
import { hasStackTrace, projectYaml } from '../helpers/cli.ts';
import { useFakeCli } from '../helpers/fake-cli.ts';

const fake = useFakeCli(test);
const NS = 'test';

const config = (choices: string[]) =>
  `<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text">${choices.map((c) => `<Choice value="${c}"/>`).join('')}</Choices><Choices name="mood" toName="text"><Choice value="Positive"/></Choices></View>`;

const manifest = (migrations = '') =>
  projectYaml('sentiment', `  title: Sentiment\n  label_config: {file: config.xml}\n${migrations}`);

test('validate: a wrong migration is an error at its file:line:col, exit 1, without a server or a stack trace', async () => {
  const dir = await fake.repo({
    'p.yaml': manifest(
      '  migrations:\n    - id: good\n      control: sentiment\n      renamed: {from: Positive, to: Great}\n',
    ),
    'config.xml': config(['Good', 'Negative']),
  });
  const r = await fake.cli(dir, ['validate'], { url: 'http://127.0.0.1:9' });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /p\.yaml:11:37: error: "Great" is not a label of Choices "sentiment" in the new config \(labels: "Good", "Negative"\)/,
  );
  assert.not.ok(hasStackTrace(r.stdout + r.stderr));
  const ok = await fake.repo({
    'p.yaml': manifest(
      '  migrations:\n    - id: good\n      control: sentiment\n      renamed: {from: Positive, to: Good}\n',
    ),
    'config.xml': config(['Good', 'Negative']),
  });
  const valid = await fake.cli(ok, ['validate'], { url: 'http://127.0.0.1:9' });
  assert.is(valid.code, 0, valid.stdout + valid.stderr);
});

test('plan: a removed label in use is refused with the rename to declare; declared, the plan goes through', async () => {
  const p = await fake.client.createProject({
    title: 'Sentiment',
    description: withMarker('', { namespace: NS, key: 'sentiment' }),
    label_config: config(['Positive', 'Negative']),
  });
  const region = (from: string, label: string) => ({
    from_name: from,
    to_name: 'text',
    type: 'choices',
    value: { choices: [label] },
  });
  await fake.client.importTasks(p.id, [
    { data: { text: 'a' }, annotations: [{ result: [region('sentiment', 'Positive'), region('mood', 'Positive')] }] },
    { data: { text: 'b' }, annotations: [{ result: [region('sentiment', 'Positive')] }] },
  ]);

  const refused = await fake.cli(
    await fake.repo({ 'p.yaml': manifest(), 'config.xml': config(['Good', 'Negative']) }),
    ['plan', '--detailed-exitcode'],
  );
  assert.is(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(
    refused.stdout,
    /label "Positive" of Choices "sentiment" is removed but 2 annotations use it; Label Studio's PATCH would accept this and orphan them\. Keep the label, or declare the rename in spec\.migrations: `- \{id: positive-renamed, control: sentiment, renamed: \{from: Positive, to: Good\}\}`, or keep the stored value as the new label's alias \(`<Choice value="Good" alias="Positive"\/>`, no annotation changes\)/,
  );
  assert.not.ok(hasStackTrace(refused.stdout + refused.stderr));

  const declared = await fake.cli(
    await fake.repo({
      'p.yaml': manifest(
        '  migrations:\n    - id: positive-renamed\n      control: sentiment\n      renamed: {from: Positive, to: Good}\n',
      ),
      'config.xml': config(['Good', 'Negative']),
    }),
    ['plan', '--detailed-exitcode'],
  );
  assert.is(declared.code, 2, declared.stdout + declared.stderr);
  assert.match(declared.stdout, /~ update sentiment/);
  assert.not.match(declared.stdout, /orphans-annotations|is removed but/);
  // A migration of another label carries nothing: still refused.
  const other = await fake.cli(
    await fake.repo({
      'p.yaml': manifest(
        '  migrations:\n    - id: neg\n      control: sentiment\n      renamed: {from: Neutral, to: Good}\n',
      ),
      'config.xml': config(['Good', 'Negative']),
    }),
    ['plan'],
  );
  assert.is(other.code, 1, other.stdout + other.stderr);
  assert.match(other.stdout, /label "Positive" of Choices "sentiment" is removed but 2 annotations use it/);
});

test.run();
