/**
 * `exclude:` globs of labelform.yaml, matched against "/"-separated paths relative to the folder
 * holding labelform.yaml. `*` matches within one path segment, `**` any number of segments, `?`
 * one character other than "/"; every other character is literal. A pattern without "/" matches
 * a file or folder name at any depth (as in .gitignore); a pattern matching a folder excludes
 * everything in it.
 *
 * Hand-written rather than Node's `path.matchesGlob`: on Node 20 that is experimental and prints
 * an ExperimentalWarning on every run; this subset needs no dependency.
 */
export function compileExcludes(patterns: readonly string[]): (relPath: string) => boolean {
  const regexps = patterns.map(toRegExp).filter((r): r is RegExp => r !== undefined);
  if (regexps.length === 0) return () => false;
  return (relPath) => {
    const segments = relPath.split('/').filter((s) => s !== '' && s !== '.');
    // The path itself or any folder it is in.
    for (let n = segments.length; n > 0; n--) {
      const candidate = segments.slice(0, n).join('/');
      if (regexps.some((r) => r.test(candidate))) return true;
    }
    return false;
  };
}

function toRegExp(pattern: string): RegExp | undefined {
  const p = pattern
    .trim()
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (p === '') return undefined;
  const anchored = p.includes('/');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      if (p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        const atEnd = i + 2 === p.length || p[i + 2] === '/';
        if (atStart && atEnd) {
          // `**/` is zero or more whole folders; a trailing `**` is anything below.
          if (i + 2 === p.length) re += '.*';
          else {
            re += '(?:[^/]*/)*';
            i++; // the slash
          }
          i++;
          continue;
        }
        i++; // `**` inside a segment works as `*`
      }
      re += '[^/]*';
    } else if (ch === '?') {
      re += '[^/]';
    } else {
      re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    }
  }
  return new RegExp(anchored ? `^${re}$` : `^(?:.*/)?${re}$`);
}
