import { readFileSync } from 'node:fs';

/** labelform's own version, from package.json (two levels up from src/util and dist/util). */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
