/**
 * The header of the webhooks `labelform watch --listen` keeps on the managed projects (its value
 * the namespace). They are the watcher's, not git's: never pulled into a manifest.
 */
export const WATCH_HEADER = 'X-Labelform-Watch';
