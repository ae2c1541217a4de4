// `npm run bench [-- --quick]`: the saga benchmark. Progress goes to stderr, the table to stdout;
// report.json, report.txt and chart.svg to the results folder. Exits 1 if any order was lost or failed.
import { MissingInfrastructure } from '@shopflow/testing';
import { CannotRun } from './cannot-run';
import { parseOptions, UsageError, USAGE } from './options';
import { renderProfile, summariseProfile } from './profile/cpu-profile';
import { runBench } from './run-bench';
import { writeResults } from './report/write-results';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    // node:util's parseArgs throws a TypeError naming the option it does not know.
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    if (!error.message) {
      console.log(USAGE); // --help
      return 0;
    }
    // Its hint about '--' does not apply here: the bench takes no positional arguments.
    const message = error.message.replace(/\. To specify a positional argument.*$/s, '');
    console.error(`npm run bench: ${message} (npm run bench -- --help lists the options)`);
    return 2;
  }
  const started = Date.now();
  const log = (line: string) =>
    console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const report = await runBench(options, log);
  const table = await writeResults(report);
  console.log(table);
  for (const profile of report.profiles ?? []) {
    console.log(`\n${renderProfile(summariseProfile(profile.file, 25), profile.service)}`);
  }
  console.log(
    `\nresults: ${report.files.json}\n         ${report.files.table}\n         ${report.files.chart}` +
      `\n         ${report.files.timelines} (each order's timeline)`,
  );
  log(`done in ${report.durationSeconds.toFixed(1)} s`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The machine lacks something (a broker, a database, the management API) or the bench cannot
    // run what it was asked to: the line that says what and how to fix it; anything else is the
    // bench's own failure, with its stack.
    if (error instanceof MissingInfrastructure || error instanceof CannotRun)
      console.error(`npm run bench: ${error.message}`);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
