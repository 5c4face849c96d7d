import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseProjectField } from '../../src/kinds/project/normalise.ts';

/**
 * [sent, stored] pairs: expert_instruction values PATCHed into a real Label Studio 1.23.2 and
 * what it stored (bleach with Label Studio's allowlist). Normalising the sent value as desired and
 * the stored one as live must give the same text, or plan would never converge.
 */
const CASES = JSON.parse(
  readFileSync(new URL('../fixtures/expert-instruction-ls-1.23.2.json', import.meta.url), 'utf8'),
) as Array<[string, string]>;

for (const [sent, stored] of CASES) {
  test(`expert_instruction converges: ${sent.slice(0, 60)}`, () => {
    assert.is(
      normaliseProjectField('expert_instruction', sent, 'desired'),
      normaliseProjectField('expert_instruction', stored, 'live'),
    );
  });
}

test('a real change still shows as one', () => {
  assert.is.not(
    normaliseProjectField('expert_instruction', '<p>Label cats</p>', 'desired'),
    normaliseProjectField('expert_instruction', '<p>Label dogs</p>', 'live'),
  );
  assert.is.not(
    normaliseProjectField('expert_instruction', '<b>bold</b>', 'desired'),
    normaliseProjectField('expert_instruction', '<i>bold</i>', 'live'),
  );
});

test('the rewrite follows the release: from 1.7 the server sanitises, before it stores the text as sent', () => {
  const sent = '<p onclick="x()">Read <b>carefully</b></p><!-- note -->';
  // 1.23.2 (and an unknown release, taken as new) stores it cleaned: the cleaned text converges.
  for (const release of ['1.23.2', '1.8.2', undefined]) {
    assert.is(
      normaliseProjectField('expert_instruction', sent, 'desired', release),
      normaliseProjectField('expert_instruction', '<p>Read <b>carefully</b></p>', 'live', release),
      String(release),
    );
  }
  // 1.6 stores it as sent: the text as sent converges, and the cleaned one is a change.
  assert.is(
    normaliseProjectField('expert_instruction', sent, 'desired', '1.6.0'),
    normaliseProjectField('expert_instruction', sent, 'live', '1.6.0'),
  );
  assert.is.not(
    normaliseProjectField('expert_instruction', sent, 'desired', '1.6.0'),
    normaliseProjectField('expert_instruction', '<p>Read <b>carefully</b></p>', 'live', '1.6.0'),
  );
});

test.run();
