/** Whether the fake's release is older than `[major, minor]` (e.g. `[1, 17]`). */
export function releaseBefore(release: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = release.split('.').map(Number);
  return a < major || (a === major && b < minor);
}
