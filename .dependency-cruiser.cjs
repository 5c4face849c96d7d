/**
 * The layering of src/ (docs/architecture.md says why): every folder imports only folders of a
 * lower tier, never a peer or anything above, and no file takes part in an import cycle, counting
 * `import type` (tsPreCompilationDeps) as well as what runs. Checked by `npm run deps` in every
 * test run; test/unit/layers.test.ts runs the same cruise in-process.
 */

/** Lowest first. Folders in one tier are peers: neither imports the other. */
const TIERS = [
  ['generated'],
  ['model'],
  ['util'],
  ['api', 'labelconfig'],
  ['manifest'],
  ['tasks'],
  ['kinds'],
  ['state'],
  ['reconcile', 'preview'],
  ['ci'],
  ['watch'],
  ['cli'],
];

const folders = (list) => `^src/(${list.join('|')})/`;

/** One rule per folder: nothing from its own tier (but itself) or any tier above it. */
const layerRules = TIERS.flatMap((tier, i) =>
  tier.map((folder) => {
    const above = TIERS.slice(i + 1).flat();
    const peers = tier.filter((f) => f !== folder);
    const banned = [...peers, ...above];
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ imports only ${TIERS.slice(0, i).flat().join(', ') || 'nothing of src/'} (docs/architecture.md)`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: banned.length ? folders(banned) : '^$' },
    };
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No import cycle, counting type-only imports: a cycle ties its files into one unit that cannot be read, tested or moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-at-runtime',
      comment:
        'No import cycle among the imports that run (ESM evaluates a cycle in an order that leaves one side undefined).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only', 'pre-compilation-only'] } },
    },
    {
      name: 'src-not-from-outside',
      comment: 'src/ ships; it imports nothing from test/, scripts/ or bench/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|bench)/' },
    },
    {
      name: 'no-unknown-folder',
      comment: 'Every folder of src/ has a tier: a new folder gets its place in TIERS and in docs/architecture.md.',
      severity: 'error',
      from: { path: '^src/', pathNot: folders(TIERS.flat()) },
      to: {},
    },
    {
      name: 'no-import-of-unknown-folder',
      comment: 'As above, for the imported side.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: folders(TIERS.flat()) },
    },
    ...layerRules,
  ],
  options: {
    // `import type` and type-only re-exports count: a type cycle is a cycle for a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|action-dist)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
