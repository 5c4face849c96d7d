/**
 * Tests that hold only from some Label Studio release on. The compatibility matrix runs the
 * contract and end-to-end suites against older servers (`LABEL_STUDIO_VERSION=1.13.1 npm test`);
 * a test whose subject that server does not have is not run there and is not counted as passed:
 * it is recorded as "not applicable", with the reason, and scripts/run-tests.ts reports it apart.
 *
 *   onlyFrom(test, '1.17', 'personal access tokens')('a PAT works', async () => { ... });
 *
 * The release under test is the real server's (LABELFORM_TEST_LS_VERSION, set by the harness
 * from `/api/version/`) or the fake's, which plays 1.23.2.
 */
import { appendFileSync } from 'node:fs';
import type { Test } from 'uvu';
import { atLeast } from '../../src/api/server-versions.ts';

const FAKE_RELEASE = '1.23.2';

/** The Label Studio release the suites run against. */
export function testRelease(): string {
  const target = (process.env.LABELFORM_TEST_TARGET ?? 'fake').trim().toLowerCase();
  if (target !== 'real') return FAKE_RELEASE;
  return process.env.LABELFORM_TEST_LS_VERSION?.trim() || FAKE_RELEASE;
}

/** Whether the server under test is `since` or later. */
export function releaseAtLeast(since: string): boolean {
  return atLeast(testRelease(), since);
}

/** Why a test of something that exists from `since` does not apply here, or undefined when it does. */
export function notApplicableReason(since: string, what: string): string | undefined {
  const release = testRelease();
  return atLeast(release, since) ? undefined : `${what}: from Label Studio ${since}; this server is ${release}`;
}

/** One line per test not applicable, in the file the test runner reads (LABELFORM_TEST_NA_FILE). */
export function recordNotApplicable(name: string, reason: string): void {
  process.stdout.write(`\n  n/a  ${name} (${reason})\n`);
  const file = process.env.LABELFORM_TEST_NA_FILE;
  if (file) appendFileSync(file, `${JSON.stringify({ name, reason })}\n`);
}

type TestFn = Parameters<Test>[1];

/**
 * `test`, for a test whose subject exists from release `since` on. On an older server the body
 * does not run; the test is recorded as not applicable (and subtracted from the passed count).
 */
export function onlyFrom(test: Test, since: string, what: string): (name: string, fn: TestFn) => void {
  return (name, fn) => {
    const reason = notApplicableReason(since, what);
    if (reason === undefined) test(name, fn);
    else test(name, () => recordNotApplicable(name, reason));
  };
}

/** `test`, for how labelform meets a server older than `since` (recorded as not applicable on newer ones). */
export function onlyBefore(test: Test, since: string, what: string): (name: string, fn: TestFn) => void {
  return (name, fn) => {
    const release = testRelease();
    if (!atLeast(release, since)) test(name, fn);
    else
      test(name, () =>
        recordNotApplicable(name, `${what}: servers before Label Studio ${since}; this server is ${release}`),
      );
  };
}
