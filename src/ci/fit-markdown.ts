/** GitHub refuses a comment or issue body over 65,536 characters (422 Validation Failed). */
export const COMMENT_LIMIT = 65_536;

/** GitHub aborts the upload of a step's summary over 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** How much room a document has, measured the way its receiver counts. */
export interface Budget {
  readonly max: number;
  readonly measure: (text: string) => number;
}

/**
 * A comment or issue body. GitHub counts characters; JavaScript's length counts UTF-16 units,
 * never fewer than characters, so a body that fits here fits there.
 */
export const COMMENT_BUDGET: Budget = { max: COMMENT_LIMIT, measure: (s) => s.length };

/** What is left of a step's summary when `used` bytes of it are written already. */
export function summaryBudget(used: number): Budget {
  return { max: Math.max(0, SUMMARY_LIMIT_BYTES - used), measure: (s) => Buffer.byteLength(s) };
}

export interface DocumentParts {
  /** Comes first, whole (a hidden marker). */
  readonly before: string;
  /**
   * The document cut to about `limit` characters, saying itself what it left out (the plan
   * renderer cuts whole projects), or whole when `limit` is Infinity.
   */
  readonly render: (limit: number) => string;
  /** Comes last, whole: a footer, with a pointer to the full document when it was cut. */
  readonly after: (truncated: boolean) => string;
}

export interface Fitted {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * The document whole when it fits the budget; otherwise rendered again with less room until it
 * does (the renderer cuts where a reader expects it), and as a last resort cut at a line with
 * `cutMarkdown`. The result always fits.
 */
export function fitDocument(parts: DocumentParts, budget: Budget): Fitted {
  const { measure, max } = budget;
  const full = parts.render(Infinity);
  const whole = `${parts.before}${full}${parts.after(false)}`;
  if (measure(whole) <= max) return { text: whole, truncated: false };
  const frame = measure(parts.before) + measure(parts.after(true));
  let limit = max - frame - FRAME_SLACK;
  for (let attempt = 0; attempt < 6 && limit > MIN_BODY; attempt++) {
    // A renderer's own last-resort cut may end inside a <details> or a code fence, which would
    // swallow the pointer and the footer: close what it left open.
    const text = `${parts.before}${closeOpenBlocks(parts.render(limit))}${parts.after(true)}`;
    const size = measure(text);
    if (size <= max) return { text, truncated: true };
    limit = Math.floor((limit * (max - frame)) / (size - frame)) - FRAME_SLACK;
  }
  return {
    text: `${parts.before}${cutMarkdown(full, Math.max(0, max - frame), measure)}${parts.after(true)}`,
    truncated: true,
  };
}

/** Room kept for rounding when a renderer's cut lands a little over its limit. */
const FRAME_SLACK = 200;
const MIN_BODY = 1000;

/**
 * Markdown cut at a line boundary to fit `max` (as `measure` counts), with an open code fence
 * and open `<details>` closed, and a line saying how much was cut.
 */
export function cutMarkdown(text: string, max: number, measure: (s: string) => number = (s) => s.length): string {
  if (measure(text) <= max) return text;
  const lines = text.split('\n');
  // Sizes add up line by line (a line and its newline), so one pass finds the cut.
  let used = 0;
  let fence = false;
  let details = 0;
  let kept = 0;
  for (const line of lines) {
    const size = measure(line) + 1;
    const nextFence: boolean = /^\s*(```|~~~)/.test(line) ? !fence : fence;
    const nextDetails = details + count(line, /<details\b/g) - count(line, /<\/details>/g);
    const closing = closingFor(nextFence, nextDetails);
    // The notice at its widest (every line hidden), so the final one never overshoots.
    if (used + size + measure(closing) + measure(noticeFor(lines.length, lines.length)) > max) break;
    used += size;
    fence = nextFence;
    details = nextDetails;
    kept++;
  }
  const notice = noticeFor(lines.length - kept, lines.length);
  const out = `${lines.slice(0, kept).join('\n')}\n${closingFor(fence, details)}${notice}`;
  // A budget smaller than the notice itself leaves nothing to show.
  return measure(out) <= max ? out : '';
}

/** Markdown with an open code fence and open `<details>` elements closed at its end. */
export function closeOpenBlocks(text: string): string {
  let fence = false;
  let details = 0;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    else if (!fence) details = Math.max(0, details + count(line, /<details\b/g) - count(line, /<\/details>/g));
  }
  const closing = closingFor(fence, details);
  return closing ? `${text}${text.endsWith('\n') ? '' : '\n'}${closing}` : text;
}

function closingFor(fence: boolean, details: number): string {
  return `${fence ? '```\n' : ''}${'</details>\n'.repeat(Math.max(0, details))}`;
}

function noticeFor(hidden: number, total: number): string {
  return `\n> ✂️ Truncated: the last ${hidden.toLocaleString('en')} of ${total.toLocaleString('en')} lines are not shown here.\n`;
}

function count(line: string, re: RegExp): number {
  return line.match(re)?.length ?? 0;
}
