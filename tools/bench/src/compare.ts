// `npm run bench:compare -- REF [--rounds N] [--duration S] [--concurrency N]`: this checkout's services
// against REF's, both benchmarked AT THE SAME TIME, each by this bench. On a shared machine whose speed
// drifts (see docs/benchmark.md) runs one after the other cannot tell a change of a few per cent from noise;
// two runs side by side go through the same slow and fast moments, so their ratio can.
import { checkInfrastructure, MissingInfrastructure } from '@shopflow/testing';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CannotRun } from './cannot-run';
import { WORKSPACE } from './options';
import { ratioInterval } from './report/ratio-interval';
import { type BenchReport } from './report/report-model';
import { SERVICES } from './system/services';

const USAGE = `npm run bench:compare -- REF [options]

  REF                a commit, branch or tag: its services run in a git worktree under tmp/bench-compare/
  --rounds N         side-by-side runs (default 8; it prints the ratio's 95 % interval, which more narrow)
  --duration S       measured seconds of each run's closed loop (default 20)
  --concurrency N    customers of each of the two runs (default 16: together, the full bench's 32)
  --help, -h         this text

Both runs share one PostgreSQL and one RabbitMQ: work a change saves there is saved for both, so
this shows what the services themselves do. For a change to SQL or broker traffic, alternate whole
runs instead (npm run bench -- --services-from tmp/bench-compare/<sha>, then without; docs/benchmark.md).
`;

interface Side {
  label: string;
  root: string;
}

function parseCommandLine() {
  return parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '8' },
      duration: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '16' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    // Its hint about '--' does not apply: REF never starts with one.
    return usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [ref] = positionals;
  if (!ref || positionals.length > 1) return usageError('name one commit, branch or tag to compare with, e.g. main');
  for (const flag of ['rounds', 'duration', 'concurrency'] as const) {
    if (!/^[1-9]\d*$/.test(values[flag])) return usageError(`--${flag} takes a whole number ≥ 1, got ${values[flag]}`);
  }
  // Before a worktree is installed and built (minutes): both benches need them.
  await checkInfrastructure();
  const other = checkout(ref);
  // This checkout's bench runs both sides' externals: the processor's simulator and the identity provider.
  build(WORKSPACE, ['@shopflow/gateway-simulator', '@shopflow/identity-provider']);
  const head = git(WORKSPACE, 'rev-parse', '--short', 'HEAD');
  const dirty = git(WORKSPACE, 'status', '--porcelain', '--untracked-files=no') !== '';
  const sides: Side[] = [
    { label: other.sha.startsWith(ref) ? ref : `${ref} (${other.sha.slice(0, 7)})`, root: other.root },
    { label: `this checkout (${head}${dirty ? '+changes' : ''})`, root: WORKSPACE },
  ];
  // Lab externals (instant processor and relay): the comparison is of our code's cost, and an older
  // checkout may not talk to the processor's simulator at all.
  const benchArgs = [
    ...['--replicas', '1', '--externals', 'lab', '--overload', '0'],
    ...['--warmup', '4', '--ceiling-seconds', '1', '--duration', values.duration],
  ];
  return compare(sides, Number(values.rounds), [...benchArgs, '--concurrency', values.concurrency]);
}

/** REF's tree in a worktree of its own, installed and built once (kept for the next comparison). */
function checkout(ref: string): { sha: string; root: string } {
  let sha: string;
  try {
    sha = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
      cwd: WORKSPACE,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new CannotRun(`${ref} is not a commit of this repository: name a commit, branch or tag (git log --oneline)`);
  }
  const root = path.join(WORKSPACE, 'tmp/bench-compare', sha.slice(0, 12));
  if (!fs.existsSync(root)) git(WORKSPACE, 'worktree', 'add', '--detach', root, sha);
  if (!fs.existsSync(path.join(root, 'node_modules'))) run(root, 'npm', ['ci', '--no-audit', '--no-fund']);
  build(root);
  return { sha, root };
}

