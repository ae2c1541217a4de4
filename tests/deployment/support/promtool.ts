import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './repo';

export interface PromtoolRun {
  status: number | null;
  output: string;
}

/**
 * Prometheus's own checker (`promtool`, Debian package `prometheus`): its config loader and PromQL
 * parser, no server needed. Missing, it fails the test with how to install it; it never skips.
 */
export function promtool(args: string[]): PromtoolRun {
  const result = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'promtool is not installed, so the Prometheus config and the dashboard queries cannot be checked by Prometheus itself.\n' +
        'Install it with `apt-get install -y --no-install-recommends prometheus` (.ci/run does).',
    );
  }
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Writes `text` to a file of its own in a fresh temporary folder; returns its path. */
export function temporaryFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-')), name);
  fs.writeFileSync(file, text);
  return file;
}
