/**
 * The change tracker of `watch` (src/watch/events.ts) and its loop (src/watch/loop.ts), without a
 * server: drift reported once per change of state, resolved once, errors once and their
 * recovery, the side of a missing or orphaned resource, incomplete checks that resolve nothing,
 * the back-off, health, and parsing of the options' values. Time is a counter here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DriftEntry, DriftField, DriftReport } from '../../src/reconcile/drift.ts';
import { parseDuration } from '../../src/util/duration.ts';
import { ChangeTracker, resourceId, sideOfFields, type CycleOutcome, type WatchEvent } from '../../src/watch/events.ts';
import { createLog } from '../../src/watch/log.ts';
import { createWatchLoop, CycleFailure, type CycleResult } from '../../src/watch/loop.ts';
import { parseListenAddress } from '../../src/watch/metrics.ts';
import { renderEventText } from '../../src/watch/render.ts';

const field = (name: string, origin: DriftField['origin'], server: unknown, git: unknown): DriftField => ({
  field: name,
  origin,
  server,
  git,
});

const changed = (key: string, fields: DriftField[], kind = 'Project'): DriftEntry => ({
  resourceKind: kind,
  key,
  id: 7,
  kind: 'changed',
  message: 'm',
  fields,
});

const entry = (key: string, kind: DriftEntry['kind']): DriftEntry => ({
  resourceKind: 'Project',
  key,
  kind,
  message: kind,
  fields: [],
});

function report(entries: DriftEntry[], errors: DriftReport['errors'] = []): DriftReport {
  return {
    status: errors.length ? 'error' : entries.length ? 'drift' : 'clean',
    drift: entries.length > 0,
    pending: false,
    entries,
    errors,
    warnings: [],
    checked: 1,
    checkedByKind: { Project: 1 },
  };
}

const ids = (...keys: string[]) => new Set(keys.map((key) => resourceId({ kind: 'Project', key })));
const ok = (entries: DriftEntry[], desired = ids('a', 'b'), errors: DriftReport['errors'] = []): CycleOutcome => ({
  ok: true,
  report: report(entries, errors),
  desired,
});
const brief = (events: readonly WatchEvent[]) =>
  events.map((e) => `${e.event} ${e.kind}/${e.key}${'side' in e ? ` ${e.side}` : ''}${'again' in e ? ' again' : ''}`);

test('a drifted resource is reported once, again only when what differs changes, and resolved once', () => {
  const t = new ChangeTracker();
  const red = changed('a', [field('color', 'server', '#F00', '#123')]);
  assert.equal(brief(t.observe(ok([]), 't0')), []);
  assert.equal(brief(t.observe(ok([red]), 't1')), ['drift Project/a server']);
  assert.equal(brief(t.observe(ok([red]), 't2')), [], 'still drifted: nothing new');
  const blue = changed('a', [field('color', 'server', '#00F', '#123')]);
  assert.equal(brief(t.observe(ok([blue]), 't3')), ['drift Project/a server again'], 'another value');
  const both = changed('a', [field('color', 'both', '#00F', '#456')]);
  assert.equal(brief(t.observe(ok([both]), 't4')), ['drift Project/a both again'], 'git moved too');
  const events = t.observe(ok([]), 't5');
  assert.equal(brief(events), ['resolved Project/a both']);
  assert.equal(events[0], {
    event: 'resolved',
    at: 't5',
    kind: 'Project',
    key: 'a',
    id: 7,
    side: 'both',
    change: 'changed',
    fields: ['color'],
    message: 'matches git again (color)',
  });
  assert.equal(brief(t.observe(ok([]), 't6')), []);
  assert.equal(t.retained(), { drifted: 0, errors: 0, desired: 2 });
});

test('the same key under another kind or parent is another resource', () => {
  const t = new ChangeTracker();
  const f = [field('url', 'server', 'x', 'y')];
  const events = t.observe(
    ok([changed('a', f), changed('a', f, 'Webhook'), { ...changed('a', f, 'Webhook'), parent: 'p' }]),
    't',
  );
  assert.is(events.length, 3);
});

test('an incomplete check (errors) resolves nothing it did not list; its errors are reported once and resolved', () => {
  const t = new ChangeTracker();
  const red = changed('a', [field('color', 'server', '#F00', '#123')]);
  t.observe(ok([red]), 't1');
  const dup = {
    severity: 'error' as const,
    code: 'duplicate-marker',
    message: '2 projects carry a',
    file: 'a.yaml',
    line: 4,
  };
  assert.equal(brief(t.observe(ok([], ids('a'), [dup]), 't2')), ['error check/a.yaml:4: error: 2 projects carry a']);
  assert.equal(brief(t.observe(ok([], ids('a'), [dup]), 't3')), []);
  assert.equal(brief(t.observe(ok([], ids('a')), 't4')), [
    'resolved check/a.yaml:4: error: 2 projects carry a',
    'resolved Project/a server',
  ]);
});

test('errors: once while they last, then one recovery; the drift state survives a failed cycle', () => {
  const t = new ChangeTracker();
  const red = changed('a', [field('color', 'server', '#F00', '#123')]);
  t.observe(ok([red]), 't1');
  const down: CycleOutcome = { ok: false, kind: 'server', message: 'cannot reach Label Studio' };
  assert.equal(brief(t.observe(down, 't2')), ['error server/server']);
  assert.equal(brief(t.observe({ ...down, message: 'timeout' }, 't3')), [], 'same error, other words');
  const broken: CycleOutcome = { ok: false, kind: 'git', message: 'manifests' };
  assert.equal(brief(t.observe(broken, 't4')), ['error git/git']);
  // Reading the server needs the manifests: a server failure says git loads again.
  assert.equal(brief(t.observe(down, 't5')), ['resolved git/git']);
  assert.equal(brief(t.observe(ok([red]), 't6')), ['resolved server/server'], 'the drift was reported already');
  const bug: CycleOutcome = { ok: false, kind: 'check', key: 'internal', message: 'internal error: x' };
  assert.equal(brief(t.observe(bug, 't7')), ['error check/internal']);
  assert.equal(brief(t.observe(ok([]), 't8')), ['resolved check/internal', 'resolved Project/a server']);
});

test('missing and orphan: git-side when git added or removed the manifest, server-side otherwise, unknown on the first cycle', () => {
  const first = new ChangeTracker();
  assert.equal(brief(first.observe(ok([entry('a', 'missing'), entry('z', 'orphan')]), 't')), [
    'drift Project/a unknown',
    'drift Project/z unknown',
  ]);
  const t = new ChangeTracker();
  t.observe(ok([], ids('a', 'b')), 't0');
  // b deleted on the server; c added in git; a removed from git (orphan); d created on the server with the marker.
  const events = t.observe(
    ok([entry('b', 'missing'), entry('c', 'missing'), entry('a', 'orphan'), entry('d', 'orphan')], ids('b', 'c')),
    't1',
  );
  assert.equal(brief(events), [
    'drift Project/b server',
    'drift Project/c git',
    'drift Project/a git',
    'drift Project/d server',
  ]);
  assert.equal(brief(t.observe(ok([entry('x', 'unmanaged')], ids('x')), 't2')).slice(0, 1), ['drift Project/x server']);
});

test('the side of a changed resource: its fields agree, or both, or unknown', () => {
  assert.is(sideOfFields([field('a', 'git', 1, 2), field('b', 'git', 1, 2)]), 'git');
  assert.is(sideOfFields([field('a', 'git', 1, 2), field('b', 'server', 1, 2)]), 'both');
  assert.is(sideOfFields([field('a', 'server', 1, 2), field('b', 'unknown', 1, 2)]), 'unknown');
});

test('what the tracker keeps follows what differs now, not the number of cycles', () => {
  const t = new ChangeTracker();
  for (let i = 0; i < 1000; i++) {
    const entries = i % 2 ? [changed(`k${i % 7}`, [field('color', 'server', i, 0)])] : [];
    t.observe(i % 13 === 0 ? { ok: false, kind: 'server', message: `down ${i}` } : ok(entries), `t${i}`);
  }
  const r = t.retained();
  assert.ok(r.drifted <= 1 && r.errors <= 1 && r.desired === 2, JSON.stringify(r));
});

test('text: one line per event, saying the side; secrets and label configs without values', () => {
  const line = renderEventText({
    event: 'drift',
    at: 'T',
    kind: 'Webhook',
    key: 'train',
    parent: 'news',
    id: 3,
    change: 'changed',
    side: 'both',
    fields: [
      { field: 'url', origin: 'server', sensitive: true },
      { field: 'label_config', origin: 'git', git: '<View/>', server: '<View></View>' },
      field('is_active', 'server', false, true),
    ],
    message: 'm',
  });
  assert.is(
    line,
    'T drift Webhook news/train (id 3): changed in git and on the server: url (sensitive: values not shown); label_config (`labelform drift` shows the XML diff); is_active: server false, git true\n',
  );
});

test('durations and listen addresses', () => {
  assert.equal(
    ['60', '90s', '500ms', '5m', '1.5m', '1h', '0', '-1', 'soon', '5 m'].map((d) => parseDuration(d)),
    [60_000, 90_000, 500, 300_000, 90_000, 3_600_000, undefined, undefined, undefined, 300_000],
  );
  assert.equal(parseListenAddress(':9464'), { host: '127.0.0.1', port: 9464 });
  assert.equal(parseListenAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
  assert.equal(parseListenAddress('[::1]:80'), { host: '::1', port: 80 });
  assert.is(parseListenAddress('9464'), undefined);
  assert.is(parseListenAddress('host:99999'), undefined);
});

/** A loop over scripted cycles, with a clock that moves only when it waits. */
function scripted(script: Array<CycleResult | CycleFailure>, opts: { once?: boolean; intervalMs?: number } = {}) {
  let clock = 1_000_000;
  const waits: number[] = [];
  const health: boolean[] = [];
  const stop = new AbortController();
  const printed: WatchEvent[] = [];
  let i = 0;
  const loop = createWatchLoop({
    intervalMs: opts.intervalMs ?? 60_000,
    ...(opts.once ? { once: true } : {}),
    cycle: async () => {
      const next = script[i++]!;
      if (next instanceof CycleFailure) throw next;
      return next;
    },
    requests: () => i * 3,
    emit: (events) => printed.push(...events),
    log: createLog(() => {}, { json: true, debug: true, now: () => clock }),
    signal: stop.signal,
    now: () => clock,
    random: () => 0.5,
    wait: async (ms) => {
      waits.push(ms);
      clock += ms;
      health.push(loop.health().ok);
    },
    afterCycle: () => {
      if (i >= script.length) stop.abort();
    },
  });
  return { loop, waits, health, printed, at: () => clock };
}