function build(root: string, tools: string[] = []): void {
  run(root, 'npx', ['nx', 'run-many', '-t', 'build', '-p', ...SERVICES.map((s) => `@shopflow/${s}`), ...tools]);
}

async function compare(sides: Side[], rounds: number, benchArgs: string[]): Promise<number> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outRoot = path.join(WORKSPACE, 'bench-results', `compare-${stamp}`);
  const rows: string[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    console.error(`round ${round} of ${rounds}: both benches start now`);
    const reports = await Promise.all(
      sides.map((side, i) => bench(side, benchArgs, path.join(outRoot, `round-${round}-${i}`))),
    );
    const [before, after] = reports.map(closedLoop);
    if (!before || !after) return 1;
    ratios.push(after.sagasPerSecond / before.sagasPerSecond);
    rows.push(
      ...[before, after].map(
        (phase, i) =>
          `  ${String(round).padEnd(5)} ${(sides[i]?.label ?? '').padEnd(32)} ${phase.sagasPerSecond.toFixed(1).padStart(7)}` +
          ` ${phase.sagaLatencyMs.p99.toFixed(0).padStart(8)}` +
          ` ${(phase.cpu?.totalServicesPer1000Sagas ?? NaN).toFixed(2).padStart(13)}`,
      ),
    );
  }
  console.log(`\n  round ${'checkout'.padEnd(32)} sagas/s  p99 ms  services CPU ms/saga`);
  console.log(rows.join('\n'));
  const { geometricMean, low, high } = ratioInterval(ratios);
  console.log(
    `\nthis checkout ÷ ${sides[0]?.label}: ${ratios.map((r) => r.toFixed(3)).join(', ')}` +
      ` (geometric mean ${geometricMean.toFixed(3)}); reports in ${path.relative(WORKSPACE, outRoot)}/`,
  );
  if (low !== undefined && high !== undefined) console.log(verdict(low, high, ratios.length));
  return 0;
}

/** Whether the rounds tell the two apart: one round alone moves more than most changes do (docs/benchmark.md). */
function verdict(low: number, high: number, rounds: number): string {
  const interval = `95 % interval ×${low.toFixed(3)} to ×${high.toFixed(3)} over ${rounds} rounds`;
  if (low > 1) return `${interval}: this checkout is faster`;
  if (high < 1) return `${interval}: this checkout is slower`;
  return `${interval}: no difference these rounds can show (more --rounds narrow it)`;
}

/** One bench run of `side`'s services, by this bench; resolves with its report (or undefined if it failed). */
function bench(side: Side, args: string[], outDir: string): Promise<BenchReport | undefined> {
  const main = path.join(__dirname, 'main.ts');
  const command = [main, ...args, '--out', outDir, '--services-from', side.root];
  const child = spawn(process.execPath, ['--import', 'tsx', ...command], {
    cwd: WORKSPACE,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      const file = path.join(outDir, 'report.json');
      if (code !== 0 || !fs.existsSync(file)) {
        console.error(`the bench of ${side.label} failed (exit ${code}):\n${errors.slice(-2000)}`);
        resolve(undefined);
        return;
      }
      resolve(JSON.parse(fs.readFileSync(file, 'utf8')) as BenchReport);
    });
  });
}

function closedLoop(report: BenchReport | undefined) {
  return report?.phases.find((phase) => phase.mode === 'closed' && phase.replicas === 1);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function run(cwd: string, command: string, args: string[]): void {
  console.error(`${path.relative(WORKSPACE, cwd) || '.'}: ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

function usageError(message: string): number {
  console.error(`npm run bench:compare: ${message} (npm run bench:compare -- --help)`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // What the machine or the command line lacks: one line; anything else is the tool's own failure.
    if (error instanceof MissingInfrastructure || error instanceof CannotRun)
      console.error(`npm run bench:compare: ${error.message}`);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
