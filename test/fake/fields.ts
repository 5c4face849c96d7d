/**
 * DRF field parsing, as ProjectSerializer's fields do it: each returns the parsed value or the
 * list of error messages DRF would give (same words).
 */
import { pyLen, pyStrip } from './python.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: unknown };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (...errors: string[]): Parsed<never> => ({ ok: false, errors });

export interface CharOptions {
  readonly allowNull?: boolean;
  readonly allowBlank?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** CharField: trims like Python's str.strip(), then checks blank, then length. */
export function parseChar(value: unknown, o: CharOptions = {}): Parsed<string | null> {
  if (value === null) return o.allowNull ? ok(null) : bad('This field may not be null.');
  if (typeof value === 'boolean' || typeof value === 'object') return bad('Not a valid string.');
  const text = pyStrip(String(value));
  if (text === '') return o.allowBlank ? ok('') : bad('This field may not be blank.');
  const len = pyLen(text);
  if (o.maxLength !== undefined && len > o.maxLength)
    return bad(`Ensure this field has no more than ${o.maxLength} characters.`);
  if (o.minLength !== undefined && len < o.minLength)
    return bad(`Ensure this field has at least ${o.minLength} characters.`);
  return ok(text);
}

const TRUE = new Set<unknown>([
  't',
  'T',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  '1',
  1,
  true,
]);
const FALSE = new Set<unknown>([
  'f',
  'F',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '0',
  0,
  false,
]);

export function parseBool(value: unknown): Parsed<boolean> {
  if (value === null) return bad('This field may not be null.');
  if (TRUE.has(value)) return ok(true);
  if (FALSE.has(value)) return ok(false);
  return bad('Must be a valid boolean.');
}

/** IntegerField with Django's 32-bit range validators. */
export function parseInt32(value: unknown, allowNull = false): Parsed<number | null> {
  if (value === null) return allowNull ? ok(null) : bad('This field may not be null.');
  let n: number;
  if (typeof value === 'number') n = Number.isInteger(value) ? value : NaN;
  else if (typeof value === 'string' && /^\s*-?\d+(\.0*)?\s*$/.test(value)) n = Number.parseInt(value, 10);
  else n = NaN;
  if (!Number.isFinite(n)) return bad('A valid integer is required.');
  if (n > 2147483647) return bad('Ensure this value is less than or equal to 2147483647.');
  if (n < -2147483648) return bad('Ensure this value is greater than or equal to -2147483648.');
  return ok(n);
}

export function parseChoice(value: unknown, choices: readonly string[], allowNull = false): Parsed<string | null> {
  if (value === null) return allowNull ? ok(null) : bad('This field may not be null.');
  if (typeof value === 'string' && choices.includes(value)) return ok(value);
  return bad(`"${typeof value === 'string' ? value : JSON.stringify(value)}" is not a valid choice.`);
}

/** DateTimeField input (ISO 8601), answered in UTC with `Z` and microseconds only when set. */
export function parseDateTime(value: unknown): Parsed<string | null> {
  if (value === null) return ok(null);
  const m =
    typeof value === 'string'
      ? /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/.exec(
          value,
        )
      : null;
  if (!m)
    return bad(
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
    );
  const [, y, mo, d, h, mi, sec = '0', frac = '', zone = 'Z'] = m;
  const micro = Number(frac.padEnd(6, '0') || '0');
  let offsetMin = 0;
  if (zone !== 'Z') {
    const z = /([+-])(\d{2}):?(\d{2})?/.exec(zone)!;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) - offsetMin * 60_000;
  if (Number.isNaN(ms))
    return bad(
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
    );
  const base = new Date(ms).toISOString().slice(0, 19);
  return ok(micro ? `${base}.${String(micro).padStart(6, '0')}Z` : `${base}Z`);
}

/** `validate_color`: `#` plus something Python's int(x, 16) accepts, 7 characters in all. */
export function checkColor(value: string): string | undefined {
  if (value.startsWith('#') && value.length === 7 && /^\s*[+-]?[0-9a-fA-F](?:_?[0-9a-fA-F])*\s*$/.test(value.slice(1)))
    return undefined;
  return 'Color must be in "#RRGGBB" format';
}
