/**
 * `preview --publish-branch`: images committed to a branch of the remote with git plumbing (the
 * work tree, index and current branch untouched); two runs publishing at once both land; and
 * `plan --previews` turns the summary into Markdown (inline images when published).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { previewLinks, previewMarkdown } from '../../src/preview/plan-links.ts';
import { publishToBranch } from '../../src/preview/publish-branch.ts';
import type { PreviewSummary } from '../../src/preview/report.ts';
import { isUserError } from '../../src/util/errors.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lf-publish-'));
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

function repoWithRemote(name: string): { work: string; remote: string } {
  const remote = join(scratch, `${name}.git`);
  const work = join(scratch, name);
  git(scratch, 'init', '-q', '--bare', remote);
  git(scratch, 'init', '-q', '-b', 'main', work);
  writeFileSync(join(work, 'README'), 'hello\n');
  git(work, 'add', 'README');
  git(work, 'commit', '-q', '-m', 'first');
  git(work, 'remote', 'add', 'origin', remote);
  git(work, 'push', '-q', 'origin', 'main');
  return { work, remote };
}

function images(dir: string, names: string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const n of names) writeFileSync(join(dir, n), `png of ${n} in ${dir}`);
}

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('images land on the branch in their folder, with URLs; the work tree and current branch are untouched', async () => {
  const { work, remote } = repoWithRemote('one');
  const out = join(scratch, 'out-one');
  images(out, ['a.compare.png', 'a.after.png']);
  writeFileSync(join(work, 'dirty.txt'), 'uncommitted\n');
  const urls = await publishToBranch({
    cwd: work,
    outDir: out,
    files: ['a.compare.png', 'a.after.png'],
    branch: 'labelform-previews',
    remote: 'origin',
    folder: 'pr-7/abc123',
    urlBase: 'https://github.com/acme/labels/raw/labelform-previews',
    env: process.env,
  });
  assert.equal(urls, {
    'a.compare.png': 'https://github.com/acme/labels/raw/labelform-previews/pr-7/abc123/a.compare.png',
    'a.after.png': 'https://github.com/acme/labels/raw/labelform-previews/pr-7/abc123/a.after.png',
  });
  assert.equal(git(remote, 'ls-tree', '-r', '--name-only', 'labelform-previews').split('\n'), [
    'pr-7/abc123/a.after.png',
    'pr-7/abc123/a.compare.png',
  ]);
  assert.is(git(remote, 'show', 'labelform-previews:pr-7/abc123/a.after.png'), `png of a.after.png in ${out}`);
  assert.is(git(work, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  assert.is(git(work, 'status', '--porcelain'), '?? dirty.txt');
  assert.is(readFileSync(join(work, 'dirty.txt'), 'utf8'), 'uncommitted\n');
});

test('two runs publishing at once both land (the losing push is rebuilt on the new tip); earlier folders stay', async () => {
  const { work, remote } = repoWithRemote('race');
  const runs = Array.from({ length: 4 }, (_, i) => {
    const out = join(scratch, `out-race-${i}`);
    images(out, [`p${i}.compare.png`]);
    return publishToBranch({
      cwd: work,
      outDir: out,
      files: [`p${i}.compare.png`],
      branch: 'previews',
      remote: 'origin',
      folder: `pr-${i}/sha${i}`,
      urlBase: 'https://x/raw/previews',
      env: process.env,
    });
  });
  await Promise.all(runs);
  assert.equal(git(remote, 'ls-tree', '-r', '--name-only', 'previews').split('\n').sort(), [
    'pr-0/sha0/p0.compare.png',
    'pr-1/sha1/p1.compare.png',
    'pr-2/sha2/p2.compare.png',
    'pr-3/sha3/p3.compare.png',
  ]);
});

test('a remote that cannot be reached is one clear error, without the credentials of its URL', async () => {
  const { work } = repoWithRemote('bad');
  git(work, 'remote', 'add', 'broken', 'https://user:s3cr3t-token@127.0.0.1:9/nothing.git');
  const out = join(scratch, 'out-bad');
  images(out, ['x.png']);
  const err = await publishToBranch({
    cwd: work,
    outDir: out,
    files: ['x.png'],
    branch: 'previews',
    remote: 'broken',
    folder: 'f',
    urlBase: 'https://x',
    env: process.env,
  }).catch((e: unknown) => e);
  assert.ok(isUserError(err));
  assert.match((err as Error).message, /^--publish-branch previews: git fetch to broken failed/);
  assert.not.match((err as Error).message, /s3cr3t-token/);
});

test('plan --previews: published images inline, otherwise the file in the artifact; errors and unchanged configs', async () => {
  const dir = join(scratch, 'summary');
  mkdirSync(dir, { recursive: true });
  const base = { file: 'p.xml', controls: [], labelsNotShown: [], findings: [], task: 'sample' };
  const summary: PreviewSummary = {
    version: 1,
    editor: 'the server at http://ls',
    base: 'git:origin/main',
    results: [
      {
        ...base,
        name: 'ner',
        status: 'changed',
        images: { before: 'ner.before.png', after: 'ner.after.png', sideBySide: 'ner.compare.png' },
        visual: { changed: true, regions: [{ x: 1, y: 2, width: 3, height: 4 }] },
      },
      {
        ...base,
        name: 'spaces',
        status: 'changed',
        images: { before: 's.before.png', after: 's.after.png', sideBySide: 's.compare.png' },
        visual: { changed: false, regions: [] },
      },
      {
        ...base,
        name: 'broken',
        status: 'error',
        images: { after: 'b.after.png' },
        error: 'Attribute choice of tag <Choices> has invalid type',
      },
      { ...base, name: 'same', status: 'unchanged', images: {} },
    ],
    published: {
      branch: 'previews',
      urls: { 'ner.compare.png': 'https://github.com/a/b/raw/previews/pr-1/x/ner.compare.png' },
    },
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  const warnings: string[] = [];
  const links = await previewLinks('summary', scratch, (m) => warnings.push(m));
  assert.match(
    links.get('ner')!,
    /!\[ner: before and after, 1 changed region outlined\]\(https:\/\/github\.com\/a\/b\/raw\/previews\/pr-1\/x\/ner\.compare\.png\)/,
  );
  assert.is(
    links.get('spaces'),
    "**Preview** (before and after: no visible change): `summary/s.compare.png`, in the run's preview artifact",
  );
  assert.match(
    links.get('broken')!,
    /❌ Label Studio's editor cannot draw this config: Attribute choice of tag &lt;Choices&gt; has invalid type/,
  );
  assert.is(links.has('same'), false);
  // The step summary: each config with its labels added, its warnings and its image.
  const md = previewMarkdown(
    {
      ...summary,
      results: [
        {
          ...summary.results[0]!,
          controls: [
            { control: 'label', type: 'Labels', change: 'changed', labelsAdded: ['Product'], labelsRemoved: [] },
          ],
          findings: [
            {
              code: 'config-hotkey-clash',
              message: 'hotkey "p" of <Label value="Product"> is also the hotkey of <Label value="Person"> on line 3',
              line: 4,
              col: 5,
              element: '<Label>',
            },
          ],
        },
      ],
    },
    'summary',
  );
  assert.match(
    md,
    /^### labelform preview\n\nDrawn by Label Studio's editor from the server at http:\/\/ls; before: `git:origin\/main`\./,
  );
  assert.match(
    md,
    /#### `ner` · changed\n\n- `<Labels name="label">` changed: added `Product`\n- ⚠️ `p\.xml:4` hotkey "p" of &lt;Label value="Product"&gt;/,
  );
  assert.match(md, /!\[ner: before and after, 1 changed region outlined\]/);
  // No previews (the preview step failed): a warning, and the plan goes on without them.
  assert.equal((await previewLinks('nowhere', scratch, (m) => warnings.push(m))).size, 0);
  assert.equal(warnings, [
    '--previews nowhere: no summary.json there (did `labelform preview --out nowhere` run?); the plan shows no previews',
  ]);
  writeFileSync(join(dir, 'summary.json'), '{"version": 7}');
  const wrong = await previewLinks('summary', scratch, () => {}).catch((e: unknown) => e);
  assert.match((wrong as Error).message, /^--previews summary: .*summary\.json is not a labelform preview summary/);
});

test.run();
