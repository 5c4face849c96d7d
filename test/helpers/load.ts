/**
 * How hard the scale and racing tests push. `npm test` (the pinned release on SQLite) runs them
 * in full; the other cells of the compatibility matrix (scripts/matrix.ts) set
 * LABELFORM_TEST_LOAD=light and run the same assertions on less work (a 10,000-task import
 * instead of 100,000, 3 racing rounds instead of 10, 150 concurrent creates instead of 1,000), so
 * that the whole matrix stays within CI's 45 minutes on a 2-core machine.
 */
export const LIGHT_LOAD = process.env.LABELFORM_TEST_LOAD?.trim().toLowerCase() === 'light';

/** `full` normally, `light` in a light-load cell. */
export function load(full: number, light: number): number {
  return LIGHT_LOAD ? light : full;
}
