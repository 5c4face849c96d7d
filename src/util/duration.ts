/**
 * A duration as people write it in options: `60` (seconds), `90s`, `500ms`, `5m`, `1h`, or
 * `1.5m`. Returns milliseconds, or undefined for anything else (zero and negatives included).
 */
export function parseDuration(text: string | number): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(String(text));
  if (!m) return undefined;
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Milliseconds as the shortest of `250 ms`, `1.5 s`, `2 min`, `1 h`. */
export function showDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return `${Number((ms / 3_600_000).toFixed(1))} h`;
}
