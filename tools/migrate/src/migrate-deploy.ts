import { execFile } from 'node:child_process';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { prismaCli, prismaEnvironment } from './offline-engine';

/** `prisma migrate deploy` failed: `message` is its cause in one line, `output` everything Prisma said. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    message: string,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface Migrated {
  /** The migrations this run applied, oldest first (none: the database was up to date). */
  applied: string[];
  ms: number;
}

/**
 * Applies a Prisma project's pending migrations to a database with the real `prisma migrate deploy`:
 * Prisma's own migration history (`_prisma_migrations`) and lock, so replicas of the step, or a step
 * run twice, apply each migration once. Runs as whoever DATABASE_URL names; each service's database
 * is owned by its own role, which is the one that migrates it.
 */
export async function migrateDeploy(options: {
  /** The project's prisma.config.ts. */
  prismaConfig: string;
  databaseUrl: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<Migrated> {
  const config = path.resolve(options.prismaConfig);
  const started = Date.now();
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [prismaCli(), 'migrate', 'deploy', '--config', config],
      {
        cwd: path.dirname(config),
        env: { ...prismaEnvironment(options.env ?? process.env), DATABASE_URL: options.databaseUrl },
        timeout: options.timeoutMs ?? 120_000,
      },
      (error, out, err) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: out, stderr: err }),
    );
  });
  // Prisma colours its output when told to (FORCE_COLOR, as Nx sets it): read it without the colours.
  const stdout = stripVTControlCharacters(run.stdout);
  const stderr = stripVTControlCharacters(run.stderr);
  if (run.code !== 0) {
    const ended = run.code === null ? 'was stopped (timeout or signal)' : `exited with ${run.code}`;
    throw new MigrationError(
      `prisma migrate deploy --config ${path.relative(process.cwd(), config) || config} ${ended}: ${causeOf(stderr || stdout)}`,
      `${stdout}${stderr}`,
    );
  }
  return {
    applied: [...stdout.matchAll(/└─ (\d{14}_[\w-]+)\//g)].flatMap((match) => match.slice(1)),
    ms: Date.now() - started,
  };
}

/** Prisma's own one-line reason (`Error: P1000: Authentication failed ...`), or its last line. */
function causeOf(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const error = lines.findIndex((line) => /^Error:/.test(line));
  const line = lines[error];
  if (line === undefined) return lines.at(-1) ?? 'no output';
  // "Error: P1000: Authentication failed..." or "Error:" then the reason on the next line.
  return line === 'Error:' ? (lines[error + 1] ?? line) : line.replace(/^Error:\s*/, '');
}
