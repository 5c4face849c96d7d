import { main } from './main.ts';

// `cmd | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
if (process.env.LABELFORM_REPORT_MAXRSS === '1') {
  // For the memory tests and benchmarks: peak resident memory of this process, in KiB.
  process.stderr.write(`labelform-maxrss-kib=${process.resourceUsage().maxRSS}\n`);
}