const clean: CycleResult = { report: report([]), desired: ids('a') };
const drifted: CycleResult = {
  report: { ...report([changed('a', [field('color', 'server', 1, 2)])]) },
  desired: ids('a'),
};

test('loop: back-off doubles from 1 s after failures, capped at the interval, and the interval again after a success', async () => {
  const down = new CycleFailure('server', 'cannot reach');
  const s = scripted([clean, down, down, down, down, down, down, down, clean, clean], { intervalMs: 20_000 });
  assert.is(await s.loop.run(), 0);
  assert.equal(s.waits, [20_000, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000, 20_000]);
  assert.equal(
    s.printed.map((e) => e.event),
    ['error', 'resolved'],
  );
});

test('loop: healthy after a success within three intervals, unhealthy before the first and after three intervals of failures', async () => {
  const down = new CycleFailure('server', 'cannot reach');
  const s = scripted([down, clean, down, down, down, down, down], { intervalMs: 1000 });
  assert.is(s.loop.health().ok, false);
  assert.is(s.loop.health().body.status, 'starting');
  await s.loop.run();
  // After each cycle's wait: down (never succeeded), clean, then 1 s of back-off per failure.
  assert.equal(s.health, [false, true, true, true, false, false]);
  assert.is(s.loop.health().body.status, 'failing');
});

