import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../util/errors.ts';

const run = promisify(execFile);

async function git(cwd: string, args: string[], what: string): Promise<Buffer> {
  try {
    const { stdout } = await run('git', args, { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new UserError(`${what}: git is not installed (it is needed to read another revision)`);
    const said = e.stderr?.toString('utf8').trim().split('\n')[0] ?? String(err);
    throw new UserError(`${what}: ${said}`);
  }
}

/**
 * The manifest directory as it was at a git revision, written to a temporary directory (the
 * work tree is not touched). Returns the copy of `dir` and a function that removes it.
 */
export async function checkoutAt(dir: string, ref: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const what = `--base ${ref}`;
  const top = (await git(dir, ['rev-parse', '--show-toplevel'], `${what}: ${dir} is not in a git repository`))
    .toString('utf8')
    .trim();
  const commit = (
    await git(
      top,
      ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
      `${what}: no such commit, branch or tag (in CI, fetch it first, e.g. \`git fetch origin ${ref.replace(/^origin\//, '')}\` or actions/checkout with fetch-depth: 0)`,
    )
  )
    .toString('utf8')
    .trim();
  const sub = relative(top, resolve(dir)).split('\\').join('/');
  // One `git ls-tree` and one `git cat-file --batch` for the whole tree: a process per file took
  // 12 s more with 3,000 data files (issue 19). Submodules (commits) are not files to copy.
  const entries = (await git(top, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', sub || '.'], what))
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .flatMap((line) => {
      const m = /^\d+ (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line);
      return m && m[1] === 'blob' ? [{ oid: m[2]!, name: m[3]! }] : [];
    });
  // A tree made by hand (`git mktree`) may hold an entry named `..`, `.git` or with a backslash:
  // `labels/../../x` would be written outside the temporary folder. Refused before anything is written.
  const unsafe = entries.find((e) => !isSafeTreePath(e.name));
  if (unsafe)
    throw new UserError(
      `${what}: the commit holds a file named ${JSON.stringify(unsafe.name)}, refused (a name with "..", ".", ".git", a backslash or a leading "/" could write outside the copy); nothing was written`,
    );
  const tmp = await mkdtemp(join(tmpdir(), 'labelform-base-'));
  try {
    await catBlobs(top, entries, what, async (name, body) => {
      const to = resolve(tmp, name);
      if (!to.startsWith(tmp + sep))
        throw new UserError(
          `${what}: the commit holds a file named ${JSON.stringify(name)}, which is outside the copy; refused`,
        );
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, body);
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir: join(tmp, sub), remove: () => rm(tmp, { recursive: true, force: true }) };
}

/** A path from `git ls-tree` that stays inside the folder it is written to. */
export function isSafeTreePath(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false;
  return name.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && seg.toLowerCase() !== '.git');
}

/**
 * The blobs' contents from one `git cat-file --batch`: object ids in on stdin, `<oid> blob <size>`
 * and the bytes out, in order. Each file is handed over (and written) as it arrives.
 */
async function catBlobs(
  cwd: string,
  entries: ReadonlyArray<{ oid: string; name: string }>,
  what: string,
  write: (name: string, body: Buffer) => Promise<void>,
): Promise<void> {
  if (entries.length === 0) return;
  const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new UserError(`${what}: git is not installed (it is needed to read another revision)`)
          : err,
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new UserError(`${what}: git cat-file failed: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`)),
    );
  });
  exited.catch(() => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(entries.map((e) => `${e.oid}\n`).join(''));
  // Chunks are joined only once a whole object has arrived (a large file is not copied per chunk).
  let chunks: Buffer[] = [];
  let have = 0;
  let need = 0;
  let index = 0;
  const take = (n: number): Buffer => {
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
    chunks = all.length > n ? [all.subarray(n)] : [];
    have = all.length - n;
    return all.subarray(0, n);
  };
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    have += chunk.length;
    for (;;) {
      if (need === 0) {
        const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
        chunks = [joined];
        const eol = joined.indexOf(10);
        if (eol < 0) break;
        const header = take(eol + 1)
          .toString('utf8')
          .trim();
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) throw new UserError(`${what}: git cat-file answered "${header.slice(0, 80)}"`);
        need = Number(m[2]) + 1; // the content and its newline
      }
      if (have < need) break;
      const body = take(need).subarray(0, need - 1);
      need = 0;
      const entry = entries[index++];
      if (!entry) throw new UserError(`${what}: git cat-file answered more objects than asked for`);
      await write(entry.name, Buffer.from(body));
    }
  }
  await exited;
  if (index !== entries.length)
    throw new UserError(`${what}: git cat-file answered ${index} of ${entries.length} files`);
}
