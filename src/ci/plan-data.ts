import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Plan } from '../generated/schema-types.ts';
import { parsePlan, planText } from '../state/saved-plan.ts';
import { isUserError } from '../util/errors.ts';

/**
 * The saved plan travels in the plan comment itself, below the Markdown a reviewer reads, as a
 * hidden block: gzip, base64, with the SHA-256 of the plan's text. After merge, `apply --merged`
 * reads it back from the bot's own comment on the merged pull request, so what is applied is
 * the plan that was reviewed there, or nothing (the saved-plan contract re-plans and compares).
 * No artifact store, no extra permission: the comment is already written by the plan job.
 */
const OPEN = '<!-- labelform:plan-data v1';
const CLOSE = '-->';
const LINE = 100;
/** A plan that fits a comment compressed is far smaller than this uncompressed. */
const MAX_PLAN_BYTES = 64 * 1024 * 1024;

/** The hidden block for a plan: `<!-- labelform:plan-data v1 sha256=… bytes=…` + base64 lines + `-->`. */
export function encodePlanData(plan: Plan): string {
  const text = planText(plan);
  const packed = gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < packed.length; i += LINE) lines.push(packed.slice(i, i + LINE));
  return `${OPEN} sha256=${sha256(text)} bytes=${Buffer.byteLength(text)}\n${lines.join('\n')}\n${CLOSE}`;
}

export type DecodedPlan = { readonly plan: Plan } | { readonly problem: string };

/** The plan in a comment body's hidden block; a problem when there is none or it does not check out. */
export function decodePlanData(body: string, where: string): DecodedPlan {
  const start = body.lastIndexOf(`\n${OPEN} `);
  if (start < 0)
    return {
      problem: `${where} holds no saved plan (it was written by an older labelform, or the plan was too large to carry, or could not be made)`,
    };
  const end = body.indexOf(CLOSE, start + OPEN.length + 1);
  if (end < 0) return { problem: `${where}: the saved plan in it is cut off` };
  const [header = '', ...data] = body
    .slice(start + 1, end)
    .trim()
    .split('\n');
  const digest = /\ssha256=([0-9a-f]{64})\b/.exec(header)?.[1];
  let text: string;
  try {
    // Bounded: the comment is the bot's, but the plan job that wrote it ran a pull request's workflow.
    text = gunzipSync(Buffer.from(data.join(''), 'base64'), { maxOutputLength: MAX_PLAN_BYTES }).toString('utf8');
  } catch {
    return { problem: `${where}: the saved plan in it cannot be read (it was edited by hand?)` };
  }
  if (!digest || sha256(text) !== digest)
    return { problem: `${where}: the saved plan in it does not match its checksum (it was edited by hand?)` };
  try {
    return { plan: parsePlan(text, `the saved plan in ${where}`) };
  } catch (err) {
    if (isUserError(err)) return { problem: err.message };
    throw err;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
