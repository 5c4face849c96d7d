/**
 * The docs hold together: the generated references under docs/reference/ are what
 * scripts/gen-docs.ts makes from the yargs definitions and the JSON Schemas today, the README stays
 * a page, and every relative link in the README and docs/ leads to a file (and heading) that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GENERATED_DOCS, renderCliReference, renderManifestReference } from '../../scripts/gen-docs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');

/** The first line where two texts differ, for a message that says where to look. */
function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`;
  }
  return 'no line differs';
}

for (const doc of GENERATED_DOCS) {
  test(`${doc.path} is current (run \`npm run docs\` if this fails)`, async () => {
    const path = join(ROOT, doc.path);
    assert.ok(existsSync(path), `${doc.path} is missing: run \`npm run docs\` and commit it`);
    const committed = readFileSync(path, 'utf8');
    const fresh = await doc.render();
    if (committed !== fresh) {
      assert.unreachable(
        `${doc.path} differs from what scripts/gen-docs.ts makes now: run \`npm run docs\` and commit it (${firstDifference(committed, fresh)})`,
      );
    }
  });
}

test('the CLI reference has every command, sub-commands included, with its options', async () => {
  const reference = await renderCliReference();
  for (const command of [
    'validate',
    'status',
    'plan',
    'preview',
    'apply',
    'drift',
    'import',
    'pull',
    'storage sync',
    'tasks import',
    'tasks list',
    'export',
  ]) {
    assert.match(reference, `\n## \`labelform ${command}\`\n`, `a section for labelform ${command}`);
  }
  const tasksImport = reference.split('## `labelform tasks import`')[1]!.split('\n## ')[0]!;
  assert.match(tasksImport, /--batch-size\s+Tasks per request\s+\[number\] \[default: 2500\]/);
  // Wrapped at the fixed width, whatever the terminal running the test.
  for (const line of reference.split('\n'))
    assert.ok(line.length <= 100 || !line.startsWith(' '), `help line over 100 columns: ${line}`);
});

test('the manifest reference has every field of every kind', () => {
  const reference = renderManifestReference();
  const files = readdirSync(join(ROOT, 'schemas')).filter(
    (f) => f.endsWith('.schema.json') && f !== 'plan.schema.json',
  );
  assert.ok(files.length >= 8, 'the manifest schemas');
  for (const file of files) {
    const schema = JSON.parse(read(`schemas/${file}`)) as {
      properties: { kind: { const: string }; spec: { properties?: Record<string, unknown> } };
    };
    assert.match(reference, `[\`schemas/${file}\`](../../schemas/${file})`, `${file} is listed`);
    const section = reference
      .split(
        schema.properties.kind.const === 'Config'
          ? '\n## `labelform.yaml`'
          : `\n## \`${schema.properties.kind.const}\`\n`,
      )[1]
      ?.split('\n## ')[0];
    assert.ok(section, `a section for ${schema.properties.kind.const}`);
    for (const field of Object.keys(schema.properties.spec?.properties ?? {}))
      assert.match(section, `| \`spec.${field}\` |`, `${file}: spec.${field}`);
  }
  assert.match(
    reference,
    '| `spec.sampling` | string |  | `Sequential sampling`, `Uniform sampling`, `Uncertainty sampling` |',
  );
  assert.match(
    reference,
    /\| `metadata\.name` \| string \| yes \| pattern `\^\[a-z0-9\]\[a-z0-9-\]\*\$`; length ≤ 63 \|/,
  );
});

test('the README is one page that points into docs/', () => {
  const readme = read('README.md');
  const lines = readme.split('\n').length;
  assert.ok(lines < 250, `README.md has ${lines} lines; the manual belongs in docs/`);
  assert.match(readme, '```sh\nnpm ci && npm run demo\n```', 'the quick start command');
  assert.match(readme, '```sh\nnpm test\n```', 'the test command');
  for (const page of [
    'manifests',
    'commands',
    'ci',
    'server-versions',
    'behaviour',
    'development',
    'architecture',
    'reference/cli',
    'reference/manifests',
  ]) {
    assert.match(readme, `](docs/${page}.md)`, `README links docs/${page}.md`);
  }
});

/** The anchors GitHub makes for a Markdown file's headings, and the explicit `<a id>`s. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading) {
      const base = heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-');
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      anchors.add(n ? `${base}-${n}` : base);
    }
    for (const m of line.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(m[1]!);
  }
  return anchors;
}

test('every relative link in the README and docs/ leads somewhere', () => {
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const broken: string[] = [];
  for (const page of pages) {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
      const [file, anchor] = target!.split('#');
      const rel = file ? relative(ROOT, normalize(join(ROOT, dirname(page), file))) : page;
      if (!existsSync(join(ROOT, rel))) {
        broken.push(`${page}: ${target} (no ${rel})`);
        continue;
      }
      if (anchor && rel.endsWith('.md') && !anchorsOf(read(rel)).has(anchor))
        broken.push(`${page}: ${target} (no heading #${anchor} in ${rel})`);
    }
  }
  assert.equal(broken, []);
});

test.run();
