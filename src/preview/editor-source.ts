import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.ts';

/**
 * Label Studio's labeling editor, as the server's own web app ships it: the files the server
 * serves under `/react-app/` (the app, whose lazy chunk holds the editor) and `/static/` (fonts).
 * Either fetched from a running server (the editor of exactly that server's version) or read
 * from an installed `label-studio` Python package, offline.
 */
export interface EditorSource {
  /** "the server at http://…" or "the label-studio package at /…", for messages. */
  readonly description: string;
  /** A file by its server path (`/react-app/main.js`, `/static/fonts/x.ttf`), or undefined when absent. */
  get(path: string): Promise<EditorFile | undefined>;
}

export interface EditorFile {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.wasm': 'application/wasm',
};

/** Every file is fetched once per run: each page of a run loads the same few megabytes. */
function cached(description: string, load: (path: string) => Promise<EditorFile | undefined>): EditorSource {
  const files = new Map<string, Promise<EditorFile | undefined>>();
  return {
    description,
    get(path) {
      let file = files.get(path);
      if (!file) files.set(path, (file = load(path)));
      return file;
    },
  };
}

/** The editor a running server serves (static files: no token is sent). */
export function serverEditor(url: string, firstTimeoutMs = 60_000): EditorSource {
  const base = url.replace(/\/+$/, '');
  // The first request says whether the server answers at all: it may be given less time.
  let timeoutMs = firstTimeoutMs;
  return cached(`the server at ${base}`, async (path) => {
    const signal = AbortSignal.timeout(timeoutMs);
    timeoutMs = 60_000;
    const res = await fetch(`${base}${path}`, { redirect: 'follow', signal });
    // A file the server does not have is a 404, or a 400 from its manifest-aware static view.
    if (res.status === 404 || res.status === 400) return undefined;
    if (!res.ok) throw new UserError(`could not load the labeling editor from ${base}${path}: HTTP ${res.status}`);
    return {
      body: Buffer.from(await res.arrayBuffer()),
      type: res.headers.get('content-type') ?? TYPES[extname(path)] ?? 'application/octet-stream',
    };
  });
}

/**
 * The editor inside an installed `label-studio` package. `dir` is its `site-packages` directory
 * or the `label_studio` package directory in it.
 */
export function packageEditor(dir: string): EditorSource {
  const pkg = existsSync(join(dir, 'label_studio', 'core')) ? join(dir, 'label_studio') : dir;
  // The web app under web/dist (1.13.1 and later; on 1.13.1 the editor on its own in
  // web/dist/libs/editor), or frontend/dist with the editor in lsf/ (1.8.2).
  const web = resolve(pkg, '..', 'web', 'dist', 'apps', 'labelstudio');
  const frontend = join(pkg, 'frontend', 'dist');
  const app = existsSync(join(web, 'main.js')) ? web : join(frontend, 'react-app');
  const editorDir = existsSync(join(frontend, 'lsf'))
    ? join(frontend, 'lsf')
    : resolve(pkg, '..', 'web', 'dist', 'libs', 'editor');
  if (!existsSync(join(web, 'main.js')) && !existsSync(join(frontend, 'lsf', 'js', 'main.js'))) {
    throw new UserError(
      `${dir}: no Label Studio web app here (looked for ${join(web, 'main.js')} and ${join(frontend, 'lsf', 'js', 'main.js')}); give the site-packages directory of an installed label-studio (1.8 or later)`,
    );
  }
  const roots = (path: string): string[] => {
    if (path.startsWith('/react-app/')) return [join(app, path.slice('/react-app/'.length))];
    if (path.startsWith(STANDALONE_DIR)) return [join(editorDir, path.slice(STANDALONE_DIR.length))];
    if (path.startsWith('/static/'))
      return [
        join(pkg, 'core', 'static_build', path.slice('/static/'.length)),
        join(pkg, 'core', 'static', path.slice('/static/'.length)),
      ];
    return [];
  };
  return cached(`the label-studio package at ${dirname(pkg)}`, async (path) => {
    if (path.includes('..')) return undefined;
    for (const file of roots(path)) {
      const body = await readFile(file).catch(() => undefined);
      if (body) return { body, type: TYPES[extname(file)] ?? 'application/octet-stream' };
    }
    return undefined;
  });
}

/**
 * An installed label-studio found without a server: LABELFORM_EDITOR (a site-packages
 * directory), else the one `python3` imports. Undefined when there is none.
 */
export function findPackageEditor(env: Readonly<Record<string, string | undefined>>): EditorSource | undefined {
  if (env.LABELFORM_EDITOR) return packageEditor(env.LABELFORM_EDITOR);
  for (const python of ['python3', 'python']) {
    const run = spawnSync(python, ['-c', 'import os, label_studio; print(os.path.dirname(label_studio.__file__))'], {
      encoding: 'utf8',
      timeout: 20_000,
      env,
    });
    const dir = run.status === 0 ? run.stdout.trim() : '';
    if (dir && existsSync(dir)) return packageEditor(dir);
  }
  return undefined;
}

