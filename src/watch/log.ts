/** Where `watch` says what it does (starting, re-reading git, backing off, stopping): stderr, never stdout. */
export interface WatchLog {
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Only with `--debug`: one line per cycle. */
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * Text (`labelform watch: message (key=value, …)`) or, with `json`, one JSON object per line
 * with `level`, `at` (ISO time), `msg` and the fields, for a log collector.
 */
export function createLog(
  write: (text: string) => void,
  opts: { readonly json: boolean; readonly debug: boolean; readonly now: () => number },
): WatchLog {
  const line = (level: string, msg: string, fields: Readonly<Record<string, unknown>> = {}) => {
    if (opts.json) {
      write(`${JSON.stringify({ level, at: new Date(opts.now()).toISOString(), msg, ...fields })}\n`);
      return;
    }
    const shown = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    write(
      `labelform watch: ${level === 'info' ? '' : `${level}: `}${msg}${shown.length ? ` (${shown.join(', ')})` : ''}\n`,
    );
  };
  return {
    info: (msg, fields) => line('info', msg, fields),
    warn: (msg, fields) => line('warn', msg, fields),
    debug: (msg, fields) => {
      if (opts.debug) line('debug', msg, fields);
    },
  };
}
