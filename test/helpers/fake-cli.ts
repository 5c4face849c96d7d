/**
 * The set-up most CLI test files need: the in-repo fake Label Studio started before the file's
 * tests (emptied before each one, unless told not to) and stopped after them, a client for it,
 * throwaway repositories removed at the end, and the CLI run in-process against it.
 */
import type { Test } from 'uvu';
import { createClient, type LabelStudioClient } from '../../src/api/client.ts';
import { startFakeLabelStudio, type FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { removeTree, runCli, writeTree, type CliOptions, type CliResult } from './cli.ts';

export interface FakeCli {
  /** The running fake (set once the file's `before` hook ran). */
  readonly ls: FakeLabelStudio;
  readonly client: LabelStudioClient;
  /** A throwaway directory tree, removed after the file's tests. */
  tree(files: Record<string, string>): Promise<string>;
  /** A repository: labelform.yaml for the namespace, plus the files. */
  repo(files: Record<string, string>, namespace?: string): Promise<string>;
  /** The CLI in-process in `dir` against the fake (or `url`), with its URL and token set. */
  cli(dir: string, args: readonly string[], opts?: CliOptions & { url?: string }): Promise<CliResult>;
}

export function useFakeCli(suite: Test, opts: { namespace?: string; emptyEachTest?: boolean } = {}): FakeCli {
  let ls: FakeLabelStudio | undefined;
  let client: LabelStudioClient | undefined;
  const trees: string[] = [];
  const started = () => {
    if (!ls) throw new Error('the fake Label Studio is not started yet (use it inside a test)');
    return ls;
  };
  suite.before(async () => {
    ls = await startFakeLabelStudio();
    client = createClient({ baseUrl: ls.url, token: ls.token });
  });
  if (opts.emptyEachTest ?? true) {
    suite.before.each(() => {
      started().state.projects.clear();
      started().state.tasks.clear();
    });
  }
  suite.after(async () => {
    await ls?.stop();
    await Promise.all(trees.map((d) => removeTree(d)));
  });
  const tree = async (files: Record<string, string>) => {
    const dir = await writeTree(files);
    trees.push(dir);
    return dir;
  };
  return {
    get ls() {
      return started();
    },
    get client() {
      started();
      return client!;
    },
    tree,
    repo: (files, namespace = opts.namespace ?? 'test') =>
      tree({ 'labelform.yaml': `apiVersion: labelform/v1\nkind: Config\nnamespace: ${namespace}\n`, ...files }),
    cli: (dir, args, o = {}) => {
      const { url, env, ...rest } = o;
      return runCli([...args, '-C', dir], {
        ...rest,
        env: { LABEL_STUDIO_URL: url ?? started().url, LABEL_STUDIO_API_KEY: started().token, ...env },
        cwd: o.cwd ?? dir,
      });
    },
  };
}
