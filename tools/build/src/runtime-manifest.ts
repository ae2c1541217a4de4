import { isBuiltin } from 'node:module';
import { type LockFile, LockFileError, pruneLock, sortedObject } from './lock-file';

export interface PackageManifest {
  name: string;
  version?: string;
  private?: boolean;
  description?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface RuntimeManifest {
  /** dist/package.json: the packages the bundle needs, at the exact versions of the workspace's lock. */
  manifest: PackageManifest & { dependencies: Record<string, string> };
  /** dist/package-lock.json: those packages and what they need, cut from the workspace's lock. */
  lock: LockFile;
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The npm packages among a bundle's external imports (Node's own modules left out), sorted. */
export function importedPackages(externalImports: string[]): string[] {
  return [...new Set(externalImports.filter((specifier) => !isBuiltin(specifier)).map(packageOf))].sort();
}

/**
 * What a bundle needs installed next to it: the packages it imports, and the packages its project
 * declares in its own `dependencies` that are not workspaces (what it runs without importing, e.g.
 * the migration step's Prisma CLI). Each must be a production dependency of the workspace (the root's
 * or the project's own `dependencies`), so that its version is the lock's and `npm ci --omit=dev`
 * in the workspace installs it too.
 */
export function runtimeManifest(options: {
  project: PackageManifest;
  /** The bundle's external imports, as esbuild's metafile lists them. */
  externalImports: string[];
  rootManifest: PackageManifest;
  rootLock: LockFile;
}): RuntimeManifest {
  const { project, rootManifest, rootLock } = options;
  const isWorkspace = (name: string) => rootLock.packages[`node_modules/${name}`]?.link === true;
  const declared = Object.keys(project.dependencies ?? {}).filter((name) => !isWorkspace(name));
  const needed = [...new Set([...importedPackages(options.externalImports), ...declared])].sort();
  const production = new Set([...Object.keys(rootManifest.dependencies ?? {}), ...declared]);

  const dependencies: Record<string, string> = {};
  for (const name of needed) {
    const entry = rootLock.packages[`node_modules/${name}`];
    if (!production.has(name) || !entry?.version || entry.dev) {
      const where = rootManifest.devDependencies?.[name] ? 'a devDependency' : 'no dependency';
      throw new LockFileError(
        `${project.name}'s bundle imports ${name}, which is ${where} of the workspace: add it to the root package.json's dependencies (npm install ${name} --save-exact) or stop importing it`,
      );
    }
    dependencies[name] = entry.version;
  }
  const manifest = {
    name: project.name,
    version: project.version ?? '0.0.0',
    private: true,
    description: `What ${project.name}'s bundle needs at run time, at the versions of the workspace's package-lock.json (written by tools/build).`,
    dependencies: sortedObject(dependencies),
  };
  return {
    manifest,
    lock: pruneLock(rootLock, { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies }),
  };
}
