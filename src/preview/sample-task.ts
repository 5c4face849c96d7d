import { walkElements, type XmlElement } from '../labelconfig/parse-xml.ts';

/** The preview page's own origin; the browser never resolves it (every request is answered in-process). */
export const PREVIEW_ORIGIN = 'http://preview.labelform';
export const SAMPLE_IMAGE_URL = `${PREVIEW_ORIGIN}/__labelform/sample.png`;
export const SAMPLE_AUDIO_URL = `${PREVIEW_ORIGIN}/__labelform/sample.wav`;
/** Where a tag with `valueType="url"` loads its sample from: the preview answers these itself. */
export const SAMPLE_TEXT_URL = `${PREVIEW_ORIGIN}/__labelform/sample.txt`;
export const SAMPLE_HTML_URL = `${PREVIEW_ORIGIN}/__labelform/sample.html`;
const SAMPLE_PARAGRAPHS_PATH = '/__labelform/paragraphs.json';
const SAMPLE_TIMESERIES_PATH = '/__labelform/timeseries.csv';

const SAMPLE_TEXT =
  'Alice Johnson flew from Paris to Tokyo on Monday to meet the Acme Robotics team about the new warehouse project.';
const SAMPLE_HTML = `<div><h3>Sample page</h3><p>${SAMPLE_TEXT}</p></div>`;

/**
 * A task to show a config with, built offline from the config's `$keys` the way Label Studio's
 * sample-task endpoint does (text for text tags, a picture for Image, a tone for Audio, rows for
 * Paragraphs and Table, options for dynamic choices), with media served by the preview itself.
 * The same config always gives the same task.
 */
export function sampleTaskData(root: XmlElement): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (!(key in data)) data[key] = value;
  };
  for (const el of walkElements(root)) {
    for (const [attr, raw] of Object.entries(el.attrs)) {
      const key = /^\$([A-Za-z_][\w-]*)/.exec(raw.trim())?.[1];
      if (!key) continue;
      if (attr === 'valueList') {
        put(key, el.tag === 'Image' ? [SAMPLE_IMAGE_URL, SAMPLE_IMAGE_URL] : [SAMPLE_TEXT]);
        continue;
      }
      if (attr !== 'value') {
        put(key, `Sample ${key}`);
        continue;
      }
      put(key, byUrl(el) ? urlFor(el) : valueFor(el, key));
    }
  }
  return data;
}

function valueFor(el: XmlElement, key: string): unknown {
  switch (el.tag) {
    case 'Image':
      return SAMPLE_IMAGE_URL;
    case 'Audio':
    case 'AudioPlus':
      return SAMPLE_AUDIO_URL;
    case 'HyperText':
      return SAMPLE_HTML;
    case 'Paragraphs':
      return paragraphs(el.attrs.nameKey ?? 'author', el.attrs.textKey ?? 'text');
    case 'Table':
      return { city: 'Paris', country: 'France', population: 2102650 };
    case 'TimeSeries': {
      const time = el.attrs.timeColumn ?? 'time';
      const channels = el.children
        .filter((c) => c.tag === 'Channel')
        .map((c) => c.attrs.column)
        .filter((c): c is string => !!c);
      const series: Record<string, number[]> = { [time]: Array.from({ length: 50 }, (_, i) => i) };
      for (const [n, column] of channels.entries())
        series[column] = series[time]!.map((t) => Math.round(100 * Math.sin(t / (4 + n))) / 100);
      return series;
    }
    case 'List':
      return [
        { id: 1, title: 'Warehouse robots', body: SAMPLE_TEXT },
        { id: 2, title: 'Flight to Tokyo', body: 'Alice flew on Monday.' },
      ];
    case 'Choices':
    case 'Taxonomy':
    case 'Labels':
      // A dynamic option list (`value="$options"`).
      return [{ value: 'Option A' }, { value: 'Option B' }];
    case 'Text':
    case 'Markdown':
      return SAMPLE_TEXT;
    default:
      return key === 'text' ? SAMPLE_TEXT : `Sample ${key}`;
  }
}

/** `valueType="url"` (any case of the attribute's name): the tag loads its data from the URL in the task. */
function byUrl(el: XmlElement): boolean {
  return Object.entries(el.attrs).some(
    ([name, value]) => name.toLowerCase() === 'valuetype' && value.trim().toLowerCase() === 'url',
  );
}

/**
 * A URL the preview itself answers, for a tag that loads its data (Label Studio accepts only
 * http(s) and root-relative URLs there, so no `data:` URL): nothing leaves the machine.
 */
function urlFor(el: XmlElement): string {
  switch (el.tag) {
    case 'HyperText':
      return SAMPLE_HTML_URL;
    case 'Paragraphs':
      return `${PREVIEW_ORIGIN}${SAMPLE_PARAGRAPHS_PATH}?${new URLSearchParams({ name: el.attrs.nameKey ?? 'author', text: el.attrs.textKey ?? 'text' })}`;
    case 'TimeSeries': {
      const time = el.attrs.timeColumn ?? 'time';
      const columns = el.children
        .filter((c) => c.tag === 'Channel')
        .map((c) => c.attrs.column)
        .filter((c): c is string => !!c);
      return `${PREVIEW_ORIGIN}${SAMPLE_TIMESERIES_PATH}?${new URLSearchParams({ time, columns: columns.join(',') })}`;
    }
    case 'Image':
      return SAMPLE_IMAGE_URL;
    case 'Audio':
    case 'AudioPlus':
      return SAMPLE_AUDIO_URL;
    default:
      return SAMPLE_TEXT_URL;
  }
}

function paragraphs(name: string, text: string): Array<Record<string, string>> {
  return [
    { [name]: 'Alice', [text]: 'Hi, is the warehouse project on schedule?' },
    { [name]: 'Bob', [text]: 'Yes. The robots arrive in Tokyo on Monday.' },
  ];
}

/** The documents behind the sample URLs (`/__labelform/…` of the preview's origin), or undefined for another path. */
export function sampleDocument(url: URL): { type: string; body: string } | undefined {
  if (url.origin !== PREVIEW_ORIGIN) return undefined;
  const q = url.searchParams;
  switch (url.pathname) {
    case '/__labelform/sample.txt':
      return { type: 'text/plain; charset=utf-8', body: SAMPLE_TEXT };
    case '/__labelform/sample.html':
      return { type: 'text/html; charset=utf-8', body: SAMPLE_HTML };
    case SAMPLE_PARAGRAPHS_PATH:
      return {
        type: 'application/json',
        body: JSON.stringify(paragraphs(q.get('name') || 'author', q.get('text') || 'text')),
      };
    case SAMPLE_TIMESERIES_PATH: {
      const columns = (q.get('columns') ?? '').split(',').filter(Boolean);
      const rows = Array.from({ length: 50 }, (_, t) =>
        [t, ...columns.map((_, n) => Math.round(100 * Math.sin(t / (4 + n))) / 100)].join(','),
      );
      return {
        type: 'text/csv; charset=utf-8',
        body: `${[q.get('time') || 'time', ...columns].join(',')}\n${rows.join('\n')}\n`,
      };
    }
    default:
      return undefined;
  }
}
