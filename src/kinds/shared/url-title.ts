/** A URL as a title in plans: scheme and host only (a path can hold a token, as Slack's webhooks do). */
export function urlTitle(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : ''}`;
  } catch {
    return '(a URL)';
  }
}
