/** The version of a plan's JSON (`formatVersion`); a saved plan of another version is refused. */
export const PLAN_FORMAT_VERSION = 3;
