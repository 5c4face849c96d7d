import { parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';
import { pythonStrip } from '../../util/python-strip.ts';
import { supports } from '../../api/server-versions.ts';
import type { ProjectField } from './fields.ts';

export { pythonStrip };

/**
 * Puts a desired or live value of a project field into the form the server would store, so that
 * "apply, then plan" shows no change. Every server rewrite we know of is accounted for here:
 * - title, description and label_config are trimmed by DRF (Python `str.strip()` rules);
 * - expert_instruction goes through bleach with Label Studio's allowlist and is re-serialised
 *   (from 1.7: `release`, the server's, when known; an unknown release counts as new);
 * - pinned_at comes back in UTC;
 * - null and '' are the same for the nullable strings.
 */
export function normaliseProjectField(
  field: ProjectField,
  value: unknown,
  side: 'desired' | 'live',
  release?: string,
): unknown {
  switch (field) {
    case 'title':
    case 'description':
    case 'label_config':
    case 'model_version':
    case 'task_data_login':
    case 'task_data_password':
      return value === null || value === undefined ? '' : pythonStrip(String(value));
    case 'expert_instruction': {
      const html = value === null || value === undefined ? '' : pythonStrip(String(value));
      return normaliseHtml(html, side === 'desired' && supports(release, 'expertInstructionSanitised'));
    }
    case 'pinned_at': {
      if (value === null || value === undefined || value === '') return null;
      // The server reads a time without an offset as UTC; Date.parse would read it as local time.
      const text = String(value);
      const t = Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(text) || !/T\d/.test(text) ? text : `${text}Z`);
      return Number.isNaN(t) ? text : new Date(t).toISOString();
    }
    // The server keeps these as written. A new field is a lint error here until it is placed.
    case 'annotator_evaluation_enabled':
    case 'color':
    case 'control_weights':
    case 'enable_empty_annotation':
    case 'evaluate_predictions_automatically':
    case 'is_draft':
    case 'is_published':
    case 'maximum_annotations':
    case 'min_annotations_to_start_training':
    case 'overlap_cohort_percentage':
    case 'reveal_preannotations_interactively':
    case 'sampling':
    case 'show_annotation_history':
    case 'show_collab_predictions':
    case 'show_ground_truth_first':
    case 'show_instruction':
    case 'show_overlap_first':
    case 'show_skip_button':
    case 'skip_queue':
    case 'start_training_on_annotation_update':
    default:
      return value === undefined ? null : value;
  }
}

// Label Studio's allowlist for expert_instruction (`label_studio/constants.py`), applied with bleach.
const SAFE_TAGS = new Set(
  'html base head link meta style title body address article aside footer header h1 h2 h3 h4 h5 h6 main nav section blockquote dd div dl dt figcaption figure hr li menu ol p pre ul a abbr b bdi bdo br cite code data dfn em i kbd mark q rp rt ruby s samp small span strong sub sup time u var wbr area audio img map track video embed iframe object picture portal source svg math canvas noscript script del ins caption col colgroup table tbody td tfoot th thead tr button datalist fieldset form input label legend meter optgroup option output progress select textarea details dialog summary slot template'.split(
    ' ',
  ),
);
const SAFE_ATTRIBUTES = new Set(
  'align alink alt bgcolor border cellpadding cellspacing class color cols colspan coords dir face href height hspace ismap lang marginheight marginwidth multiple name nohref noresize noshade nowrap ref rel rev rows rowspan scrolling shape span src summary tabindex title type usemap valign value vlink vspace width'.split(
    ' ',
  ),
);
const URL_ATTRIBUTES = new Set(['href', 'src']);
const SAFE_PROTOCOLS = /^(https?|mailto):/i;

type ChildNode = DefaultTreeAdapterMap['childNode'];
type TextNode = DefaultTreeAdapterMap['textNode'];

/** Elements whose content parse5 writes back raw, but bleach writes as escaped text. */
const RAW_TEXT = new Set(['style', 'script', 'noscript', 'iframe', 'xmp', 'noembed', 'noframes']);

/**
 * Parses HTML the way browsers (and bleach's html5lib) do and serialises it again; with
 * `sanitise`, first does what bleach does to it: drops comments, attributes off the allowlist and
 * URL attributes with a non-http(s)/mailto protocol, escapes the content of raw-text elements,
 * and escapes tags off the allowlist exactly as they were written. Checked against what Label
 * Studio 1.23.2 stored for 19 kinds of input (test/unit/expert-instruction.test.ts).
 */
export function normaliseHtml(html: string, sanitise: boolean): string {
  if (!html.includes('<') && !html.includes('&') && !html.includes('>')) return html;
  const fragment = parseFragment(html, { sourceCodeLocationInfo: sanitise });
  if (sanitise) sanitiseNodes(fragment.childNodes, html);
  return serialize(fragment);
}

function sanitiseNodes(nodes: ChildNode[], source: string): void {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!; // i < nodes.length (the loop walks by index: it removes nodes as it goes)
    if (node.nodeName === '#comment') {
      // bleach.clean strips comments by default (strip_comments=True).
      nodes.splice(i--, 1);
      continue;
    }
    if (!('tagName' in node)) continue;
    const el = node;
    if (RAW_TEXT.has(el.tagName)) {
      for (const child of el.childNodes)
        if (child.nodeName === '#text' && 'value' in child) child.value = escapeText(child.value);
    }
    el.attrs = el.attrs.filter(
      (a) =>
        SAFE_ATTRIBUTES.has(a.name) &&
        !(
          URL_ATTRIBUTES.has(a.name) &&
          /^\s*[a-z][a-z0-9+.-]*:/i.test(a.value) &&
          !SAFE_PROTOCOLS.test(a.value.trim())
        ),
    );
    sanitiseNodes(el.childNodes, source);
    if ('content' in el && el.content) sanitiseNodes(el.content.childNodes, source);
    if (!SAFE_TAGS.has(el.tagName)) {
      // bleach escapes a disallowed element's tags as written (`<x a="1"/>` stays `/>`) and keeps its children.
      const loc = el.sourceCodeLocation;
      const open = loc?.startTag ? source.slice(loc.startTag.startOffset, loc.startTag.endOffset) : `<${el.tagName}>`;
      const close = loc?.endTag ? source.slice(loc.endTag.startOffset, loc.endTag.endOffset) : '';
      const text = (value: string): TextNode => ({ nodeName: '#text', value, parentNode: el.parentNode });
      const replacement = [text(open), ...el.childNodes, ...(close ? [text(close)] : [])];
      nodes.splice(i, 1, ...replacement);
      i += replacement.length - 1;
    }
  }
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