test('loop --once: the exit code of drift for the one cycle, and no wait', async () => {
  for (const [script, code] of [
    [clean, 0],
    [drifted, 2],
    [new CycleFailure('server', 'x'), 1],
    [{ report: report([], [{ severity: 'error', code: 'x', message: 'y' }]), desired: ids() }, 1],
  ] as const) {
    const s = scripted([script], { once: true });
    assert.is(await s.loop.run(), code);
    assert.equal(s.waits, []);
  }
});

test('loop: an unexpected exception in a cycle is one error event, and the loop goes on', async () => {
  let n = 0;
  const stop = new AbortController();
  const events: WatchEvent[] = [];
  const loop = createWatchLoop({
    intervalMs: 1000,
    cycle: async () => {
      if (++n <= 2) throw new TypeError('boom');
      return clean;
    },
    requests: () => 0,
    emit: (e) => events.push(...e),
    log: createLog(() => {}, { json: false, debug: false, now: () => 0 }),
    signal: stop.signal,
    now: () => 0,
    wait: async () => {},
    afterCycle: () => {
      if (n >= 3) stop.abort();
    },
  });
  assert.is(await loop.run(), 0);
  assert.equal(
    events.map((e) => [e.event, e.kind, e.key]),
    [
      ['error', 'check', 'internal'],
      ['resolved', 'check', 'internal'],
    ],
  );
  assert.match((events[0] as { message: string }).message, /internal error: boom/);
});

test.run();
