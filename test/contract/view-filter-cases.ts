/**
 * Data Manager tabs and what Label Studio 1.23.2 answers when their tasks are listed
 * (`GET /api/tasks/?view=ID`): 200, or 500 for everyone who opens the tab. Measured on the real
 * server; the contract suite (views.test.ts) holds the fake and the real server to this table, and
 * test/integration/view-filters.test.ts holds `labelform validate` to it: every tab that answers 500 is
 * refused at validate, every other one passes, except the few marked `stricter` (refused although
 * the server lists them: a sort column after the first, which the server ignores, a relation of
 * the Task model, which is no column, an equal operator on a list column, which a server on
 * PostgreSQL refuses with a 400, and the task fields 1.23 added, which older servers answer 500 for).
 */
export interface ViewCase {
  readonly name: string;
  /** The tab's `data` (without its title). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly server: 200 | 500;
  readonly stricter?: true;
  /** The release from which the server answers `server`; before it, 500 (a field or column it cannot resolve yet). */
  readonly since?: string;
}

export const VIEW_CASES: readonly ViewCase[] = [
  {
    name: 'ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'greater', type: 'Number', value: 0 }],
      },
    },
    server: 200,
  },
  {
    name: 'badcol',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:nonexistent_column', operator: 'equal', type: 'String', value: 'x' }],
      },
    },
    server: 500,
  },
  { name: 'badorder', data: { ordering: ['-tasks:bogus'] }, server: 500 },
  { name: 'badorder2nd', data: { ordering: ['tasks:id', '-tasks:bogus'] }, server: 200, stricter: true },
  {
    name: 'numabc',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: 'abc' }],
      },
    },
    server: 500,
  },
  {
    name: 'numabc-data',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.n', operator: 'equal', type: 'Number', value: 'abc' }],
      },
    },
    server: 500,
  },
  {
    name: 'numstr-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: '2' }],
      },
    },
    server: 200,
  },
  {
    name: 'num-empty-str',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: '' }],
      },
    },
    server: 500,
  },
  {
    name: 'num-bool',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: true }],
      },
    },
    server: 200,
  },
  {
    name: 'num-list',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: [1] }],
      },
    },
    server: 500,
  },
  {
    name: 'str-on-num-col',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'String', value: 'abc' }],
      },
    },
    server: 500,
  },
  {
    name: 'str-on-num-col-gt',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'greater', type: 'String', value: 'abc' }],
      },
    },
    server: 500,
  },
  {
    name: 'str-contains-num-col',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'contains', type: 'String', value: 'abc' }],
      },
    },
    server: 200,
  },
  {
    name: 'dt-bad',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:completed_at', operator: 'greater', type: 'Datetime', value: '2024-01-01' }],
      },
    },
    server: 500,
  },
  {
    name: 'dt-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:created_at',
            operator: 'greater',
            type: 'Datetime',
            value: '2024-01-01T00:00:00.000Z',
          },
        ],
      },
    },
    server: 200,
  },
  {
    name: 'dt-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:created_at', operator: 'greater', type: 'Datetime', value: 5 }],
      },
    },
    server: 500,
  },
  {
    name: 'dt-str-type-bad',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:created_at', operator: 'greater', type: 'String', value: 'yesterday' }],
      },
    },
    server: 500,
  },
  {
    name: 'dt-str-type-iso',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:created_at', operator: 'greater', type: 'String', value: '2024-01-01' }],
      },
    },
    server: 200,
  },
  {
    name: 'bool-bad',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:draft_exists', operator: 'equal', type: 'Boolean', value: 'maybe' }],
      },
    },
    server: 500,
  },
  {
    name: 'bool-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:draft_exists', operator: 'equal', type: 'Boolean', value: true }],
      },
    },
    server: 200,
  },
  {
    name: 'bool-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:draft_exists', operator: 'equal', type: 'Boolean', value: 3 }],
      },
    },
    server: 500,
  },
  {
    name: 'in-scalar',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'in', type: 'Number', value: 3 }],
      },
    },
    server: 500,
  },
  {
    name: 'in-nomax',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'in', type: 'Number', value: { min: 1 } }],
      },
    },
    server: 500,
  },
  {
    name: 'in-abc',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          { filter: 'filter:tasks:total_annotations', operator: 'in', type: 'Number', value: { min: 'a', max: 'b' } },
        ],
      },
    },
    server: 500,
  },
  {
    name: 'in-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          { filter: 'filter:tasks:total_annotations', operator: 'in', type: 'Number', value: { min: 1, max: 4 } },
        ],
      },
    },
    server: 200,
  },
  {
    name: 'in-dt-bad',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:created_at',
            operator: 'in',
            type: 'Datetime',
            value: { min: '2024-01-01', max: '2024-02-01' },
          },
        ],
      },
    },
    server: 500,
  },
  {
    name: 'in-str-range',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'in', type: 'String', value: { min: 'a', max: 'z' } }],
      },
    },
    server: 200,
  },
  {
    name: 'value-null',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'equal', type: 'Number', value: null }],
      },
    },
    server: 500,
  },
  {
    name: 'value-dict',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'equal', type: 'String', value: { a: 1 } }],
      },
    },
    server: 500,
  },
  {
    name: 'empty-bad',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'empty', type: 'String', value: 'maybe' }],
      },
    },
    server: 500,
  },
  {
    name: 'empty-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'empty', type: 'String', value: false }],
      },
    },
    server: 200,
  },
  {
    name: 'unknown-op',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'frobnicate', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  {
    name: 'annotators-abc',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotators', operator: 'contains', type: 'List', value: 'abc' }],
      },
    },
    server: 500,
  },
  {
    name: 'annotators-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotators', operator: 'contains', type: 'List', value: 1 }],
      },
    },
    server: 200,
  },
  {
    name: 'annids-eq-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotations_ids', operator: 'equal', type: 'String', value: 5 }],
      },
    },
    server: 500,
  },
  {
    name: 'pmv-contains-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:predictions_model_versions', operator: 'contains', type: 'List', value: 5 }],
      },
    },
    server: 500,
  },
  {
    name: 'inlist-scalar',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'in_list', type: 'Number', value: 5 }],
      },
    },
    server: 500,
  },
  {
    name: 'inlist-ok',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'in_list', type: 'Number', value: [1, 2] }],
      },
    },
    server: 200,
  },
  {
    name: 'state-col',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:state', operator: 'equal', type: 'String', value: 'x' }],
      },
    },
    server: 500,
  },
  { name: 'state-order', data: { ordering: ['tasks:state'] }, server: 500 },
  {
    name: 'is_labeled',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:is_labeled', operator: 'equal', type: 'Boolean', value: true }],
      },
    },
    server: 200,
  },
  { name: 'overlap-order', data: { ordering: ['tasks:overlap'] }, server: 200 },
  { name: 'order-data', data: { ordering: ['-tasks:data.text'] }, server: 200 },
  { name: 'order-desc-after', data: { ordering: ['tasks:-id'] }, server: 200 },
  { name: 'order-desc-twice', data: { ordering: ['-tasks:-id'] }, server: 500 },
  { name: 'order-data-empty', data: { ordering: ['tasks:data.'] }, server: 200 },
  {
    name: 'filter-data-empty',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.', operator: 'equal', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  {
    name: 'filter-data-root',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data', operator: 'contains', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  { name: 'hidden-explore-only', data: { hiddenColumns: { explore: ['tasks:id'] } }, server: 500 },
  { name: 'hidden-labeling-only', data: { hiddenColumns: { labeling: ['tasks:id'] } }, server: 500 },
  {
    name: 'hidden-both',
    data: { hiddenColumns: { explore: ['tasks:bogus'], labeling: ['tasks:bogus'] } },
    server: 200,
  },
  { name: 'hidden-empty', data: { hiddenColumns: {} }, server: 200 },
  {
    name: 'conj-upper',
    data: {
      filters: {
        conjunction: 'AND',
        items: [{ filter: 'filter:tasks:id', operator: 'greater', type: 'Number', value: 0 }],
      },
    },
    server: 500,
  },
  {
    name: 'num-type-on-dt',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:created_at', operator: 'greater', type: 'Number', value: 5 }],
      },
    },
    server: 500,
  },
  {
    name: 'dt-type-on-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:total_annotations',
            operator: 'greater',
            type: 'Datetime',
            value: '2024-01-01T00:00:00.000Z',
          },
        ],
      },
    },
    server: 500,
  },
  {
    name: 'bool-type-on-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'equal', type: 'Boolean', value: true }],
      },
    },
    server: 200,
  },
  {
    name: 'bool-type-on-dt',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:created_at', operator: 'equal', type: 'Boolean', value: true }],
      },
    },
    server: 500,
  },
  {
    name: 'dt-on-data',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:data.text',
            operator: 'greater',
            type: 'Datetime',
            value: '2024-01-01T00:00:00.000Z',
          },
        ],
      },
    },
    server: 500,
  },
  {
    name: 'dt-in-on-data',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:data.text',
            operator: 'in',
            type: 'Datetime',
            value: { min: '2024-01-01T00:00:00.000Z', max: '2024-01-02T00:00:00.000Z' },
          },
        ],
      },
    },
    server: 500,
  },
  {
    name: 'bool-on-data',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'equal', type: 'Boolean', value: true }],
      },
    },
    server: 200,
  },
  {
    name: 'num-contains-num',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'contains', type: 'Number', value: '1' }],
      },
    },
    server: 200,
  },
  {
    name: 'str-empty-num-1',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'empty', type: 'String', value: 1 }],
      },
    },
    server: 200,
  },
  {
    name: 'empty-num-col-1',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_annotations', operator: 'empty', type: 'Number', value: 1 }],
      },
    },
    server: 200,
  },
  {
    name: 'bool-1-on-boolcol',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:draft_exists', operator: 'equal', type: 'Boolean', value: 1 }],
      },
    },
    server: 200,
  },
  {
    name: 'bool-strtrue-on-boolcol',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:draft_exists', operator: 'equal', type: 'Boolean', value: 'true' }],
      },
    },
    server: 200,
  },
  {
    name: 'str-type-bool-col',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:draft_exists', operator: 'equal', type: 'String', value: 'yes' }],
      },
    },
    server: 500,
  },
  {
    name: 'str-type-bool-col-t',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:is_labeled', operator: 'equal', type: 'String', value: 'True' }],
      },
    },
    server: 200,
  },
  {
    name: 'dt-short-ms',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          { filter: 'filter:tasks:created_at', operator: 'greater', type: 'Datetime', value: '2024-1-1T0:0:0.5Z' },
        ],
      },
    },
    server: 200,
  },
  {
    name: 'dt-no-ms',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          { filter: 'filter:tasks:created_at', operator: 'greater', type: 'Datetime', value: '2024-01-01T00:00:00Z' },
        ],
      },
    },
    server: 500,
  },
  {
    name: 'list-eq-data',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'equal', type: 'String', value: ['a'] }],
      },
    },
    server: 200,
  },
  {
    name: 'list-eq-numcol',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'equal', type: 'String', value: [1] }],
      },
    },
    server: 500,
  },
  {
    name: 'list-eq-str-results',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotations_results', operator: 'contains', type: 'String', value: ['a'] }],
      },
    },
    server: 200,
  },
  {
    name: 'dict-with-equal',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'equal', type: 'String', value: { min: 'a', max: 'b' } }],
      },
    },
    server: 500,
  },
  {
    name: 'in-str-on-numcol',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'in', type: 'String', value: { min: 'a', max: 'b' } }],
      },
    },
    server: 500,
  },
  {
    name: 'in-str-on-numcol-numeric',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:id', operator: 'in', type: 'String', value: { min: '1', max: '5' } }],
      },
    },
    server: 200,
  },
  {
    name: 'in-list-type-str-dt',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:created_at',
            operator: 'in',
            type: 'String',
            value: { min: '2024-01-01', max: '2025-01-01' },
          },
        ],
      },
    },
    server: 200,
  },
  {
    name: 'comment_count',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:comment_count', operator: 'greater', type: 'Number', value: 0 }],
      },
    },
    server: 200,
  },
  {
    name: 'allow_skip',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:allow_skip', operator: 'equal', type: 'Boolean', value: true }],
      },
    },
    server: 200,
    stricter: true,
    since: '1.23',
  },
  {
    name: 'precomputed_agreement',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:precomputed_agreement', operator: 'greater', type: 'Number', value: 0 }],
      },
    },
    server: 200,
    stricter: true,
    since: '1.23',
  },
  {
    name: 'meta',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:meta', operator: 'contains', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  {
    name: 'last_comment_updated_at',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          {
            filter: 'filter:tasks:last_comment_updated_at',
            operator: 'greater',
            type: 'Datetime',
            value: '2024-01-01T00:00:00.000Z',
          },
        ],
      },
    },
    server: 200,
  },
  {
    name: 'unresolved_comment_count',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:unresolved_comment_count', operator: 'greater', type: 'Number', value: 0 }],
      },
    },
    server: 200,
  },
  { name: 'order-meta', data: { ordering: ['tasks:meta'] }, server: 200 },
  { name: 'order-annotators', data: { ordering: ['tasks:annotators'] }, server: 200 },
  { name: 'order-storage_filename', data: { ordering: ['-tasks:storage_filename'] }, server: 200, since: '1.13' },
  { name: 'order-file_upload', data: { ordering: ['tasks:file_upload'] }, server: 200 },
  { name: 'order-predictions_score', data: { ordering: ['tasks:predictions_score'] }, server: 200 },
  { name: 'order-pmv', data: { ordering: ['tasks:predictions_model_versions'] }, server: 200 },
  { name: 'order-ann-ids', data: { ordering: ['tasks:annotations_ids'] }, server: 200 },
  { name: 'order-ann-res', data: { ordering: ['tasks:annotations_results'] }, server: 200 },
  { name: 'order-pred-res', data: { ordering: ['tasks:predictions_results'] }, server: 200 },
  { name: 'order-avg', data: { ordering: ['tasks:avg_lead_time'] }, server: 200 },
  { name: 'order-draft', data: { ordering: ['tasks:draft_exists'] }, server: 200 },
  { name: 'order-updated_by', data: { ordering: ['tasks:updated_by'] }, server: 200 },
  { name: 'order-data-root', data: { ordering: ['tasks:data'] }, server: 200 },
  { name: 'order-annotations-rel', data: { ordering: ['tasks:annotations'] }, server: 200, stricter: true },
  {
    name: 'filt-storage_filename',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:storage_filename', operator: 'contains', type: 'String', value: 'x' }],
      },
    },
    server: 200,
    since: '1.13',
  },
  {
    name: 'filt-file_upload',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:file_upload', operator: 'contains', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-pscore',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:predictions_score', operator: 'greater', type: 'Number', value: 0.5 }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-avg',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:avg_lead_time', operator: 'greater', type: 'Number', value: 1 }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-updated_by-contains',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:updated_by', operator: 'contains', type: 'List', value: 1 }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-annids-contains',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotations_ids', operator: 'contains', type: 'String', value: '1,2' }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-annres-eq',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotations_results', operator: 'equal', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-annres-gt',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotations_results', operator: 'greater', type: 'String', value: 'x' }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-pmv-contains-str',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:predictions_model_versions', operator: 'contains', type: 'List', value: 'v1' }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-pmv-eq',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:predictions_model_versions', operator: 'equal', type: 'String', value: 'v1' }],
      },
    },
    server: 200,
    stricter: true,
  },
  {
    name: 'filt-annotators-eq',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:annotators', operator: 'equal', type: 'List', value: 1 }],
      },
    },
    server: 200,
    stricter: true,
  },
  {
    name: 'filt-inner',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:inner_id', operator: 'less', type: 'Number', value: 10 }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-cancelled',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:cancelled_annotations', operator: 'equal', type: 'Number', value: 0 }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-preds',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:total_predictions', operator: 'empty', type: 'Number', value: true }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-completed-empty',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:completed_at', operator: 'empty', type: 'Datetime', value: true }],
      },
    },
    server: 200,
  },
  {
    name: 'filt-updated_at',
    data: {
      filters: {
        conjunction: 'and',
        items: [
          { filter: 'filter:tasks:updated_at', operator: 'less', type: 'Datetime', value: '2030-01-01T00:00:00.000Z' },
        ],
      },
    },
    server: 200,
  },
  {
    name: 'regex-bad',
    data: {
      filters: {
        conjunction: 'and',
        items: [{ filter: 'filter:tasks:data.text', operator: 'regex', type: 'String', value: '(' }],
      },
    },
    server: 200,
  },
];
