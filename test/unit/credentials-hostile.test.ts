/**
 * The credential rule on hostile text (a pull request's manifest, a server's answer): every
 * function runs once over its input. The sizes are ones the quadratic versions took minutes on
 * (50,000 `)` took 28 s, 25,000 Slack path segments 4.8 s) and the linear ones a fraction of a
 * second, so a regression ends in the suite's timeout; what is asserted is the output.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findUrlCredentials, maskUrlCredentials, maskUrlsInText } from '../../src/util/credentials.ts';
import { clearSecrets, redact, registerSecret, showUrl } from '../../src/util/redact.ts';

test('a link followed by 500,000 `)`: the parentheses are counted once, and none of them is the link', () => {
  const closing = ')'.repeat(500_000);
  assert.equal(redact(`http://a/${closing}`), `http://a/${closing}`);
  assert.equal(maskUrlsInText(`(see https://u:p@h/x_(y)${closing}.`), `(see https://(sensitive)@h/x_(y)${closing}.`);
  // Balanced parentheses inside the link stay in it; the ones after it do not.
  const inside = '()'.repeat(250_000);
  assert.equal(maskUrlsInText(`https://u:p@h/${inside}))`), `https://(sensitive)@h/${inside}))`);
});

test('a Slack webhook URL with 250,000 secret path segments is masked in one pass', () => {
  const url = `https://hooks.slack.com/services/${'a/'.repeat(250_000)}`;
  const masked = `https://hooks.slack.com/services/${'(sensitive)/'.repeat(250_000)}`;
  assert.equal(findUrlCredentials(url).length, 250_000);
  assert.equal(maskUrlCredentials(url), masked);
  assert.equal(showUrl(url), masked);
  assert.equal(redact(`url: ${url}`), `url: ${masked}`);
});

test('200,000 credential query parameters are masked in one pass', () => {
  const url = `https://x/?${'token=abcdefghij&'.repeat(200_000)}`;
  assert.equal(maskUrlCredentials(url), `https://x/?${'token=(sensitive)&'.repeat(200_000)}`);
});

test('1 MB of text that only nearly holds links and headers goes through redact unchanged', () => {
  registerSecret('abcdefgh123');
  try {
    for (const text of [
      `https://${"'".repeat(1_000_000)}`,
      `https://${'"a'.repeat(500_000)}`,
      `http://${'\\"'.repeat(500_000)}`,
      `http://${'"\\'.repeat(500_000)}`,
      "http://'".repeat(125_000),
      `X-Api-Key:${' '.repeat(1_000_000)}!`,
      `${'a'.repeat(1_000_000)}:`,
      'a: '.repeat(330_000),
      'abcdefgh12'.repeat(100_000),
      `https://${':1'.repeat(500_000)}x/`,
    ]) {
      assert.equal(redact(text), text, text.slice(0, 20));
    }
  } finally {
    clearSecrets();
  }
});

test.run();
