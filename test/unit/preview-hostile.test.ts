/**
 * What keeps a hostile task or config from exhausting a preview, without a browser: long task
 * values are cut with a note the page shows, lists are shortened, a huge `data:` URL is replaced;
 * index.html links an image too large to inline and lists a bounded number of warnings.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_DATA_URL_CHARS, MAX_ITEMS, MAX_TEXT_CHARS, boundTask } from '../../src/preview/bound-task.ts';
import {
  MAX_HTML_WARNINGS,
  MAX_INLINE_IMAGE_BYTES,
  summaryHtml,
  type PreviewSummary,
} from '../../src/preview/report.ts';
import type { PreviewResult } from '../../src/preview/run.ts';

test('long task values are cut, with a note in the value itself and in the report line', () => {
  const text = 'word '.repeat(400_000); // 2,000,000 characters
  const nospace = 'x'.repeat(1_000_000);
  const { data, cuts } = boundTask(
    {
      text,
      nospace,
      short: 'kept',
      n: 5,
      rows: Array.from({ length: MAX_ITEMS + 500 }, (_, i) => ({ text: `row ${i}` })),
      image: `data:image/png;base64,${'A'.repeat(MAX_DATA_URL_CHARS + 1)}`,
      small: 'data:image/png;base64,AAAA',
    },
    'http://preview.labelform/__labelform/sample.png',
  );
  assert.is(String(data.text).slice(0, MAX_TEXT_CHARS), text.slice(0, MAX_TEXT_CHARS));
  assert.ok(String(data.text).length < MAX_TEXT_CHARS + 200);
  assert.match(String(data.text), /\[… cut by labelform preview: 1,980,000 more characters are not drawn\]$/);
  assert.ok(String(data.nospace).length < MAX_TEXT_CHARS + 200);
  assert.equal([data.short, data.n, data.small], ['kept', 5, 'data:image/png;base64,AAAA']);
  assert.is((data.rows as unknown[]).length, MAX_ITEMS);
  assert.is(data.image, 'http://preview.labelform/__labelform/sample.png');
  assert.equal(cuts, [
    'text: 2,000,000 characters, the first 20,000 drawn',
    'nospace: 1,000,000 characters, the first 20,000 drawn',
    `rows: ${(MAX_ITEMS + 500).toLocaleString('en-US')} items, the first ${MAX_ITEMS.toLocaleString('en-US')} drawn`,
    `image: a data: URL of ${(MAX_DATA_URL_CHARS + 23).toLocaleString('en-US')} characters, replaced by the sample`,
  ]);
  // Nothing to cut: the same values, no note.
  assert.equal(boundTask({ text: 'hi', list: [1, 2] }, 'x'), { data: { text: 'hi', list: [1, 2] }, cuts: [] });
});

test('index.html: an image too large to inline is linked; warnings past the cap are counted, not listed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lf-report-'));
  try {
    writeFileSync(join(dir, 'big.after.png'), Buffer.alloc(MAX_INLINE_IMAGE_BYTES + 1, 1));
    writeFileSync(join(dir, 'small.after.png'), Buffer.from('png'));
    const result = (name: string, image: string, findings: number): PreviewResult => ({
      name,
      file: `${name}.xml`,
      status: 'current',
      images: { after: image },
      controls: [],
      labelsNotShown: Array.from({ length: 2000 }, (_, i) => `Label${i}`),
      findings: Array.from({ length: findings }, (_, i) => ({
        code: 'config-hotkey-clash' as const,
        message: `clash ${i}`,
        line: i + 1,
        col: 1,
        element: '<Label>',
      })),
      task: 'sample',
    });
    const summary: PreviewSummary = {
      version: 1,
      editor: 'test',
      results: [result('big', 'big.after.png', 500), result('small', 'small.after.png', 0)],
    };
    const html = await summaryHtml(summary, dir);
    assert.match(html, /<img alt="big" src="big\.after\.png">/);
    assert.match(html, /<img alt="small" src="data:image\/png;base64,/);
    assert.ok(html.length < 50_000, `${html.length} bytes`);
    assert.is(html.match(/<li>big\.xml:\d+:1: clash/g)?.length, MAX_HTML_WARNINGS);
    assert.match(html, /and 451 more warnings \(summary\.json has them all\)/);
    assert.match(html, /not shown on the page: Label0, .*Label29 and 1970 more/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
