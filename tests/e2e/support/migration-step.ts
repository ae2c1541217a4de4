import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE } from './service-process';

const MAIN = path.join(WORKSPACE, 'tools/migrate/dist/main.js');

export interface MigrationRun {
  code: number | null;
  output: string;
}

/**
 * The migration step as its image runs it (tools/migrate/Dockerfile): the built runner, from its
 * folder, with only `env` (and PATH), until it exits (at most 3 minutes).
 */
export async function runMigrationStep(env: Record<string, string>, args: string[] = []): Promise<MigrationRun> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build it first (nx run-many -t build)`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--enable-source-maps', MAIN, ...args],
      { cwd: path.dirname(path.dirname(MAIN)), env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 180_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
    );
  });
}
