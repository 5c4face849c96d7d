import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../util/errors.ts';

const run = promisify(execFile);

async function git(cwd: string, args: string[], what: string): Promise<Buffer> {
  try {
    const { stdout } = await run('git', args, { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') throw new UserError(`${what}: git is not installed (it is needed to read another revision)`);
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
  const top = (await git(dir, ['rev-parse', '--show-toplevel'], `${what}: ${dir} is not in a git repository`)).toString('utf8').trim();
  const commit = (await git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], `${what}: no such commit, branch or tag (in CI, fetch it first, e.g. \`git fetch origin ${ref.replace(/^origin\//, '')}\` or actions/checkout with fetch-depth: 0)`)).toString('utf8').trim();
  const sub = relative(top, resolve(dir)).split('\\').join('/');
  const names = (await git(top, ['ls-tree', '-r', '-z', '--name-only', commit, '--', sub || '.'], what)).toString('utf8').split('\0').filter(Boolean);
  const tmp = await mkdtemp(join(tmpdir(), 'labelform-base-'));
  try {
    for (const name of names) {
      const body = await git(top, ['cat-file', 'blob', `${commit}:${name}`], what);
      const to = join(tmp, name);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, body);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { dir: join(tmp, sub), remove: () => rm(tmp, { recursive: true, force: true }) };
}
