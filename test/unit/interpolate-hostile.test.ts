/**
 * `${...}` references on hostile text: each `${` with no `}` after it had the reference pattern
 * scan to the end of the string, so 200 KB of `${` took validate 22 s. The sizes below are ones
 * the quadratic version takes minutes on and the linear one a fraction of a second (a regression
 * ends in the suite's timeout); what is asserted is the result, which is the same as before.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolate, replaceReferences, type InterpolationContext } from '../../src/manifest/interpolate.ts';
import { urlProblem } from '../../src/manifest/url-rules.ts';
import { cleanupTrees, withProject, load } from './support/validate-fixtures.ts';

test.after(cleanupTrees);

const ctx: InterpolationContext = { variables: { team: 'ML' }, env: { SITE: 'eu' }, requireEnv: false };
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

test('replaceReferences finds what the reference pattern finds, on every short mix of $, {, } and text', () => {
  const alphabet = ['$', '{', '}', 'a', '$${', '${'];
  const texts: string[] = [''];
  let level = [''];
  for (let len = 1; len <= 4; len++) {
    level = level.flatMap((prefix) => alphabet.map((c) => prefix + c));
    texts.push(...level);
  }
  const mark = (m: string, inner: string | undefined) => `<${m}|${inner ?? '-'}>`;
  for (const text of texts) assert.is(replaceReferences(text, mark), text.replace(REFERENCE, mark), text);
});

test('1 MB of "${" with no "}" is interpolated in one pass, unchanged', () => {
  const text = '${'.repeat(500_000);
  const r = interpolate({ spec: { description: text } }, ctx);
  assert.equal(r.value, { spec: { description: text } });
  assert.equal(r.issues, []);
  // A `$${` in the tail is still a literal `${`, and references before the last `}` still resolve.
  const mixed = `\${var.team} \${env:SITE}}${'$${'.repeat(100_000)}${'${'.repeat(200_000)}`;
  const out = interpolate({ d: mixed }, ctx);
  assert.equal(out.value, { d: `ML eu}${'${'.repeat(100_000)}${'${'.repeat(200_000)}` });
  assert.equal(out.sensitive, ['/d']);
});

test('a URL with 500,000 "${" in its path is judged in one pass', () => {
  assert.is(urlProblem('env-http-url', `http://example.com/${'${'.repeat(500_000)}`), undefined);
  assert.is(urlProblem('env-http-url', `http://\${env:HOST}:\${env:PORT}/${'${'.repeat(500_000)}`), undefined);
});

test('validate: a description of 200,000 "${" is read as text (it took 22 s)', async () => {
  const { lines } = await load(withProject(`  title: Hello\n  description: "${'${'.repeat(200_000)}"\n`));
  assert.equal(lines, []);
});

test.run();
