// `npm run build` of a service or a tool (run from its folder): dist/main.js, the bundle, and beside it
// dist/package.json and dist/package-lock.json, the npm packages the bundle needs at run time at the
// versions of the workspace's lock. An image installs exactly those (`npm ci --omit=dev`), nothing of
// the other workspaces.
import fs from 'node:fs';
import path from 'node:path';
import { bundle } from './bundle';
import { type LockFile, LockFileError } from './lock-file';
import { type PackageManifest, runtimeManifest } from './runtime-manifest';

const root = path.resolve(__dirname, '../../..');
const projectDir = process.cwd();
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const writeJson = (file: string, value: unknown) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

async function main(): Promise<void> {
  const rootManifest = readJson<PackageManifest>(path.join(root, 'package.json'));
  const rootLock = readJson<LockFile>(path.join(root, 'package-lock.json'));
  const project = readJson<PackageManifest>(path.join(projectDir, 'package.json'));
  const npmPackages = [
    ...Object.keys(rootManifest.dependencies ?? {}),
    ...Object.keys(rootManifest.devDependencies ?? {}),
    ...Object.keys(project.dependencies ?? {}).filter((name) => !rootLock.packages[`node_modules/${name}`]?.link),
  ];
  fs.rmSync(path.join(projectDir, 'dist'), { recursive: true, force: true });
  const built = await bundle(projectDir, npmPackages);
  const { manifest, lock } = runtimeManifest({
    project,
    externalImports: built.externalImports,
    rootManifest,
    rootLock,
  });
  writeJson(path.join(projectDir, 'dist/package.json'), manifest);
  writeJson(path.join(projectDir, 'dist/package-lock.json'), lock);
  const packages = Object.keys(lock.packages).length - 1;
  console.log(
    `built ${path.basename(projectDir)}/dist/main.js (${Math.round(built.bytes / 1024)} KiB); ` +
      `it needs ${Object.keys(manifest.dependencies).length} npm packages, ${packages} with theirs (dist/package-lock.json)`,
  );
}

main().catch((error: unknown) => {
  // A LockFileError says what to do in its one line; esbuild has printed its own errors already.
  console.error(error instanceof LockFileError ? error.message : `build failed: ${String(error)}`);
  process.exit(1);
});
