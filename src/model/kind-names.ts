/** The kind a bare `--target KEY` and other kind-less names mean. */
export const DEFAULT_KIND = 'Project';
