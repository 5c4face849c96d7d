import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { UserError } from '../util/errors.ts';

/** Where Chrome or Chromium usually lives, after `$PATH`: Debian/Ubuntu, CI runners, macOS. */
const KNOWN_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** The browser to drive: `--browser`, then LABELFORM_BROWSER, then `$PATH`, then the usual places. */
export function findBrowser(env: Readonly<Record<string, string | undefined>>, explicit?: string, known: readonly string[] = KNOWN_PATHS): string {
  const chosen = explicit ?? env.LABELFORM_BROWSER;
  if (chosen) {
    if (!isExecutable(chosen)) throw new UserError(`${explicit ? '--browser' : 'LABELFORM_BROWSER'} ${chosen}: no executable there`);
    return chosen;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  const found = known.find(isExecutable);
  if (found) return found;
  throw new UserError(
    'preview needs Chrome or Chromium, and none was found (looked for chromium, chromium-browser, google-chrome on PATH and in the usual places)',
    [],
    'Install one (Debian/Ubuntu: `sudo apt-get install chromium`; GitHub-hosted runners have Google Chrome), or point --browser or LABELFORM_BROWSER at its executable. labelform never downloads a browser.',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Flags for a closed network and a throwaway profile: no background fetches (update checks, sync,
 * QUIC probes) that would fail, slow the start or reach the internet.
 */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--font-render-hinting=none', '--hide-scrollbars'];

export async function launchBrowser(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath, headless: true, args: FLAGS });
  } catch (err) {
    const first = String((err as Error).message ?? err).split('\n').find((l) => l.trim()) ?? 'unknown error';
    throw new UserError(`could not start the browser ${executablePath}: ${first}`);
  }
}
