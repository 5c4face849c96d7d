/**
 * The in-repo fake Label Studio in a process of its own, so that a test can kill it (SIGKILL) the
 * way a server dies: run with `node --import tsx test/helpers/fake-process.ts`; the first line on
 * stdout is `{"url": …, "token": …}`.
 */
import { startFakeLabelStudio } from '../fake/label-studio-fake.ts';

const ls = await startFakeLabelStudio();
process.stdout.write(`${JSON.stringify({ url: ls.url, token: ls.token })}\n`);
