#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size: streaming imports and exports allocate many short-lived strings; a small
// young generation keeps the peak memory of a 100,000-task import ~30 MB lower (measured).
// The published entry point: the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// The old generation grows by at most 30% of what a full collection kept, not by up to 4x: after
// the one full collection early in `plan` of 10,000 projects, V8 let the heap grow from ~31 MB
// to ~145 MB of mostly dead objects without collecting again (peak RSS 208 MB, 164 MB with it,
// same wall time; bench section 8).
setFlagsFromString('--heap-growing-percent=30');

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('labelform: dist/ is missing; run `npm run build` (npm ci runs it for you).\n');
  process.exit(1);
}
await import(entry.href);
