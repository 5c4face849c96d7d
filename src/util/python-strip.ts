/**
 * Python's `str.strip()`, which Label Studio (DRF's trim_whitespace) applies to titles,
 * descriptions and label configs. Its whitespace set differs from JavaScript's `trim()`: no
 * U+FEFF, plus U+001C-U+001F and U+0085.
 */
export function pythonStrip(s: string): string {
  return s.replace(PY_SPACE_START, '').replace(PY_SPACE_END, '');
}

/** Python's `str.rstrip()`: the trailing half of `pythonStrip`. */
export function pythonStripEnd(s: string): string {
  return s.replace(PY_SPACE_END, '');
}
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_START = new RegExp(`^[${PY_SPACE}]+`);
const PY_SPACE_END = new RegExp(`[${PY_SPACE}]+$`);
