import { RESOURCE_KINDS } from '../kinds/registry.ts';
import { resourceName } from '../model/resource-name.ts';
import { liveOf, type LiveState } from '../state/live-state.ts';
import { execGit, isAncestor, readHead, type RunGit } from './git.ts';

/** Why an apply from this checkout would go back in time or sideways, one line per commit; empty when it would not. */
export interface RollbackFinding {
  /** The checkout's commit (40 hex digits), or undefined when git cannot read it. */
  readonly head?: string;
  /** One line per recorded commit that the checkout does not contain (or that git does not know). */
  readonly problems: readonly string[];
}

/**
 * Every managed project's marker records the commit it was last applied from (a kind's
 * `lastApplied`; any kind whose marker records one counts the same way). Applying a
 * checkout that does not contain that commit would put older manifests (a re-run of an old
 * apply job, an old pipeline that ran late) or a side branch (a dispatch from a feature branch)
 * over what was applied last. So each recorded commit must be an ancestor of HEAD, or HEAD
 * itself. A commit git does not know (a shallow clone, another repository) cannot be proven
 * older and counts as a problem too: fetch the history, or say `--allow-rollback`.
 */
export async function findRollback(
  root: string,
  live: LiveState,
  namespace: string,
  runGit: RunGit = execGit,
): Promise<RollbackFinding> {
  /** Per recorded commit, the resources last applied from it: what they are, and their names. */
  const byCommit = new Map<string, Array<{ readonly noun: string; readonly name: string }>>();
  for (const kind of RESOURCE_KINDS) {
    for (const l of liveOf(live, kind.kind)) {
      const marker = kind.identify(l);
      if (marker?.namespace !== namespace) continue;
      const commit = kind.lastApplied(l)?.commit?.replace(/-dirty$/, '');
      if (!commit || !/^[0-9a-f]{7,40}$/.test(commit)) continue;
      const name = resourceName({ kind: kind.kind, key: marker.key, parent: marker.parent });
      byCommit.set(commit, [...(byCommit.get(commit) ?? []), { noun: kind.noun, name }]);
    }
  }
  if (byCommit.size === 0) return { problems: [] };
  const head = await readHead(runGit, root);
  if (!head) return { problems: [] };
  const problems: string[] = [];
  for (const [commit, resources] of byCommit) {
    const contained = await isAncestor(runGit, root, commit, head);
    if (contained === true) continue;
    const keys = resources.map((r) => r.name);
    const nouns = new Set(resources.map((r) => r.noun));
    const noun = nouns.size === 1 ? [...nouns].join('') : 'resource';
    const who = `${keys.length === 1 ? noun : `${noun}s`} ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}`;
    problems.push(
      contained === false
        ? `${who} ${keys.length === 1 ? 'was' : 'were'} last applied from commit ${commit}, which this checkout (commit ${head.slice(0, 12)}) does not contain: it is newer, or on another branch`
        : `${who} ${keys.length === 1 ? 'was' : 'were'} last applied from commit ${commit}, which this clone does not know (a shallow clone, or another repository), so it cannot be shown to be older than commit ${head.slice(0, 12)}`,
    );
  }
  return { head, problems };
}
