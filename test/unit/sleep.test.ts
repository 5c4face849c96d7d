/**
 * The one abortable wait (src/util/sleep.ts) that the HTTP client's retries and the watch loop's
 * interval share: an abort ends it at once and clears its timer (a stopping process is not kept
 * alive by it), and an already aborted signal does not start one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sleepUnlessAborted } from '../../src/util/sleep.ts';

// Waits of 20 s: long enough never to end by themselves here, short enough that a broken helper
// (its timer left pending) holds the test process only briefly.
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
/** 'done' when `p` has settled by the next turn of the event loop, else 'pending' (never waits for `p`). */
const settled = (p: Promise<void>) =>
  Promise.race([p.then(() => 'done'), new Promise<string>((r) => setImmediate(() => r('pending')))]);

test('an abort ends a 20 s wait at once and clears its timer', async () => {
  const before = timers();
  const stop = new AbortController();
  const waiting = sleepUnlessAborted(20_000, stop.signal);
  assert.is(await settled(waiting), 'pending');
  assert.is(timers(), before + 1);
  stop.abort();
  assert.is(await settled(waiting), 'done');
  assert.is(timers(), before, 'the timer is cleared');
});

test('an aborted signal: no wait, no timer; no signal: a plain wait', async () => {
  const before = timers();
  const stop = new AbortController();
  stop.abort();
  assert.is(await settled(sleepUnlessAborted(20_000, stop.signal)), 'done');
  assert.is(timers(), before);
  await sleepUnlessAborted(1);
  assert.is(timers(), before);
});

test.run();
