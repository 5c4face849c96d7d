import { closePairs, parseCssColor, toLab } from './colors.ts';
import { hotkeyMoves, type HotkeyMove } from './hotkeys.ts';
import { describeElement, type XmlElement } from './parse-xml.ts';
import { LABEL_TAGS, OBJECT_TAGS } from './tags.ts';

/**
 * What a reviewer of a label config would miss in the XML: problems annotators hit, which Label
 * Studio accepts without a word. Warnings, never errors: each one is a judgment call.
 */
export const REVIEW_CODES: ReadonlySet<string> = new Set([
  'config-hotkey-clash',
  'config-similar-colors',
  'config-hidden-object',
  'config-long-choices',
  'config-hotkey-moved',
]);

export interface ReviewFinding {
  readonly code:
    | 'config-hotkey-clash'
    | 'config-similar-colors'
    | 'config-hidden-object'
    | 'config-long-choices'
    | 'config-hotkey-moved';
  readonly message: string;
  /** Where the element starts in the XML text (1-based). */
  readonly line: number;
  readonly col: number;
  readonly element: string;
}

/**
 * Two label colours closer than this (CIEDE2000) are hard to tell apart as region fills and
 * label chips: 1 is a just-noticeable difference side by side; annotators compare a region on an
 * image with a chip elsewhere on screen, at 20–40 % opacity, so the bar is set well above that.
 */
export const MIN_COLOR_DISTANCE = 10;
/** Similar-colour pairs of one control warned about one by one; more make one warning naming this many. */
export const MAX_COLOR_PAIRS_LISTED = 3;

/**
 * Choices stacked in a column (Label Studio's default layout) take about 44 px each as the 1.23
 * editor draws them (measured in its preview); more than 12 is over 530 px, which with the text or
 * image above them no longer fits a 768–800 px high browser window without scrolling.
 */
export const MAX_STACKED_CHOICES = 12;
/** Inline choices wrap; past this many they fill a screen too. */
export const MAX_INLINE_CHOICES = 40;

