/**
 * The end of an exhaustive `switch` (or `if` chain) over a union: the compiler proves `value` is
 * `never` there, so a new member (an action, an event type) is a type error at every place that
 * has to decide about it. Reached at run time only with data the types do not describe (a
 * hand-edited plan the schema let through); it throws rather than guessing.
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
