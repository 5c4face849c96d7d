/**
 * `preview --base REF` reads the manifest folder at a revision with one `git cat-file --batch`:
 * every file comes back byte for byte (empty, binary, larger than a pipe's buffer, odd names),
 * the work tree's later edits are not seen, and a bad ref is a one-line error.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkoutAt } from '../../src/preview/base.ts';
import { isUserError } from '../../src/util/errors.ts';

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

test('the folder at a revision, byte for byte, from one git cat-file process', async () => {
  const top = mkdtempSync(join(tmpdir(), 'lf-base-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: top });
  try {
    git('init', '-q', '-b', 'main');
    const repo = join(top, 'labels');
    mkdirSync(join(repo, 'data', 'deep'), { recursive: true });
    const wanted = new Map<string, Buffer>();
    const put = (name: string, body: Buffer) => {
      wanted.set(name, body);
      writeFileSync(join(repo, name), body);
    };
    put('labelform.yaml', Buffer.from('apiVersion: labelform/v1\nkind: Config\nnamespace: t\n'));
    put('empty.txt', Buffer.alloc(0));
    put('binary.bin', Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)));
    put('data/big.jsonl', Buffer.from('{"text":"x"}\n'.repeat(50_000)));
    put('data/deep/name with spaces & ümlaut.json', Buffer.from('{}\n'));
    for (let i = 0; i < 300; i++) put(`data/t${i}.json`, Buffer.from(`{"i":${i}}\n`));
    // Outside the folder: not copied.
    writeFileSync(join(top, 'outside.txt'), 'no');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    writeFileSync(join(repo, 'labelform.yaml'), 'changed in the work tree\n');
    writeFileSync(join(repo, 'new.txt'), 'not committed\n');

    const copy = await checkoutAt(repo, 'HEAD');
    try {
      const got = files(copy.dir);
      assert.equal([...got.keys()].sort(), [...wanted.keys()].sort());
      for (const [name, body] of wanted) assert.ok(got.get(name)!.equals(body), name);
      assert.not.ok(existsSync(join(copy.dir, '..', 'outside.txt')));
    } finally {
      await copy.remove();
    }
    assert.not.ok(existsSync(copy.dir), 'removed');

    const bad = await checkoutAt(repo, 'no-such-branch').catch((e: unknown) => e);
    assert.ok(isUserError(bad));
    assert.match((bad as Error).message, /^--base no-such-branch: no such commit, branch or tag/);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});

/**
 * A commit whose tree was made by hand (`git mktree` takes `..`, `.git` or a backslash as an
 * entry's name): its names are refused, one clear error naming the path, and nothing is written,
 * neither outside the temporary folder nor inside it.
 */
test('a tree entry that would leave the folder (.., .git, a backslash) is refused, nothing written', async () => {
  const top = mkdtempSync(join(tmpdir(), 'lf-base-evil-'));
  const git = (input: string | undefined, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: top, input })
      .toString('utf8')
      .trim();
  try {
    git(undefined, 'init', '-q', '-b', 'main');
    const blob = git('owned\n', 'hash-object', '-w', '--stdin');
    const yaml = git('apiVersion: labelform/v1\nkind: Config\nnamespace: t\n', 'hash-object', '-w', '--stdin');
    const tree = (...lines: string[]) => git(lines.map((l) => `${l}\n`).join(''), 'mktree');
    // A uniquely named target beside the temporary folder (tmpdir()/<target>), so that an escape is seen.
    const target = `lf-escaped-${process.pid}-${Date.now()}`;
    const escaped = join(tmpdir(), target);
    const cases: Array<[string, string]> = [
      // labels/../../<target>: from <tmp>/labels/.. up to tmpdir()
      ['..', tree(`040000 tree ${tree(`040000 tree ${tree(`100644 blob ${blob}\t${target}`)}\t..`)}\t..`)],
      ['.git', tree(`040000 tree ${tree(`100644 blob ${blob}\tconfig`)}\t.git`)],
      ['backslash', tree(`100644 blob ${blob}\t..\\${target}`)],
      ['.', tree(`040000 tree ${tree(`100644 blob ${blob}\tx`)}\t.`)],
    ];
    for (const [label, evil] of cases) {
      // The evil entries sit beside the folder that is read (labels-evil), and at the top of the tree too.
      const roots = {
        beside: tree(
          `040000 tree ${tree(`100644 blob ${yaml}\tlabelform.yaml`)}\tlabels`,
          `040000 tree ${evil}\tlabels-evil`,
        ),
        top: tree(`100644 blob ${yaml}\tlabelform.yaml`, ...git(undefined, 'ls-tree', evil).split('\n')),
      };
      for (const [where, t] of Object.entries(roots)) {
        const commit = git(undefined, 'commit-tree', t, '-m', `${label} ${where}`);
        git(undefined, 'update-ref', 'refs/heads/evil', commit);
        const bad = git(undefined, 'ls-tree', '-r', '-z', '--name-only', '--full-tree', commit)
          .split('\0')
          .filter((n) => n && !n.endsWith('labelform.yaml'));
        assert.equal(bad.length, 1, `${label} ${where}: ${bad.join(', ')}`);
        const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('labelform-base-')));
        const err = await checkoutAt(top, 'evil').catch((e: unknown) => e);
        assert.not.ok(existsSync(escaped), `${label} ${where}: wrote ${escaped}`);
        assert.ok(isUserError(err), `${label} ${where}: ${String(err)}`);
        assert.match((err as Error).message, /^--base evil: /);
        assert.ok(
          (err as Error).message.includes(JSON.stringify(bad[0]!)),
          `${label} ${where}: names ${bad[0]}: ${(err as Error).message}`,
        );
        const left = readdirSync(tmpdir()).filter((n) => n.startsWith('labelform-base-') && !before.has(n));
        assert.equal(left, [], `${label} ${where}: temporary folder left behind`);
      }
    }
  } finally {
    rmSync(top, { recursive: true, force: true });
    for (const n of readdirSync(tmpdir()))
      if (n.startsWith(`lf-escaped-${process.pid}-`)) rmSync(join(tmpdir(), n), { force: true });
  }
});

test.run();
