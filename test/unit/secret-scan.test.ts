/**
 * The on-disk half of "secrets never show" in the test run itself: a file holding a secret of
 * the run is found (and named, the secret not), and removeTree refuses to hide it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { removeTree, writeTree } from '../helpers/files.ts';
import { filesHoldingSecrets, testRunSecrets } from '../helpers/secret-scan.ts';

test('filesHoldingSecrets names the files that hold a secret, in any folder, and nothing else', async () => {
  const secret = 'tok-0123456789abcdef';
  const dir = await writeTree({
    'clean.yaml': 'title: fine\n',
    'deep/plan.json': `{"token": "${secret}"}`,
    'deep/empty.txt': '',
  });
  try {
    const found = await filesHoldingSecrets(dir, [secret]);
    assert.equal(
      found.map((f) => f.slice(dir.length + 1)),
      ['deep/plan.json'],
    );
    assert.equal(await filesHoldingSecrets(dir, []), []);
  } finally {
    await removeTree(dir);
  }
});

test('removeTree fails when a file it removes holds the test server token; the message does not show it', async () => {
  const saved = process.env.LABELFORM_TEST_LS_TOKEN;
  const token = 'test-token-abcdef123456';
  process.env.LABELFORM_TEST_LS_TOKEN = token;
  try {
    assert.equal(testRunSecrets(), [
      token,
      ...(process.env.LABELFORM_TEST_LS_PASSWORD ? [process.env.LABELFORM_TEST_LS_PASSWORD] : []),
    ]);
    const dir = await writeTree({ 'pulled/project.yaml': `description: ${token}\n` });
    const err = await removeTree(dir).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err, 'removeTree threw');
    assert.match(err.message, /files written during the test hold a secret of the test run: .*pulled\/project\.yaml/);
    assert.not.match(err.message, new RegExp(token));
  } finally {
    if (saved === undefined) delete process.env.LABELFORM_TEST_LS_TOKEN;
    else process.env.LABELFORM_TEST_LS_TOKEN = saved;
  }
});

test.run();
