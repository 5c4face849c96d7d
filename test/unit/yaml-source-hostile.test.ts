/**
 * parseYamlSource on hostile alias counts: every alias used to be resolved by a walk of the whole
 * document (20,000 aliases: 53 s), and yaml's toJS scans every anchor and alias before each alias.
 * The work is counted (calls to yaml's Alias.resolve), not timed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Alias } from 'yaml';
import { parseYamlSource } from '../../src/manifest/yaml-source.ts';

function countingResolves<T>(run: () => T): { result: T; resolves: number } {
  const original = Alias.prototype.resolve;
  let resolves = 0;
  Alias.prototype.resolve = function (this: Alias, ...args: Parameters<typeof original>) {
    resolves++;
    return original.apply(this, args);
  };
  try {
    return { result: run(), resolves };
  } finally {
    Alias.prototype.resolve = original;
  }
}

/** `k` anchors, then `perAnchor` aliases to each, one flow sequence per anchor. */
function aliasFile(anchors: number, perAnchor: number): string {
  const lines: string[] = [];
  for (let a = 0; a < anchors; a++) lines.push(`n${a}: &a${a} p1`);
  for (let a = 0; a < anchors; a++) lines.push(`x${a}: [${Array(perAnchor).fill(`*a${a}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

test('20,000 aliases of one anchor are refused without resolving each alias', () => {
  const { result, resolves } = countingResolves(() => parseYamlSource(aliasFile(1, 20000), 'm.yaml'));
  assert.equal(result.documents, []);
  assert.equal(
    result.diagnostics.map((d) => d.code),
    ['yaml-aliases'],
  );
  assert.match(result.diagnostics[0]!.message, /^YAML aliases expand too far: /);
  assert.ok(resolves <= 1001, `${resolves} alias resolutions`);
});

test('many anchors each used under the per-anchor limit: refused past the total, at the first alias too many', () => {
  const { result, resolves } = countingResolves(() => parseYamlSource(aliasFile(400, 50), 'm.yaml'));
  assert.equal(result.documents, []);
  assert.equal(result.diagnostics, [
    {
      severity: 'error',
      code: 'yaml-aliases',
      message: 'YAML aliases expand too far: more than 1000 aliases in this document; no manifest needs that many',
      file: 'm.yaml',
      // The 1001st alias: the 21st anchor's list (line 400 + 21), its first alias.
      line: 421,
      col: 7,
    },
  ]);
  assert.ok(resolves <= 1001, `${resolves} alias resolutions`);
});

test('more anchors than any manifest needs are refused at the first one too many (its node)', () => {
  const text = `${Array.from({ length: 1001 }, (_, i) => `k${i}: &a${i} v`).join('\n')}\n`;
  const { diagnostics } = parseYamlSource(text, 'm.yaml');
  assert.equal(
    diagnostics.map((d) => [d.code, d.line, d.col]),
    [['yaml-aliases', 1001, 15]],
  );
  assert.match(diagnostics[0]!.message, /more than 1000 anchors/);
});

test('an unknown alias after 20,000 known ones is still found, at its line:col, without a walk per alias', () => {
  const text = `a: &a 1\nx: [${Array(20000).fill('*a').join(', ')}]\ny: *b\n`;
  const { result, resolves } = countingResolves(() => parseYamlSource(text, 'm.yaml'));
  // Past the total first, in document order: the 1001st alias.
  assert.equal(
    result.diagnostics.map((d) => d.code),
    ['yaml-aliases'],
  );
  assert.ok(resolves <= 1001, `${resolves} alias resolutions`);
  const few = `a: &a 1\nx: [${Array(900).fill('*a').join(', ')}]\ny: *b\n`;
  const counted = countingResolves(() => parseYamlSource(few, 'm.yaml'));
  assert.equal(counted.result.diagnostics, [
    {
      severity: 'error',
      code: 'yaml-unknown-alias',
      message: 'unknown alias *b: no anchor &b is set before it in this document',
      file: 'm.yaml',
      line: 3,
      col: 4,
    },
  ]);
  assert.equal(counted.resolves, 0);
});

test('an anchor set on a collection counts before its own contents, as yaml resolves it; an anchor redefined later is known', () => {
  const ok = parseYamlSource('a: &x 1\nb: &x 2\nc: *x\n', 'm.yaml');
  assert.equal(ok.diagnostics, []);
  assert.equal(ok.documents[0]!.value, { a: 1, b: 2, c: 2 });
});

test.run();
