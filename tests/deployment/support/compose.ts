import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { readRepoFile, ROOT } from './repo';

export const COMPOSE_FILE = 'docker-compose.yml';
export const ENV_EXAMPLE = '.env.example';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null>;
  ports?: unknown[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; interval?: string; disable?: boolean };
  restart?: string;
  deploy?: { resources?: { limits?: { cpus?: string | number; memory?: string } } };
  entrypoint?: string[] | string;
  command?: string[] | string;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ComposeRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real Compose implementation (Debian's docker-compose 1.29; it needs no Docker engine for
 * `config`). Only PATH and HOME from this process: variables set in the shell would otherwise win
 * over the env file and hide a missing one.
 */
export function dockerCompose(envFile: string, args: string[], files: readonly string[] = [COMPOSE_FILE]): ComposeRun {
  const result = spawnSync('docker-compose', ['--env-file', envFile, ...files.flatMap((f) => ['-f', f]), ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? os.tmpdir() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'docker-compose is not installed, so docker-compose.yml cannot be checked with a real Compose implementation.\n' +
        'Install it with `apt-get install -y docker-compose` (.ci/run does).',
    );
  }
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let resolved: ComposeFile | undefined;

/**
 * `docker-compose config` with .env.example: the file as Compose resolves it (interpolated, merged,
 * normalised). Run once per test file (it takes a second or two).
 */
export function resolvedCompose(): ComposeFile {
  if (!resolved) {
    const run = dockerCompose(ENV_EXAMPLE, ['config']);
    if (run.status !== 0) throw new Error(`docker-compose config failed (${run.status}):\n${run.stderr}`);
    resolved = YAML.parse(run.stdout) as ComposeFile;
  }
  return structuredClone(resolved);
}

/** docker-compose.yml as written (YAML merge keys applied, `${...}` left as they are). */
export function rawCompose(): ComposeFile {
  return YAML.parse(readRepoFile(COMPOSE_FILE), { merge: true }) as ComposeFile;
}

/** An env file that sets nothing, to see what compose does when .env is missing. */
export function emptyEnvFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compose-env-')), 'empty.env');
  fs.writeFileSync(file, '');
  return file;
}

export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]),
  );
}

export function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, value]) => [name, value.condition]));
}

/** Bind mounts (host path → container path) of a service in `docker-compose config` output. */
export function bindMounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = ''] = volume.split(':');
      return source.startsWith('/') || source.startsWith('.') ? [{ source, target }] : [];
    }
    return volume.type === 'bind' && volume.source && volume.target
      ? [{ source: volume.source, target: volume.target }]
      : [];
  });
}
