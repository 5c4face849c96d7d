import { describeElement, type XmlElement } from './parse-xml.ts';
import { LABELED_CONTROL_TAGS } from './tags.ts';

/**
 * The keys the labeling editor gives labels that have no `hotkey` of their own, in this order
 * (Label Studio's editor, `Hotkey.makeComb` in `web/libs/editor/src/core/Hotkey.ts`, 1.23).
 */
export const AUTO_HOTKEYS = '1234567890qwetasdfgzxcvbyiopjklnm';

/** One option that answers a key on the labeling screen, and the key it ends up with. */
export interface EffectiveHotkey {
  /** The control's `name`. */
  readonly control: string;
  /** What results store for the option: its `alias`, else its `value`. */
  readonly stored: string;
  readonly element: XmlElement;
  /** undefined: the editor ran out of keys (more than 33 options without one). */
  readonly key: string | undefined;
  /** true when the editor picked the key (no `hotkey` attribute). */
  readonly automatic: boolean;
}

/**
 * The hotkey each label and choice gets in the editor. The editor walks the config in document
 * order twice: first it binds every explicit `hotkey`, then it gives each option that answers a
 * key (a `<Label>` of a labels control, a `<Choice>` of `<Choices>`, not of `<Taxonomy>`) and has
 * none the first key of {@link AUTO_HOTKEYS} not yet bound. So adding a label with `hotkey="1"`
 * moves every numbered label after it by one key.
 */
export function effectiveHotkeys(root: XmlElement): EffectiveHotkey[] {
  const options: Array<{ control: XmlElement; el: XmlElement }> = [];
  const bound = new Set<string>();
  (function walk(el: XmlElement, control: XmlElement | undefined) {
    const own = el.attrs.hotkey?.trim();
    const answers =
      control !== undefined &&
      ((el.tag === 'Label' && control.tag !== 'Choices' && control.tag !== 'Taxonomy') ||
        (el.tag === 'Choice' && control.tag === 'Choices'));
    if (answers) options.push({ control, el });
    // Any element's own hotkey takes its key (a Shortcut, a Rating …), except options the editor
    // never binds (a Taxonomy's choices).
    if (own && (answers || !(el.tag === 'Choice' || el.tag === 'Label'))) bound.add(normaliseKey(own));
    const next = LABELED_CONTROL_TAGS.has(el.tag) ? el : control;
    for (const c of el.children) walk(c, next);
  })(root, undefined);

  return options.map(({ control, el }) => {
    const own = el.attrs.hotkey?.trim();
    const stored = el.attrs.alias ?? el.attrs.value ?? '';
    const name = control.attrs.name ?? describeElement(control);
    if (own) return { control: name, stored, element: el, key: normaliseKey(own), automatic: false };
    const key = [...AUTO_HOTKEYS].find((k) => !bound.has(k));
    if (key !== undefined) bound.add(key);
    return { control: name, stored, element: el, key, automatic: true };
  });
}

/** The editor lower-cases a key and drops its spaces before binding it. */
function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/\s/g, '');
}

/** A label whose key on the labeling screen is not the same after a config change. */
export interface HotkeyMove {
  readonly control: string;
  readonly stored: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
  /** The option in the new config (for its position). */
  readonly element: XmlElement;
  readonly automatic: boolean;
}

/**
 * Labels in both configs (same control, same stored value) whose key changes. Annotators press
 * keys from memory: a moved key labels regions with another label without anyone noticing.
 */
export function hotkeyMoves(before: XmlElement, after: XmlElement): HotkeyMove[] {
  const id = (h: EffectiveHotkey) => `${h.control}\u0000${h.stored}`;
  const old = new Map<string, EffectiveHotkey>();
  for (const h of effectiveHotkeys(before)) if (!old.has(id(h))) old.set(id(h), h);
  const moves: HotkeyMove[] = [];
  const seen = new Set<string>();
  for (const h of effectiveHotkeys(after)) {
    const was = old.get(id(h));
    if (!was || seen.has(id(h))) continue;
    seen.add(id(h));
    if (was.key !== h.key)
      moves.push({
        control: h.control,
        stored: h.stored,
        before: was.key,
        after: h.key,
        element: h.element,
        automatic: h.automatic || was.automatic,
      });
  }
  return moves;
}
