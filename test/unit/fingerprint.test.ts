/**
 * fingerprintValue hashes the canonical JSON in pieces (a digest of 10,000 projects never holds the
 * whole text): the hash must be that of the whole text, whatever the size and the characters.
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson, fingerprintValue } from '../../src/util/fingerprint.ts';

const wholeText = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

test('canonical JSON: keys sorted, undefined members left out, undefined items null', () => {
  assert.is(canonicalJson({ b: 1, a: [undefined, null, 'x'], c: undefined }), '{"a":[null,null,"x"],"b":1}');
  assert.is(canonicalJson(undefined), 'null');
  assert.is(canonicalJson('é\u{1F600}'), '"é\u{1F600}"');
});

test('a value far larger than one piece hashes as its whole canonical text', () => {
  const value = {
    z: 'x'.repeat(150_000),
    projects: Array.from({ length: 3000 }, (_, i) => ({
      key: `p-${i}`,
      title: `Ünïcode ${'\u{1F600}'.repeat(i % 5)}`,
    })),
  };
  const text = canonicalJson(value);
  assert.ok(text.length > 4 * 64 * 1024, `${text.length} characters`);
  assert.is(fingerprintValue(value), wholeText(text));
  // The text itself, pinned by its start: sorted keys.
  assert.ok(text.startsWith('{"projects":[{"key":"p-0","title":"Ünïcode "}'));
});

test('small values hash as their canonical text', () => {
  for (const v of [null, 0, 'a', [1, [2]], { a: { c: 1, b: 2 } }])
    assert.is(fingerprintValue(v), wholeText(canonicalJson(v)));
  assert.is(fingerprintValue('#FFFFFF'), wholeText('"#FFFFFF"'));
});

test.run();
