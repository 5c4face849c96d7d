/**
 * Label Studio tag families, as far as the static checks need them. Object tags show task data
 * (they read `value="$key"`); control tags produce annotation results (they point at an object
 * tag through `toName`); label tags are the options inside a control.
 */
export const OBJECT_TAGS: ReadonlySet<string> = new Set([
  'Image',
  'Text',
  'HyperText',
  'Audio',
  'AudioPlus',
  'Video',
  'TimeSeries',
  'Paragraphs',
  'Table',
  'Pdf',
  'List',
  'Markdown',
  'Chat',
  'MultiChannel',
]);

/** Controls whose options are child <Label>/<Choice> elements (or dynamic, via `value="$key"`). */
export const LABELED_CONTROL_TAGS: ReadonlySet<string> = new Set([
  'Labels',
  'Choices',
  'Taxonomy',
  'RectangleLabels',
  'PolygonLabels',
  'KeyPointLabels',
  'BrushLabels',
  'EllipseLabels',
  'HyperTextLabels',
  'ParagraphLabels',
  'TimeSeriesLabels',
  'TimelineLabels',
  'VideoRectangleLabels',
  'BitmaskLabels',
  'VectorLabels',
  'PolylineLabels',
]);

/** Child tags that carry one option of a labeled control in their `value`. */
export const LABEL_TAGS: ReadonlySet<string> = new Set(['Label', 'Choice']);

/** Tags that never take part in annotation results (Label Studio skips `Filter` in weights too). */
export const NON_RESULT_CONTROLS: ReadonlySet<string> = new Set(['Filter', 'Relations', 'Relation']);
