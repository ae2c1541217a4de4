// The migration step (`npm run migrate -- [service...]`; the migrate image's entrypoint): applies each
// service's pending migrations to its database, then exits. Services never migrate at start: this
// runs before them (compose's migrate service, an init job, `npm start`). See README.md.
import { readMigrationTargets, USAGE } from './config';
import { migrateDeploy, MigrationError } from './migrate-deploy';

const say = (line: string) => process.stdout.write(`migrate: ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const read = readMigrationTargets(args, process.env);
  if ('problems' in read) {
    for (const problem of read.problems) process.stderr.write(`migrate: ${problem}\n`);
    return 2;
  }
  const failed: string[] = [];
  for (const target of read.targets) {
    try {
      const { applied, ms } = await migrateDeploy({
        prismaConfig: target.prismaConfig,
        databaseUrl: target.databaseUrl,
      });
      say(
        applied.length === 0
          ? `${target.service}: up to date (${seconds(ms)})`
          : `${target.service}: applied ${applied.length} migration(s) in ${seconds(ms)}: ${applied.join(', ')}`,
      );
    } catch (error) {
      if (!(error instanceof MigrationError)) throw error;
      const output = error.output.split('\n').filter((line) => line.trim());
      process.stderr.write(output.map((line) => `  ${target.service} | ${line}\n`).join(''));
      process.stderr.write(`migrate: ${target.service} (${target.variable}) failed: ${error.message}\n`);
      failed.push(target.service);
    }
  }
  if (failed.length > 0) {
    process.stderr.write(
      `migrate: ${failed.join(', ')} not migrated (see above): fix the cause and run the step again; their services must not start before it succeeds\n`,
    );
    return 1;
  }
  return 0;
}

// main() answers every expected failure with its exit code; anything else escaping it is a bug, left unhandled.
void main(process.argv.slice(2)).then((exitCode) => {
  process.exitCode = exitCode;
});
