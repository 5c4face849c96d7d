/**
 * The saved plan that travels in a plan comment: read back exactly; a block edited by hand, cut
 * off, or inflating past the bound is a problem named at the comment, never a plan.
 */
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePlanData, encodePlanData } from '../../src/ci/plan-data.ts';
import { choicesXml, live, liveState, manifest, plan, repository } from './support/plan-fixtures.ts';

const where = "labelform's plan comment on pull request #7";

function samplePlan() {
  const repo = repository([
    manifest('news', { title: 'News', label_config: choicesXml(['A', 'B']) }),
    manifest('faq', { title: 'FAQ' }),
  ]);
  return {
    ...plan(repo, liveState([live(3, 'FAQ old')])),
    source: { commit: 'a'.repeat(40), pullRequest: { number: 7, headSha: 'b'.repeat(40) } },
  };
}

test('a plan comes back from the comment exactly as it went in', () => {
  const p = samplePlan();
  const body = `<!-- labelform:plan dir=. env=default -->\n## Plan\n\n${encodePlanData(p)}\n`;
  const back = decodePlanData(body, where);
  assert.ok('plan' in back, JSON.stringify(back));
  assert.equal('plan' in back ? back.plan : undefined, JSON.parse(JSON.stringify(p)));
  assert.match(
    encodePlanData(p),
    /^<!-- labelform:plan-data v1 sha256=[0-9a-f]{64} bytes=\d+\n[A-Za-z0-9+/=\n]+\n-->$/,
  );
});

test('missing, cut off, edited or inflating data is a problem, not a plan', () => {
  const block = encodePlanData(samplePlan());
  const problem = (body: string) => {
    const r = decodePlanData(body, where);
    return 'problem' in r ? r.problem : 'a plan';
  };
  assert.match(problem('## Plan\nno data'), /holds no saved plan/);
  assert.match(problem(`x\n${block.slice(0, -3)}`), /is cut off/);
  const lines = block.split('\n');
  const edited = [lines[0], lines[1]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), ...lines.slice(2)].join('\n');
  assert.match(problem(`x\n${edited}`), /cannot be read|does not match its checksum/);
  const other = encodePlanData({ ...samplePlan(), namespace: 'other' });
  const swapped = [lines[0], ...other.split('\n').slice(1)].join('\n');
  assert.match(problem(`x\n${swapped}`), /does not match its checksum/);
  const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 32)).toString('base64');
  assert.match(
    problem(`x\n<!-- labelform:plan-data v1 sha256=${'0'.repeat(64)} bytes=1\n${bomb}\n-->`),
    /cannot be read/,
  );
  const notAPlan = encodePlanData(samplePlan()).replace(/sha256=\w+/, 'sha256=x');
  assert.match(problem(`x\n${notAPlan}`), /does not match its checksum/);
});

test.run();
