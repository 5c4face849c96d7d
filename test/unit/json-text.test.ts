/**
 * JSON text kept as the server wrote it: a changed value reuses the original text of every part
 * that did not change (floats spelt `10.0`, key order, integer-like keys), regions matched by id.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseJsonNodes, stringifyLike, topLevelText } from '../../src/util/json-text.ts';

const before =
  '[{"id":"a","value":{"start":0,"end":10.0,"labels":["Org"]},"score":0.50},{"id":"b","value":{"2":1,"labels":["Person"]},"x":1e2}]';

test('an unchanged value is the original text', () => {
  assert.is(stringifyLike(JSON.parse(before), before), before);
});

test('a changed label keeps every other number and key as written', () => {
  const value = JSON.parse(before) as Array<{ value: { labels: string[] } }>;
  value[0]!.value.labels = ['Organization'];
  const out = stringifyLike(value, before);
  assert.equal(JSON.parse(out), value);
  assert.ok(out.includes('"end": 10.0'), out);
  assert.ok(out.includes('"score": 0.50'), out);
  // The untouched region is its original text, integer-like key first as it was stored.
  assert.ok(out.includes('{"id":"b","value":{"2":1,"labels":["Person"]},"x":1e2}'), out);
});

test('regions are matched by id when their order changes; new keys and regions are plain JSON', () => {
  const value = JSON.parse(before) as Array<Record<string, unknown>>;
  const swapped = [{ ...value[1], extra: true }, value[0], { id: 'c', v: 1 }];
  const out = stringifyLike(swapped, before);
  assert.equal(JSON.parse(out), swapped);
  assert.ok(
    out.startsWith('[{"id": "b", "value": {"2":1,"labels":["Person"]}, "x": 1e2, "extra": true}, {"id":"a"'),
    out,
  );
});

test('topLevelText finds a key of the document; bad text is a SyntaxError', () => {
  assert.is(topLevelText('{"id": 1, "result": [ 1.0 ,2], "r": 3}', 'result'), '[ 1.0 ,2]');
  assert.is(topLevelText('{"id": 1}', 'result'), undefined);
  assert.throws(() => parseJsonNodes('{"a": }'), SyntaxError);
  assert.throws(() => parseJsonNodes('[1] x'), SyntaxError);
  assert.equal(JSON.parse(stringifyLike(['é', 'a"b'], '["x"]')), ['é', 'a"b']);
});

test.run();
