import { SaxesParser } from 'saxes';
import { parseLabelConfigXml, walkElements, type XmlElement } from '../../../labelconfig/parse-xml.ts';
import { LABELED_CONTROL_TAGS } from '../../../labelconfig/tags.ts';
import { migrationSources, type LabelMigration } from './types.ts';

/**
 * The config a migration runs under ("expand"): the new config with the labels the migrations
 * remove put back into their controls, so that while annotations are rewritten every one of them
 * — old labels and new — is a label of the config the editor draws. Each label put back is a copy
 * of the live config's element (its attributes: colour, alias, hotkey …), or a bare option when
 * the live config no longer has it. The rest of the new config is kept byte for byte; the labels
 * go in just before the control's end tag.
 *
 * Returns the new config itself when nothing has to be put back.
 */
export function expandConfig(desiredXml: string, liveXml: string, migrations: readonly LabelMigration[]): string {
  const desired = parseLabelConfigXml(desiredXml);
  if (!desired.ok) return desiredXml;
  const live = parseLabelConfigXml(liveXml);
  const liveControls = live.ok ? controlsByName(live.root) : new Map<string, XmlElement>();
  const desiredControls = controlsByName(desired.root);

  const additions = new Map<string, string[]>();
  for (const m of migrations) {
    const control = desiredControls.get(m.control);
    if (!control) continue;
    const present = new Set(optionsOf(control).map(stored));
    for (const source of migrationSources(m)) {
      if (present.has(source)) continue;
      present.add(source);
      const old = liveControls.get(m.control);
      const copy = old ? optionsOf(old).find((o) => stored(o) === source) : undefined;
      const tag = copy?.tag ?? (control.tag === 'Choices' || control.tag === 'Taxonomy' ? 'Choice' : 'Label');
      const attrs = copy ? copy.attrs : { value: source };
      additions.set(m.control, [...(additions.get(m.control) ?? []), element(tag, attrs)]);
    }
  }
  if (additions.size === 0) return desiredXml;

  // Where each control ends in the text: its end tag, or the `/>` of an empty one.
  const inserts: Array<{ at: number; text: string; selfClosing: boolean }> = [];
  const parser = new SaxesParser({ position: true });
  const open: Array<{ name?: string; tag: string; selfClosing: boolean }> = [];
  parser.on('opentag', (t) => {
    const name = LABELED_CONTROL_TAGS.has(t.name) ? String(t.attributes.name ?? '') : undefined;
    open.push({ ...(name !== undefined ? { name } : {}), tag: t.name, selfClosing: t.isSelfClosing });
  });
  parser.on('closetag', () => {
    const el = open.pop();
    const added = el?.name !== undefined ? additions.get(el.name) : undefined;
    if (!el || !added) return;
    additions.delete(el.name!);
    const end = parser.position;
    const text = added.join('');
    if (el.selfClosing) {
      const slash = desiredXml.lastIndexOf('/>', end);
      inserts.push({ at: slash, text: `>${text}</${el.tag}>`, selfClosing: true });
    } else {
      inserts.push({ at: desiredXml.lastIndexOf('</', end), text, selfClosing: false });
    }
  });
  parser.write(desiredXml).close();

  let out = desiredXml;
  for (const i of inserts.sort((a, b) => b.at - a.at)) {
    // An empty control's `/>` becomes `>…</Tag>`: the slash goes.
    out = out.slice(0, i.at) + i.text + out.slice(i.selfClosing ? i.at + 2 : i.at);
  }
  return out;
}

function controlsByName(root: XmlElement): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const el of walkElements(root))
    if (LABELED_CONTROL_TAGS.has(el.tag) && el.attrs.name !== undefined && !out.has(el.attrs.name))
      out.set(el.attrs.name, el);
  return out;
}

/** The options of a control at any depth (a Taxonomy nests its choices). */
function optionsOf(control: XmlElement): XmlElement[] {
  return [...walkElements(control)].filter((el) => el !== control && (el.tag === 'Label' || el.tag === 'Choice'));
}

/** What results store for an option: its alias, else its value. */
function stored(el: XmlElement): string {
  return el.attrs.alias ?? el.attrs.value ?? '';
}

function element(tag: string, attrs: Readonly<Record<string, string>>): string {
  const text = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')}"`)
    .join('');
  return `<${tag}${text}/>`;
}
