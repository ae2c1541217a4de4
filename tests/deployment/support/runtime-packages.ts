import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './repo';

/**
 * What an image installs next to a bundle: the dist/package.json and dist/package-lock.json that its
 * build (tools/build) writes beside dist/main.js, from the bundle's imports and the workspace's lock.
 */
export interface RuntimePackages {
  manifest: { name: string; dependencies: Record<string, string> };
  lock: { packages: Record<string, { version?: string; optional?: boolean }> };
  /** Every installed package's name (`node_modules/a/node_modules/b` → `b`), sorted, once each. */
  names: string[];
}

/** The built project's runtime packages; the test target builds the projects first (dependsOn ^build). */
export function runtimePackagesOf(folder: string): RuntimePackages {
  const dist = path.join(ROOT, folder, 'dist');
  const read = (file: string) => {
    const full = path.join(dist, file);
    if (!fs.existsSync(full))
      throw new Error(`${path.relative(ROOT, full)} is missing: build it (npx nx run-many -t build)`);
    return JSON.parse(fs.readFileSync(full, 'utf8')) as unknown;
  };
  const manifest = read('package.json') as RuntimePackages['manifest'];
  const lock = read('package-lock.json') as RuntimePackages['lock'];
  const names = [
    ...new Set(
      Object.keys(lock.packages)
        .filter(Boolean)
        .map((location) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    ),
  ].sort();
  return { manifest, lock, names };
}

/**
 * `npm ci --omit=dev --ignore-scripts --dry-run` on a copy of the manifest and lock, as the image's
 * runtime stage runs it (without installing): npm refuses a lock out of step with its manifest.
 */
export function npmCiDryRun(folder: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-packages-'));
  try {
    for (const file of ['package.json', 'package-lock.json'])
      fs.copyFileSync(path.join(ROOT, folder, 'dist', file), path.join(dir, file));
    const run = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--dry-run', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What no service image may carry: Prisma and its CLI's own dependencies (the migration step's
 * image carries them), TypeScript, and the build and test tooling.
 */
export const BUILD_AND_MIGRATION_PACKAGES =
  /^(prisma|@prisma\/.*|effect|@electric-sql\/.*|react|react-dom|typescript|tsx|esbuild|@esbuild\/.*|@swc\/.*|jest|@jest\/.*|nx|@nx\/.*|eslint|prettier)$/;
