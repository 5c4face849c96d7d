/**
 * An approximation of `bleach.clean(html, tags=SAFE_HTML_TAGS, attributes=SAFE_HTML_ATTRIBUTES)`,
 * which Label Studio runs on `expert_instruction`: allowed tags are re-serialised with allowed
 * attributes only (double-quoted; `on*` handlers, `style`, `id` dropped; `javascript:` URLs
 * removed), other tags escaped, comments dropped, bare `<`, `>` and `&` in text escaped, and a
 * `<tbody>` added where html5lib would add one. `<script>`, `<iframe>` and `<style>` are on
 * Label Studio's allow list, so they survive (checked on 1.23.2).
 */

const SAFE_TAGS = new Set(
  (
    'html base head link meta style title body address article aside footer header h1 h2 h3 h4 h5 h6 main nav section ' +
    'blockquote dd div dl dt figcaption figure hr li menu ol p pre ul a abbr b bdi bdo br cite code data dfn em i kbd mark ' +
    'q rp rt ruby s samp small span strong sub sup time u var wbr area audio img map track video embed iframe object ' +
    'picture portal source svg math canvas noscript script del ins caption col colgroup table tbody td tfoot th thead tr ' +
    'button datalist fieldset form input label legend meter optgroup option output progress select textarea details ' +
    'dialog summary slot template'
  ).split(' '),
);
const SAFE_ATTRIBUTES = new Set(
  (
    'align alink alt bgcolor border cellpadding cellspacing class color cols colspan coords dir face href height hspace ' +
    'ismap lang marginheight marginwidth multiple name nohref noresize noshade nowrap ref rel rev rows rowspan scrolling ' +
    'shape span src summary tabindex title type usemap valign value vlink vspace width'
  ).split(' '),
);
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
// Raw-text elements: Label Studio 1.23.2 (bleach) stores their content escaped (checked: style, script, noscript, iframe).
const RAW_TEXT = new Set(['script', 'style', 'noscript', 'iframe', 'xmp', 'noembed', 'noframes', 'textarea', 'title']);
const URL_ATTRIBUTES = new Set(['href', 'src']);
const SAFE_PROTOCOLS = new Set(['http', 'https', 'mailto']);

export function sanitizeHtml(html: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const tag =
      /^<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/.exec(
        html.slice(i),
      );
    if (!tag) {
      const next = html.indexOf('<', i + 1);
      const stop = next < 0 ? html.length : next;
      out += escapeText(html.slice(i, stop));
      i = stop;
      continue;
    }
    const [whole, closing, rawName, rawAttrs] = tag as unknown as [string, string, string, string];
    const name = rawName.toLowerCase();
    i += whole.length;
    if (!SAFE_TAGS.has(name)) {
      out += escapeText(whole);
      continue;
    }
    if (closing) {
      if (!VOID.has(name)) out += `</${name}>`;
      continue;
    }
    out += `<${name}${serialiseAttributes(rawAttrs)}>`;
    if (RAW_TEXT.has(name)) {
      const end = html.toLowerCase().indexOf(`</${name}`, i);
      const stop = end < 0 ? html.length : end;
      out += escapeText(html.slice(i, stop));
      i = stop;
    }
  }
  return addTbody(out);
}

function serialiseAttributes(raw: string): string {
  let out = '';
  const seen = new Set<string>();
  for (const m of raw.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    const value = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    if (!SAFE_ATTRIBUTES.has(name) || seen.has(name)) continue;
    if (URL_ATTRIBUTES.has(name)) {
      const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(value.replace(/[\u0000-\u001f]/g, ''))?.[1]?.toLowerCase();
      if (scheme && !SAFE_PROTOCOLS.has(scheme)) continue;
    }
    seen.add(name);
    out += ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`;
  }
  return out;
}

function escapeText(text: string): string {
  return text
    .replace(/&(?!(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** html5lib puts rows that sit directly in a table into an implied <tbody>. */
function addTbody(html: string): string {
  return html.replace(/<table([^>]*)>((?:(?!<\/table>)[\s\S])*?)<\/table>/g, (whole, attrs: string, inner: string) => {
    if (/<tbody[\s>]/.test(inner) || !/^\s*<tr[\s>]/.test(inner)) return whole;
    return `<table${attrs}><tbody>${inner}</tbody></table>`;
  });
}
