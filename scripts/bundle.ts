/**
 * Builds the bundle the GitHub Action and the GitLab recipe run (`npm run bundle`), committed in
 * action-dist/ so that a job needs only `node`: no `npm ci`, no TypeScript build.
 *
 *   action-dist/cli/labelform.mjs   the CLI (src/cli/bin.ts) and every dependency in one ES module
 *                                   (one file: splitting the commands into chunks loaded on use
 *                                   measured no faster to start, and a change would rename chunks)
 *   action-dist/cli/licenses.txt    the licence of every package bundled in it
 *   action-dist/playwright-core/    playwright-core as published on npm, less its trace viewer and
 *                                   tools: it reads its own package.json and files next to its code
 *                                   (`__dirname`), so it is shipped as files, not bundled
 *
 * esbuild (already in the dependency tree through tsx) rather than @vercel/ncc: it bundles ES
 * modules to one ES module, and its output is deterministic (same sources,
 * same bytes; test/unit/action-bundle.test.ts rebuilds and compares).
 *
 * The bundle sits two folders below the repository root, as dist/cli/bin.js does, so the paths
 * src/ resolves from `import.meta.url` (`../../schemas/`, `../../package.json`) find the checkout's
 * schemas and version: the action's checkout and the GitLab recipe's clone have both.
 *
 *   tsx scripts/bundle.ts            write action-dist/
 *   tsx scripts/bundle.ts DIR        write the bundle into DIR instead (the staleness test)
 */
import { chmod, cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE_DIR = join(ROOT, 'action-dist');
/** The CLI's entry in the bundle, relative to the repository root (what action.yml runs). */
export const BUNDLE_ENTRY = 'action-dist/cli/labelform.mjs';

/** What is copied of node_modules/playwright-core: the runtime, its licences, no trace viewer (lib/vite) or CLI tools (lib/tools). */
const PLAYWRIGHT_FILES = [
  'package.json',
  'LICENSE',
  'NOTICE',
  'ThirdPartyNotices.txt',
  'browsers.json',
  'index.js',
  'index.mjs',
  'lib',
];
const PLAYWRIGHT_SKIP = new Set(['lib/vite', 'lib/tools']);

const BANNER = [
  '#!/usr/bin/env -S node --max-semi-space-size=4',
  '// labelform, bundled by `npm run bundle` (scripts/bundle.ts) from src/ and its dependencies. Do not edit: rebuild.',
  // The CommonJS dependencies (ajv, yaml's helpers, ...) call require() for Node's own modules.
  "import { createRequire as __labelformCreateRequire } from 'node:module';",
  'const require = __labelformCreateRequire(import.meta.url);',
].join('\n');

/** Builds the bundle into `outDir` (emptied first). */
export async function bundle(outDir: string = BUNDLE_DIR): Promise<void> {
  const out = resolve(outDir);
  await rm(out, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    // Its compiler options shape the output (strict mode adds "use strict" to each wrapped module).
    tsconfig: join(ROOT, 'tsconfig.json'),
    entryPoints: { labelform: 'src/cli/bin.ts' },
    outdir: join(out, 'cli'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // Readable, so a reviewer can read what the action runs and a stack trace names real functions.
    minify: false,
    legalComments: 'eof',
    banner: { js: BANNER },
    logLevel: 'warning',
    // Nothing about the machine that built it goes into the output.
    sourcemap: false,
    // Kept in memory only: which packages went in, for licenses.txt.
    metafile: true,
    plugins: [
      {
        name: 'playwright-core-beside-the-bundle',
        setup(b) {
          // `import('playwright-core')` in src/preview/browser.ts loads the copy shipped beside the bundle.
          b.onResolve({ filter: /^playwright-core$/ }, () => ({
            path: '../playwright-core/index.mjs',
            external: true,
          }));
        },
      },
      {
        name: 'no-dev-only-optional-peers',
        setup(b) {
          // debug's optional peer: only dev tools (dependency-cruiser's chalk) put it in node_modules,
          // and the CLI never depends on it; left a runtime require, as when it is not installed.
          b.onResolve({ filter: /^supports-color$/ }, () => ({ path: 'supports-color', external: true }));
        },
      },
    ],
  });
  if (result.errors.length) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  await chmod(join(out, 'cli', 'labelform.mjs'), 0o755);
  // GitHub folds generated files in a pull request's diff.
  await writeFile(join(out, '.gitattributes'), '** linguist-generated=true\n');
  await writeFile(join(out, 'cli', 'licenses.txt'), await licenses(Object.keys(result.metafile.inputs)));

  const source = join(ROOT, 'node_modules', 'playwright-core');
  const dest = join(out, 'playwright-core');
  await mkdir(dest, { recursive: true });
  for (const name of PLAYWRIGHT_FILES) {
    await cp(join(source, name), join(dest, name), {
      recursive: true,
      filter: (src) => !PLAYWRIGHT_SKIP.has(relative(source, src)),
    });
  }
}

/** The name, version, licence and licence text of each package an input of the bundle comes from. */
async function licenses(inputs: string[]): Promise<string> {
  const roots = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) roots.add(m[1]!);
  }
  const entries: string[] = [];
  for (const root of [...roots].sort()) {
    const pkg = JSON.parse(await readFile(join(ROOT, root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = (await readdir(join(ROOT, root))).sort().find((n) => /^licen[cs]e/i.test(n));
    const text = file ? (await readFile(join(ROOT, root, file), 'utf8')).trim() : '(no licence file in the package)';
    entries.push(`${pkg.name}@${pkg.version} (${pkg.license ?? 'no licence field'})\n\n${text}\n`);
  }
  return `Packages bundled in labelform.mjs (scripts/bundle.ts); playwright-core beside it keeps its own files.\n\n${entries.join('\n-----\n\n')}`;
}

/** Every file under `dir` with its bytes and executable bit, by path relative to `dir`. */
export async function snapshot(dir: string): Promise<Map<string, { bytes: Buffer; executable: boolean }>> {
  const files = new Map<string, { bytes: Buffer; executable: boolean }>();
  const walk = async (sub: string): Promise<void> => {
    for (const entry of (await readdir(join(dir, sub), { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else
        files.set(rel, {
          bytes: await readFile(join(dir, rel)),
          executable: ((await stat(join(dir, rel))).mode & 0o111) !== 0,
        });
    }
  };
  await walk('');
  return files;
}

/** The differences between two bundle directories, one line each; empty when identical. */
export async function compareBundles(expected: string, actual: string): Promise<string[]> {
  const [a, b] = [await snapshot(expected), await snapshot(actual)];
  const diffs: string[] = [];
  for (const [path, file] of a) {
    const other = b.get(path);
    if (!other) diffs.push(`${path}: missing`);
    else if (!file.bytes.equals(other.bytes)) diffs.push(`${path}: differs`);
    else if (file.executable !== other.executable) diffs.push(`${path}: executable bit differs`);
  }
  for (const path of b.keys()) if (!a.has(path)) diffs.push(`${path}: not expected`);
  return diffs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : BUNDLE_DIR;
  const started = Date.now();
  await bundle(outDir);
  const files = await snapshot(outDir);
  let size = 0;
  for (const f of files.values()) size += f.bytes.length;
  const own = [...files].filter(([p]) => p.startsWith('cli/')).reduce((n, [, f]) => n + f.bytes.length, 0);
  console.log(
    `wrote ${relative(process.cwd(), outDir) || '.'}: ${files.size} files, ${(size / 1e6).toFixed(1)} MB (cli/ ${(own / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
