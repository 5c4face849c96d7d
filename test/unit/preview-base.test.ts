/**
 * `preview --base REF` reads the manifest folder at a revision with one `git cat-file --batch`:
 * every file comes back byte for byte (empty, binary, larger than a pipe's buffer, odd names),
 * the work tree's later edits are not seen, and a bad ref is a one-line error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: top });
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

test.run();
