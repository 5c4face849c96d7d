/**
 * What a Label Studio release has, by the first release that has it: read from the server's
 * source (migrations, serializers, urls) and proven against real servers. One declarative table;
 * the code asks `supports(version, feature)` instead of comparing versions itself. Project
 * fields have their own table beside the field list (src/kinds/project/fields.ts).
 */
export const FEATURE_SINCE = {
  /** `bleach.clean` of `expert_instruction` in `projects/serializers.py`. */
  expertInstructionSanitised: '1.7.0',
  /** `POST /api/projects/{id}/exports/{pk}/convert` (`data_export/urls.py`). */
  snapshotConvert: '1.8.0',
  /** Personal access tokens: `jwt_auth/`, `/api/token/refresh/`. */
  personalAccessTokens: '1.17.0',
  /** `--enable-legacy-api-token` / `LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN` at start-up. */
  legacyTokenStartFlag: '1.18.0',
} as const;

export type Feature = keyof typeof FEATURE_SINCE;

/** What each feature is called in messages. */
export const FEATURE_NAMES: Readonly<Record<Feature, string>> = {
  expertInstructionSanitised: 'expert_instruction cleaned by the server (bleach)',
  snapshotConvert: 'export snapshots converted to other formats',
  personalAccessTokens: 'personal access tokens',
  legacyTokenStartFlag: 'the --enable-legacy-api-token start flag',
};

/** `1.23.2` -> [1, 23, 2]; a release with a suffix (`1.20.0rc1`, `1.21.0.dev0`) counts as its numbers. */
export function parseVersion(version: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * Whether `version` is at least `since`. An unknown version (`unknown`, unparsable) is taken to
 * be new: labelform's checks then behave as for the newest server, as they did before it knew.
 */
export function atLeast(version: string | undefined, since: string): boolean {
  const v = version === undefined ? undefined : parseVersion(version);
  const s = parseVersion(since)!;
  if (!v) return true;
  for (let i = 0; i < 3; i++) if (v[i]! !== s[i]!) return v[i]! > s[i]!;
  return true;
}

export function supports(version: string | undefined, feature: Feature): boolean {
  return atLeast(version, FEATURE_SINCE[feature]);
}

/** "1.23.0" -> "1.23", "1.7.1" -> "1.7.1": how a release is named in messages. */
export function showSince(since: string): string {
  return since.replace(/\.0$/, '');
}