export function reviewLabelConfig(
  root: XmlElement,
  at: (line: number, col: number) => { line: number; col: number } = (line, col) => ({ line, col }),
): ReviewFinding[] {
  const findings: ReviewFinding[] = [];
  const report = (el: XmlElement, code: ReviewFinding['code'], message: string) =>
    findings.push({ code, message, line: el.line, col: el.col, element: describeElement(el) });
  const parents = new Map<XmlElement, XmlElement>();
  const all: XmlElement[] = [];
  (function walk(el: XmlElement) {
    all.push(el);
    for (const c of el.children) {
      parents.set(c, el);
      walk(c);
    }
  })(root);
  const ancestors = (el: XmlElement): XmlElement[] => {
    const out: XmlElement[] = [];
    for (let p = parents.get(el); p; p = parents.get(p)) out.push(p);
    return out;
  };
  const label = (el: XmlElement) =>
    el.attrs.value !== undefined ? `<${el.tag} value="${el.attrs.value}">` : describeElement(el);

  // Hotkeys work across the whole labeling screen: one key, two meanings, and only one fires.
  const byKey = new Map<string, XmlElement>();
  for (const el of all) {
    const key = el.attrs.hotkey?.trim().toLowerCase();
    if (!key) continue;
    const first = byKey.get(key);
    if (first)
      report(
        el,
        'config-hotkey-clash',
        `hotkey "${key}" of ${label(el)} is also the hotkey of ${label(first)} on line ${at(first.line, first.col).line}; pressing it selects only one of them`,
      );
    else byKey.set(key, el);
  }

  // Colours of the options of one control, compared pairwise (each colour turned into CIELAB
  // once, pairs far apart in lightness skipped: colors.ts closePairs). A few similar pairs are one warning
  // each; more are one warning for the control, with the closest pairs as examples, so a config
  // of 2,000 labels gives one line, not 60,000.
  for (const control of all) {
    if (control.attrs.toName === undefined) continue;
    const options = control.children.flatMap(function options(c): XmlElement[] {
      return LABEL_TAGS.has(c.tag) ? [c] : c.children.flatMap(options);
    });
    const coloured = options.flatMap((o) => {
      const rgb = o.attrs.background === undefined ? undefined : parseCssColor(o.attrs.background);
      return rgb ? [{ o, lab: toLab(rgb) }] : [];
    });
    const similar: Array<{ a: XmlElement; b: XmlElement; d: number }> = [];
    let count = 0;
    closePairs(
      coloured.map((c) => c.lab),
      MIN_COLOR_DISTANCE,
      (i, j, d) => {
        count++;
        // Only the closest few are kept (to list), not every pair.
        if (similar.length < MAX_COLOR_PAIRS_LISTED || d < similar[similar.length - 1]!.d) {
          similar.push({ a: coloured[j]!.o, b: coloured[i]!.o, d });
          similar.sort((x, y) => x.d - y.d);
          if (similar.length > MAX_COLOR_PAIRS_LISTED) similar.pop();
        }
      },
    );
    const pair = ({ a, b }: { a: XmlElement; b: XmlElement }) =>
      `${label(b)} (background ${b.attrs.background}) looks almost like ${label(a)} (background ${a.attrs.background}) on line ${at(a.line, a.col).line}`;
    if (count <= MAX_COLOR_PAIRS_LISTED) {
      for (const p of similar.sort((x, y) => x.b.line - y.b.line || x.b.col - y.b.col)) {
        report(
          p.b,
          'config-similar-colors',
          `${pair(p)}: colour difference ${p.d.toFixed(1)}, below ${MIN_COLOR_DISTANCE} (CIEDE2000); annotators will mix up their regions`,
        );
      }
    } else {
      const examples = similar.map((p) => `${pair(p)} (difference ${p.d.toFixed(1)})`).join('; ');
      report(
        control,
        'config-similar-colors',
        `${describeElement(control)}: ${count.toLocaleString('en-US')} pairs of its labels have colours closer than ${MIN_COLOR_DISTANCE} (CIEDE2000), e.g. ${examples}; annotators will mix up their regions`,
      );
    }
  }

  // A control whose object is hidden (or shown only on a condition the control does not share).
  const byName = new Map(all.filter((el) => el.attrs.name !== undefined).map((el) => [el.attrs.name!, el]));
  for (const control of all) {
    if (control.attrs.toName === undefined) continue;
    const controlChain = new Set([control, ...ancestors(control)]);
    for (const target of control.attrs.toName.split(',').map((s) => s.trim())) {
      const obj = byName.get(target);
      if (!obj || !OBJECT_TAGS.has(obj.tag)) continue;
      const hider = [obj, ...ancestors(obj)].find(
        (el) => !controlChain.has(el) && (hidden(el) || el.attrs.visibleWhen !== undefined),
      );
      if (!hider) continue;
      const why = hidden(hider)
        ? `is hidden by ${hider === obj ? 'its own' : `${describeElement(hider)}'s`} style="${hider.attrs.style}" (line ${at(hider.line, hider.col).line})`
        : `is shown only when ${describeElement(hider)} on line ${at(hider.line, hider.col).line} has visibleWhen="${hider.attrs.visibleWhen}", and ${describeElement(control)} is not under that condition`;
      report(
        control,
        'config-hidden-object',
        `${describeElement(control)} labels ${describeElement(obj)}, which ${why}; annotators may not see what they label`,
      );
    }
  }

  // Choices that do not fit on one screen.
  for (const el of all) {
    if (el.tag !== 'Choices') continue;
    const count = el.children.flatMap(function options(c): XmlElement[] {
      return c.tag === 'Choice' ? [c] : c.children.flatMap(options);
    }).length;
    const inline = el.attrs.layout === 'inline' || el.attrs.showInline === 'true';
    const max = inline ? MAX_INLINE_CHOICES : MAX_STACKED_CHOICES;
    if (count > max) {
      report(
        el,
        'config-long-choices',
        `${describeElement(el)} has ${count} choices${inline ? ' inline' : ' stacked in a column'}; more than ${max} do not fit on a screen without scrolling: ${inline ? 'split them into groups' : 'use layout="inline", split them into groups, or a <Taxonomy>'}`,
      );
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.col - b.col);
}

function hidden(el: XmlElement): boolean {
  const style = el.attrs.style?.toLowerCase().replace(/\s+/g, '') ?? '';
  return /(^|;)display:none/.test(style) || /(^|;)visibility:hidden/.test(style);
}

/** Moved keys of one control warned about one by one; more make one warning naming this many. */
export const MAX_HOTKEY_MOVES_LISTED = 3;

/**
 * Labels whose key on the labeling screen changes from the old config to the new one, also the
 * keys the editor numbers by itself: annotators press keys from memory, so a moved key puts
 * regions under another label without anyone noticing. One warning per label, or one per control
 * past {@link MAX_HOTKEY_MOVES_LISTED} (adding a label at the top renumbers every label below it).
 */
export function reviewHotkeyMoves(
  before: XmlElement,
  after: XmlElement,
  at: (line: number, col: number) => { line: number; col: number } = (line, col) => ({ line, col }),
): ReviewFinding[] {
  const byControl = new Map<string, HotkeyMove[]>();
  for (const m of hotkeyMoves(before, after)) byControl.set(m.control, [...(byControl.get(m.control) ?? []), m]);
  const key = (k: string | undefined) => (k === undefined ? 'none' : `"${k}"`);
  const one = (m: HotkeyMove) =>
    `<${m.element.tag} value="${m.element.attrs.value ?? m.stored}"> ${key(m.before)} → ${key(m.after)}`;
  const why = (moves: readonly HotkeyMove[]) =>
    moves.some((m) => m.automatic)
      ? ' (the editor numbers labels without a `hotkey` in order, skipping keys that are taken)'
      : '';
  const findings: ReviewFinding[] = [];
  for (const [control, moves] of byControl) {
    const [first] = moves;
    if (!first) continue;
    const finding = (m: HotkeyMove, message: string): ReviewFinding => ({
      code: 'config-hotkey-moved',
      message,
      ...at(m.element.line, m.element.col),
      element: describeElement(m.element),
    });
    if (moves.length <= MAX_HOTKEY_MOVES_LISTED) {
      for (const m of moves)
        findings.push(
          finding(
            m,
            `the hotkey of <${m.element.tag} value="${m.element.attrs.value ?? m.stored}"> in control "${control}" changes from ${key(m.before)} to ${key(m.after)}${why([m])}; annotators used to the old key will pick another label`,
          ),
        );
    } else {
      findings.push(
        finding(
          first,
          `${moves.length} labels of control "${control}" change hotkey${why(moves)}: ${moves.slice(0, MAX_HOTKEY_MOVES_LISTED).map(one).join(', ')}, …; annotators used to the old keys will pick other labels`,
        ),
      );
    }
  }
  return findings;
}
