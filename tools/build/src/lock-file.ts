import path from 'node:path';

/** One entry of a package-lock.json (lockfileVersion 2 or 3) `packages` map: the fields read here. */
export interface LockEntry {
  name?: string;
  version?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface LockFile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** A lock file or manifest the build cannot use; the message names the cause and the fix, in one line. */
export class LockFileError extends Error {
  override readonly name = 'LockFileError';
}

/**
 * Where Node finds package `name` when it is required from the package installed at `from` (a key
 * of the lock's `packages`: `node_modules/a`, `node_modules/a/node_modules/b`, or `''` for the root):
 * the nearest `node_modules/<name>` up the folders, as `require` looks for it.
 */
export function resolveInLock(lock: LockFile, from: string, name: string): string | undefined {
  let folder = from;
  for (;;) {
    if (path.posix.basename(folder) !== 'node_modules') {
      const candidate = folder ? `${folder}/node_modules/${name}` : `node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
    }
    if (!folder) return undefined;
    const parent = path.posix.dirname(folder);
    folder = parent === '.' ? '' : parent;
  }
}

/**
 * The lock of a project whose only dependencies are `dependencies` (name → version), cut from the
 * workspace's lock: those packages and everything they need, installed at the same places and
 * versions, with the same integrity hashes. `npm ci --omit=dev` installs exactly that set.
 *
 * Every package here is needed at run time, so the workspace's `dev` flags are dropped; a package
 * reached only through optional dependencies (a platform's binary) stays `optional`, so npm skips
 * it where it does not install.
 */
export function pruneLock(
  lock: LockFile,
  root: { name: string; version: string; dependencies: Record<string, string> },
): LockFile {
  if (lock.lockfileVersion < 2 || !lock.packages) {
    throw new LockFileError(
      `package-lock.json is lockfileVersion ${lock.lockfileVersion}, which has no "packages" map: regenerate it with npm 7 or later (npm install)`,
    );
  }
  const required = new Set<string>();
  const reached = new Set<string>();
  const visit = (location: string, isRequired: boolean) => {
    if (isRequired ? required.has(location) : reached.has(location)) return;
    reached.add(location);
    if (isRequired) required.add(location);
    for (const [name, optional] of edgesOf(lock.packages[location] ?? {})) {
      const target = resolveInLock(lock, location, name);
      if (target) visit(target, isRequired && !optional);
      else if (!optional)
        throw new LockFileError(
          `package-lock.json has no ${name} where ${location} needs it: run \`npm install\` to repair the lock`,
        );
    }
  };
  for (const name of Object.keys(root.dependencies)) {
    const location = `node_modules/${name}`;
    const entry = lock.packages[location];
    if (!entry || entry.link) {
      throw new LockFileError(
        `${name} is not installed at the top of the workspace (package-lock.json has no ${location}): add it to the root package.json's dependencies and run \`npm install\``,
      );
    }
    visit(location, true);
  }

  const packages: Record<string, LockEntry> = {
    '': { name: root.name, version: root.version, dependencies: sortedObject(root.dependencies) },
  };
  for (const location of [...reached].sort()) {
    const {
      dev: _dev,
      devOptional: _devOptional,
      optional: _optional,
      peer: _peer,
      ...entry
    } = lock.packages[location] ?? {};
    packages[location] = required.has(location) ? entry : { ...entry, optional: true };
  }
  return { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages };
}

/**
 * What a package needs installed, as [name, optional]: its dependencies, its optional dependencies
 * (a platform's binary: installed where it can be) and its peers. A peer marked optional is left
 * out: npm installs it only when something else depends on it (many name TypeScript so).
 */
function edgesOf(entry: LockEntry): [string, boolean][] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => entry.peerDependenciesMeta?.[name]?.optional !== true,
  );
  const optional = Object.keys(entry.optionalDependencies ?? {});
  // A name in both lists is optional (npm's rule for package.json).
  const needed = [...Object.keys(entry.dependencies ?? {}), ...peers].filter((name) => !optional.includes(name));
  return [
    ...needed.map((name): [string, boolean] => [name, false]),
    ...optional.map((name): [string, boolean] => [name, true]),
  ];
}

export function sortedObject<T>(object: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}
