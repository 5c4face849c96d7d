import { walkElements, type XmlElement } from '../labelconfig/parse-xml.ts';

/** The preview page's own origin; the browser never resolves it (every request is answered in-process). */
export const PREVIEW_ORIGIN = 'http://preview.labelform';
export const SAMPLE_IMAGE_URL = `${PREVIEW_ORIGIN}/__labelform/sample.png`;
export const SAMPLE_AUDIO_URL = `${PREVIEW_ORIGIN}/__labelform/sample.wav`;

const SAMPLE_TEXT = 'Alice Johnson flew from Paris to Tokyo on Monday to meet the Acme Robotics team about the new warehouse project.';

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
      put(key, valueFor(el, key));
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
      return `<div><h3>Sample page</h3><p>${SAMPLE_TEXT}</p></div>`;
    case 'Paragraphs': {
      const name = el.attrs.nameKey ?? 'author';
      const text = el.attrs.textKey ?? 'text';
      return [
        { [name]: 'Alice', [text]: 'Hi, is the warehouse project on schedule?' },
        { [name]: 'Bob', [text]: 'Yes. The robots arrive in Tokyo on Monday.' },
      ];
    }
    case 'Table':
      return { city: 'Paris', country: 'France', population: 2102650 };
    case 'TimeSeries': {
      const time = el.attrs.timeColumn ?? 'time';
      const channels = el.children.filter((c) => c.tag === 'Channel').map((c) => c.attrs.column).filter((c): c is string => !!c);
      const series: Record<string, number[]> = { [time]: Array.from({ length: 50 }, (_, i) => i) };
      for (const [n, column] of channels.entries()) series[column] = series[time]!.map((t) => Math.round(100 * Math.sin(t / (4 + n))) / 100);
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
