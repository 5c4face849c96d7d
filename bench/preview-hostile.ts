/**
 * `npm run bench -- 6`: preview of hostile configs, each in a run of its own as a user would start
 * it (the CLI as a child process, the pinned package's editor, Debian Chromium): wall time and
 * the peak proportional set size (PSS) of the whole process tree, sampled every 100 ms from /proc.
 * Then `preview --base` on a repository with 3,000 data files: one `git cat-file --batch` against
 * a `git cat-file` per file (what it did before). Figures only, nothing asserted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function benchPreviewHostile(say: (s: string) => void): Promise<void> {
  const { VENV_DIR } = await import('../scripts/local-label-studio.ts');
  const sitePackages = readdirSync(join(VENV_DIR, 'lib'))
    .map((py) => join(VENV_DIR, 'lib', py, 'site-packages'))
    .find((p) => existsSync(join(p, 'label_studio')))!;
  const env = { LABEL_STUDIO_URL: 'http://127.0.0.1:9', LABELFORM_EDITOR: sitePackages };
  const words: string[] = [];
  for (let i = 0, n = 0; n < 2_000_000; i++) {
    const w = `word${i % 977} lorem${i % 13}`;
    words.push(w);
    n += w.length + 1;
  }
  const configs: Array<[string, string, unknown?]> = [
    [
      '300 <Image> + RectangleLabels (117 KB)',
      `<View>\n${Array.from({ length: 300 }, (_, i) => `  <Image name="img${i}" value="$image${i}"/>\n  <RectangleLabels name="box${i}" toName="img${i}"><Label value="Car${i}" background="#FF5722"/><Label value="Person${i}" background="#2196F3"/></RectangleLabels>`).join('\n')}\n</View>\n`,
    ],
    [
      'a task of 2 MB of text',
      '<View>\n  <Text name="text" value="$text"/>\n  <Labels name="l" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>\n</View>\n',
      { text: words.join(' ').slice(0, 2_000_000) },
    ],
    [
      '1 MB of text with no space',
      '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="c" toName="text"><Choice value="A"/><Choice value="B"/></Choices>\n</View>\n',
      { text: 'x'.repeat(1_000_000) },
    ],
    [
      '2,000 labels of distinct colours',
      `<View>\n  <Text name="text" value="$text"/>\n  <Labels name="l" toName="text">\n${Array.from({ length: 2000 }, (_, i) => `    <Label value="L${i}" background="hsl(${((i * 137.508) % 360).toFixed(1)}, ${50 + (i % 40)}%, ${35 + (i % 30)}%)"/>`).join('\n')}\n  </Labels>\n</View>\n`,
    ],
    [
      'a small config (for scale)',
      '<View>\n  <Text name="text" value="$text"/>\n  <Choices name="c" toName="text"><Choice value="Yes"/><Choice value="No"/></Choices>\n</View>\n',
    ],
  ];
  say(
    '| config | exit | result | wall time | peak PSS, whole tree | index.html | stdout |\n|---|---|---|---|---|---|---|',
  );
  for (const [label, xml, task] of configs) {
    const dir = await mkdtemp(join(tmpdir(), 'lf-bench-hostile-'));
    await writeFile(join(dir, 'labelform.yaml'), 'apiVersion: labelform/v1\nkind: Config\nnamespace: bench\n');
    await mkdir(join(dir, 'p'));
    await writeFile(join(dir, 'p', 'config.xml'), xml);
    if (task) await writeFile(join(dir, 'p', 'tasks.json'), JSON.stringify([task]));
    await writeFile(
      join(dir, 'p', 'project.yaml'),
      `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: hostile\nspec:\n  title: Hostile config\n  label_config: {file: config.xml}\n${task ? 'tasks: [{file: tasks.json}]\n' : ''}`,
    );
    const run = await measured(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'preview', '-C', dir, '--out', join(dir, 'out'), '--json'],
      env,
    );
    let result = 'no summary.json';
    let html = '-';
    try {
      const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as {
        results: Array<{ status: string; error?: string }>;
      };
      result = summary.results
        .map((r) => (r.status === 'error' ? `error: ${(r.error ?? '').slice(0, 60)}…` : r.status))
        .join(', ');
      html = `${(readFileSync(join(dir, 'out', 'index.html')).length / 1024 / 1024).toFixed(1)} MB`;
    } catch {
      // Reported as "no summary.json".
    }
    say(
      `| ${label} | ${run.code} | ${result} | ${(run.ms / 1000).toFixed(1)} s | ${(run.peakKiB / 1024).toFixed(0)} MiB | ${html} | ${(run.stdoutBytes / 1024).toFixed(0)} KB |`,
    );
    await rm(dir, { recursive: true, force: true });
  }

  say('\n`preview --base HEAD` reading the base revision of a folder with 3,000 data files (the copy only):');
  const top = await mkdtemp(join(tmpdir(), 'lf-bench-base-'));
  await mkdir(join(top, 'data'));
  await writeFile(join(top, 'labelform.yaml'), 'apiVersion: labelform/v1\nkind: Config\nnamespace: bench\n');
  for (let i = 0; i < 3000; i++)
    await writeFile(join(top, 'data', `t${i}.json`), `${JSON.stringify({ text: `task ${i}` })}\n`);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: top });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  const { checkoutAt } = await import('../src/preview/base.ts');
  let t = Date.now();
  const copy = await checkoutAt(top, 'HEAD');
  const batchMs = Date.now() - t;
  await copy.remove();
  // Before: `git cat-file blob` once per file.
  const names = git('ls-tree', '-r', '--name-only', 'HEAD').toString().split('\n').filter(Boolean);
  t = Date.now();
  for (const name of names) execFileSync('git', ['cat-file', 'blob', `HEAD:${name}`], { cwd: top });
  const perFileMs = Date.now() - t;
  await rm(top, { recursive: true, force: true });
  say(
    `| approach | ${names.length} files |\n|---|---|\n| one git cat-file --batch (labelform) | ${(batchMs / 1000).toFixed(2)} s |\n| a git cat-file per file (before) | ${(perFileMs / 1000).toFixed(2)} s |`,
  );
  say(`ratio: ${(perFileMs / batchMs).toFixed(0)}x faster.`);
}

/** Runs a command; its wall time and the peak PSS of its process tree (Linux /proc, sampled every 100 ms). */
function measured(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; ms: number; peakKiB: number; stdoutBytes: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    child.stdout.on('data', (c: Buffer) => (stdoutBytes += c.length));
    child.stderr.resume();
    let peakKiB = 0;
    const timer = setInterval(() => {
      const total = tree(child.pid!).reduce((sum, pid) => sum + pss(pid), 0);
      peakKiB = Math.max(peakKiB, total);
    }, 100);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, ms: Date.now() - started, peakKiB, stdoutBytes });
    });
  });
}

function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // Gone.
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function pss(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