/** Where releases before 1.17 serve the editor as a bundle of its own (seen on 1.8.2 and 1.13.1). */
const STANDALONE_DIR = '/label-studio-frontend/';

/**
 * How to load the editor out of the app's bundles: found by reading them, per version. A
 * standalone editor (before 1.17) has no chunks: its script sets `window.LabelStudio` itself.
 */
export interface EditorEntry {
  readonly standalone?: boolean;
  /** `self.webpackChunk<name>`, the array the bundles push their modules into. */
  readonly chunkArray: string;
  /** The scripts the server's page loads first (runtime, shared vendor code, the app). */
  readonly scripts: readonly string[];
  readonly styles: readonly string[];
  /** The lazy chunks holding the editor, and the module that sets `window.LabelStudio`. */
  readonly chunks: readonly number[];
  readonly module: number;
}

/**
 * Whether a source holds an editor preview can load: the web app's runtime (1.17 and later) or a
 * standalone editor (before 1.17). The files read are cached, so loading it later fetches nothing twice.
 */
export async function holdsEditor(source: EditorSource): Promise<boolean> {
  for (const path of ['/react-app/runtime.js', `${STANDALONE_DIR}js/main.js`, `${STANDALONE_DIR}main.js`])
    if (await source.get(path)) return true;
  return false;
}

/**
 * Reads the app's bundles to find how it loads the editor: the app's settings page imports it
 * lazily as `Promise.all([n.e(…), …]).then(n.bind(n, MODULE))`, and the chunk that ends that
 * list assigns `window.LabelStudio`. Nothing version-specific is written down here.
 */
export async function findEditorEntry(source: EditorSource): Promise<EditorEntry> {
  const text = async (path: string) => (await source.get(path))?.body.toString('utf8');
  const [runtime, main] = await Promise.all([text('/react-app/runtime.js'), text('/react-app/main.js')]);
  const unsupported = (why: string) =>
    new UserError(
      `the labeling editor of ${source.description} cannot be loaded for a preview: ${why}; preview supports the web app Label Studio 1.8 and later ship`,
    );
  if (!runtime || !main) {
    // 1.8.2 serves it as js/main.js and css/main.css, 1.13.1 as main.js and main.css.
    for (const [script, css] of [
      ['js/main.js', 'css/main.css'],
      ['main.js', 'main.css'],
    ] as const) {
      if (!(await text(`${STANDALONE_DIR}${script}`))?.includes('LabelStudio')) continue;
      const styles = (await source.get(`${STANDALONE_DIR}${css}`)) ? [`${STANDALONE_DIR}${css}`] : [];
      return {
        standalone: true,
        chunkArray: '',
        scripts: [`${STANDALONE_DIR}${script}`],
        styles,
        chunks: [],
        module: -1,
      };
    }
    throw unsupported(`no /react-app/runtime.js and /react-app/main.js, and no ${STANDALONE_DIR}main.js`);
  }
  const chunkArray = /self\.(webpackChunk\w+)/.exec(runtime)?.[1];
  if (!chunkArray) throw unsupported('the runtime names no chunk array');
  const candidates = new Map<string, { chunks: number[]; module: number }>();
  for (const m of main.matchAll(/Promise\.all\(\[((?:\w+\.e\(\d+\),?)+)\]\)\.then\((\w+)\.bind\(\2,(\d+)\)\)/g)) {
    const chunks = [...m[1]!.matchAll(/\.e\((\d+)\)/g)].map((c) => Number(c[1]));
    candidates.set(`${chunks.join(',')}:${m[3]}`, { chunks, module: Number(m[3]) });
  }
  for (const c of candidates.values()) {
    const last = await text(`/react-app/${c.chunks[c.chunks.length - 1]}.js`);
    if (last?.includes('window.LabelStudio=')) {
      // Chunks the page already loads (the shared vendor chunk) are skipped: their file names differ.
      const present = await Promise.all(
        c.chunks.map(async (id) => ((await source.get(`/react-app/${id}.js`)) ? id : undefined)),
      );
      const vendor = (await source.get('/react-app/vendor.js')) ? ['/react-app/vendor.js'] : [];
      return {
        chunkArray,
        scripts: ['/react-app/runtime.js', ...vendor, '/react-app/main.js'],
        styles: (await source.get('/react-app/main.css')) ? ['/react-app/main.css'] : [],
        chunks: present.filter((id): id is number => id !== undefined),
        module: c.module,
      };
    }
  }
  throw unsupported('no lazy chunk of the app assigns window.LabelStudio');
}
