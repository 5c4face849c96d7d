/**
 * Which marked comments are labelform's: those carrying the marker and written by the token's own
 * account. `ownMarked` picks them; `upsertMarkedComment` updates and removes only those, when it
 * finds one and when it settles a create that raced another run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ownMarked, upsertMarkedComment, type CommentThread, type ThreadComment } from '../../src/ci/upsert-comment.ts';

const M = '<!-- labelform:plan dir=. env=default -->';
const BOT = 'github-actions[bot]';

test('ownMarked: the marker on the first line and the author self, lowest id first', () => {
  const comments: ThreadComment[] = [
    { id: 9, body: `${M}\nours, newer`, author: BOT },
    { id: 3, body: `${M}\nlook-alike`, author: 'mallory' },
    { id: 5, body: `${M}\nours`, author: BOT },
    { id: 6, body: `> ${M}\nquoting`, author: BOT },
    { id: 7, body: `${M}\nbots differ`, author: 'github-actions' },
    { id: 8, body: `${M}\ndeleted account`, author: '' },
    { id: 1, body: 'hello', author: BOT },
  ];
  assert.equal(
    ownMarked(comments, M, BOT).map((c) => c.id),
    [5, 9],
  );
  assert.equal(
    ownMarked(comments, M, 'mallory').map((c) => c.id),
    [3],
  );
  assert.equal(ownMarked(comments, M, 'nobody'), []);
  assert.equal(ownMarked([], M, BOT), []);
});

/** A thread in memory posting as `self`; `race` comments appear on the next list after ours is created. */
function memoryThread(
  self: string,
  initial: ThreadComment[],
  race: ThreadComment[] = [],
  postAs = self,
): CommentThread & { all: Map<number, ThreadComment>; log: string[] } {
  const all = new Map(initial.map((c) => [c.id, c]));
  const log: string[] = [];
  let next = 100;
  return {
    all,
    log,
    self: async () => {
      log.push('self');
      return self;
    },
    list: async () => [...all.values()],
    create: async (body) => {
      for (const c of race.splice(0)) all.set(c.id, c);
      const c = { id: next++, body, author: postAs };
      all.set(c.id, c);
      log.push(`create ${c.id}`);
      return c;
    },
    update: async (id, body) => {
      const c = { ...all.get(id)!, body };
      all.set(id, c);
      log.push(`update ${id}`);
      return c;
    },
    remove: async (id) => {
      all.delete(id);
      log.push(`remove ${id}`);
    },
  };
}

test('upsert: a look-alike by someone else is neither updated nor removed, before or after ours', async () => {
  const thread = memoryThread(BOT, [
    { id: 2, body: `${M}\nlook-alike`, author: 'mallory' },
    { id: 4, body: `${M}\nours`, author: BOT },
    { id: 6, body: `${M}\nanother look-alike`, author: 'mallory' },
    { id: 8, body: `${M}\nour copy`, author: BOT },
  ]);
  const r = await upsertMarkedComment(thread, M, `${M}\nnew`);
  assert.is(r.action, 'updated');
  assert.is(r.comment.id, 4);
  assert.equal(r.removed, [8]);
  assert.equal(thread.log, ['self', 'update 4', 'remove 8']);
  assert.equal(thread.all.get(2)!.body, `${M}\nlook-alike`);
  assert.equal(thread.all.get(6)!.body, `${M}\nanother look-alike`);
});

test('upsert: with only look-alikes it creates its own and leaves them', async () => {
  const thread = memoryThread(BOT, [{ id: 2, body: `${M}\nlook-alike`, author: 'mallory' }]);
  const r = await upsertMarkedComment(thread, M, `${M}\nfirst`);
  assert.is(r.action, 'created');
  assert.equal(r.removed, []);
  assert.equal(thread.log, ['self', 'create 100']);
  assert.equal([...thread.all.keys()], [2, 100]);
});

test('upsert: settling a raced create chooses the lowest id among its own, never a look-alike that appeared meanwhile', async () => {
  // While this run created 100, another run of ours created 50 and someone posted a look-alike as 40.
  const thread = memoryThread(
    BOT,
    [],
    [
      { id: 40, body: `${M}\nlook-alike`, author: 'mallory' },
      { id: 50, body: `${M}\nthe other run`, author: BOT },
    ],
  );
  const r = await upsertMarkedComment(thread, M, `${M}\nthis run`);
  assert.is(r.action, 'updated');
  assert.is(r.comment.id, 50);
  assert.equal(r.removed, [100]);
  assert.equal(thread.log, ['self', 'create 100', 'update 50', 'remove 100']);
  assert.equal(thread.all.get(40)!.body, `${M}\nlook-alike`);

  // Only a look-alike raced: ours stays, the look-alike too.
  const alone = memoryThread(BOT, [], [{ id: 40, body: `${M}\nlook-alike`, author: 'mallory' }]);
  const r2 = await upsertMarkedComment(alone, M, `${M}\nthis run`);
  assert.is(r2.action, 'created');
  assert.equal(alone.log, ['self', 'create 100']);
  assert.equal([...alone.all.keys()], [40, 100]);
});

test('upsert: a created comment whose author is not the identity read for the token is a bug said at once, not a comment per run', async () => {
  const thread = memoryThread('github-actions', [], [], BOT);
  try {
    await upsertMarkedComment(thread, M, `${M}\nfirst`);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, Error);
    assert.match(
      (err as Error).message,
      /the comment just created \(100\) is by "github-actions\[bot\]", but the token reads as "github-actions"/,
    );
  }
});

test.run();
