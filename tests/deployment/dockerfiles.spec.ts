import fs from 'node:fs';
import path from 'node:path';
import {
  contextCopySources,
  dockerIgnores,
  instructionsOf,
  parseDockerfile,
  type Stage,
  stageCopySources,
  stageEnvironment,
  stageWorkdir,
} from './support/dockerfile';
import {
  APP_SERVICES,
  defaultPort,
  GATEWAY_SIMULATOR,
  IDENTITY_PROVIDER,
  readRepoFile,
  repoPathExists,
  ROOT,
} from './support/repo';
import { BUILD_AND_MIGRATION_PACKAGES, npmCiDryRun, runtimePackagesOf } from './support/runtime-packages';

const dockerfileOf = (name: string) => readRepoFile(`apps/${name}/Dockerfile`);
const dockerignore = readRepoFile('.dockerignore');
const NODE_MAJOR = readRepoFile('.nvmrc').trim();
const rootPackage = JSON.parse(readRepoFile('package.json')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/** What every image here is: slim Node of .nvmrc's major at run time, production dependencies only. */
function expectSlimProductionRuntime(stages: Stage[]): void {
  const runtime = stages[stages.length - 1]!;
  expect(stages.map((stage) => stage.from).filter((from) => from.startsWith('node:'))).not.toHaveLength(0);
  const base = stages.find((stage) => stage.name === runtime.from) ?? runtime;
  expect(base.from).toMatch(new RegExp(`^node:${NODE_MAJOR}(\\.[\\d.]+)?-(bookworm-)?(slim|alpine)`));
  expect(instructionsOf(runtime, 'RUN').join('\n')).toMatch(/npm ci [^\n]*--omit=dev/);
  expect(instructionsOf(runtime, 'ENV').join(' ')).toContain('NODE_ENV=production');
}

/** ...and is built from npm packages only: no install scripts, no downloads. */
function expectNpmPackagesOnly(stages: Stage[]): void {
  for (const stage of stages) {
    for (const run of instructionsOf(stage, 'RUN')) {
      expect(run).not.toMatch(/\b(curl|wget|apt-get|apk add|git clone)\b/);
      if (/npm ci\b/.test(run)) expect(run).toContain('--ignore-scripts');
    }
  }
}

/**
 * ...and installs in its runtime stage exactly the npm packages its bundle needs: the manifest and lock
 * its build wrote beside the bundle (`<folder>/dist`), copied from the build stage before `npm ci`;
 * never the workspace's manifests, which would bring every workspace's dependencies.
 */
function expectBundlePackagesOnly(runtime: Stage, folder: string): void {
  const runs = instructionsOf(runtime, 'RUN');
  const install = runtime.instructions.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.value));
  expect(runs.filter((run) => /npm (ci|install|i)\b/.test(run))).toEqual([
    expect.stringMatching(/^npm ci --omit=dev --ignore-scripts( |$)/),
  ]);
  const copiedBefore = runtime.instructions
    .slice(0, install)
    .filter((i) => i.keyword === 'COPY')
    .map((i) => i.value);
  expect(copiedBefore).toEqual([
    `--from=build /app/${folder}/dist/package.json /app/${folder}/dist/package-lock.json ./`,
  ]);
  for (const [stage, source] of stageCopySources(runtime)) {
    expect({ stage, source }).toEqual({
      stage: 'build',
      source: expect.stringMatching(new RegExp(`^/app/${folder}/dist(/|$)`)),
    });
  }
}

/** ...and takes from the build context only files that exist and .dockerignore sends. */
function expectSentSources(runtime: Stage): void {
  for (const source of contextCopySources(runtime)) {
    expect({ source, exists: repoPathExists(source), ignored: dockerIgnores(dockerignore, source) }).toEqual({
      source,
      exists: true,
      ignored: false,
    });
  }
}

describe('service Dockerfiles', () => {
  it('are one file in four copies: only the service name and port differ', () => {
    const normalised = APP_SERVICES.map((service) =>
      dockerfileOf(service.name)
        .replaceAll(service.name, '<service>')
        .replace(/^ARG PORT=\d+$/m, 'ARG PORT=<port>'),
    );
    for (const text of normalised) expect(text).toBe(normalised[0]);
  });

  describe.each(APP_SERVICES)('$name', (service) => {
    const { args, stages } = parseDockerfile(dockerfileOf(service.name));
    const runtime = stages[stages.length - 1]!;
    const build = stages.find((stage) => stage.name === 'build');

    it('builds for this service, on its default port', () => {
      expect(args).toEqual({ SERVICE: service.name, PORT: String(defaultPort(service)) });
    });

    it('is multi-stage: bundles in a build stage', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(build).toBeDefined();
      const runs = instructionsOf(build!, 'RUN').join('\n');
      expect(runs).toMatch(/npm ci\b/);
      expect(runs).toContain(`npm run build --workspace apps/${service.name}`);
    });

    it('runs from a slim image of the Node major in .nvmrc (what CI and the tests run on), production dependencies only', () => {
      expectSlimProductionRuntime(stages);
    });

    it('installs nothing from outside the npm registry (no install scripts, no downloads)', () => {
      expectNpmPackagesOnly(stages);
    });

    it('carries the bundle and the npm packages it imports, nothing else: nothing from the build context (no tools/, no Prisma project)', () => {
      expectBundlePackagesOnly(runtime, `apps/${service.name}`);
      expect(contextCopySources(runtime)).toEqual([]);
      expect(instructionsOf(runtime, 'COPY')).toContainEqual(`--from=build /app/apps/${service.name}/dist dist/`);
    });

    it('installs no Prisma, TypeScript or build tooling: its bundle imports none of them, nor does anything they import', () => {
      const { manifest, names } = runtimePackagesOf(`apps/${service.name}`);
      expect(manifest.name).toBe(`@shopflow/${service.name}`);
      expect(Object.keys(manifest.dependencies).length).toBeGreaterThan(0);
      expect(names.filter((name) => BUILD_AND_MIGRATION_PACKAGES.test(name))).toEqual([]);
      // Every package it names is a production dependency of the workspace, at the lock's version.
      for (const [name, version] of Object.entries(manifest.dependencies))
        expect({ name, version }).toEqual({ name, version: rootPackage.dependencies?.[name] });
    });

    it("installs from a lock npm accepts as it is (in step with the bundle's manifest)", () => {
      const run = npmCiDryRun(`apps/${service.name}`);
      expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
    });

    it('runs as a non-root user, from /app, with the built bundle', () => {
      const user = instructionsOf(runtime, 'USER');
      expect(user).toHaveLength(1);
      expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
      expect(stageWorkdir(stages, runtime)).toBe('/app');
      expect(instructionsOf(runtime, 'CMD')).toEqual([
        '["node", "--enable-source-maps", "--max-semi-space-size=4", "--max-old-space-size=128", "dist/main.js"]',
      ]);
    });

    it('has a HEALTHCHECK on /health/ready using node (no curl in slim images)', () => {
      const [healthcheck] = instructionsOf(runtime, 'HEALTHCHECK');
      expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/health\/ready/);
      expect(instructionsOf(runtime, 'ENV').join(' ')).toContain(`PORT=${defaultPort(service)}`);
    });
  });
});

/** The development tools that run as their own containers: small HTTP processes, built alike. */
const TOOL_IMAGES = [
  { label: 'gateway simulator', ...GATEWAY_SIMULATOR },
  { label: 'identity provider', ...IDENTITY_PROVIDER },
];

describe.each(TOOL_IMAGES)('$label Dockerfile ($folder)', (tool) => {
  const { folder } = tool;
  const { args, stages } = parseDockerfile(readRepoFile(`${folder}/Dockerfile`));
  const runtime = stages[stages.length - 1]!;
  const build = stages.find((stage) => stage.name === 'build');
  /** What the tool reads from the image's environment alone (compose adds the rest). */
  const imageConfig = () => tool.readConfig(stageEnvironment(stages, runtime));

  it('is multi-stage: bundles the tool in a build stage', () => {
    expect(args).toEqual({});
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    const runs = instructionsOf(build!, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toContain(`npm run build --workspace ${folder}`);
  });

  it('runs from a slim image of the Node major in .nvmrc, production dependencies only', () => {
    expectSlimProductionRuntime(stages);
  });

  it('installs the npm packages its bundle imports and nothing else, at the versions of the lock, from a lock npm accepts', () => {
    expectBundlePackagesOnly(runtime, folder);
    const { manifest, names } = runtimePackagesOf(folder);
    expect(manifest.name).toBe(`@shopflow/${path.basename(folder)}`);
    expect(names.filter((name) => BUILD_AND_MIGRATION_PACKAGES.test(name))).toEqual([]);
    const run = npmCiDryRun(folder);
    expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
  });

  it('installs nothing from outside the npm registry (no install scripts, no downloads)', () => {
    expectNpmPackagesOnly(stages);
  });

  it('ships the bundle, and takes nothing else from the build context but what .dockerignore sends', () => {
    expect(instructionsOf(runtime, 'COPY').join('\n')).toMatch(new RegExp(`--from=build /app/${folder}/dist `));
    expectSentSources(runtime);
  });

  it('runs as a non-root user, from /app, with the built bundle', () => {
    const user = instructionsOf(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(stageWorkdir(stages, runtime)).toBe('/app');
    expect(instructionsOf(runtime, 'CMD')).toEqual(['["node", "--enable-source-maps", "dist/main.js"]']);
  });

  it('listens on every interface (other containers call it) on its default port, which it exposes', () => {
    const defaults = tool.readConfig({});
    expect(imageConfig()).toMatchObject({ host: '0.0.0.0', port: defaults.port });
    expect(instructionsOf(runtime, 'EXPOSE')).toEqual([String(defaults.port)]);
  });

  it('leaves its settings to the deployment (the image sets none of its variables but PORT and HOST)', () => {
    const settings = tool.variables.filter((variable) => !['PORT', 'HOST'].includes(variable));
    expect(settings.length).toBeGreaterThan(0);
    expect(Object.keys(stageEnvironment(stages, runtime)).filter((key) => settings.includes(key))).toEqual([]);
  });

  it('has a HEALTHCHECK on /health using node (no curl in slim images), on the port it listens on', () => {
    const [healthcheck] = instructionsOf(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(
      /CMD \["node", "-e", ".*fetch\('http:\/\/127\.0\.0\.1:' \+ process\.env\.PORT \+ '\/health'/,
    );
    expect(stageEnvironment(stages, runtime)['PORT']).toBe(String(imageConfig().port));
  });
});

/** The migration step's image: Prisma's CLI, its offline engine and every service's Prisma project. */
describe('migration image (tools/migrate/Dockerfile)', () => {
  const folder = 'tools/migrate';
  const { args, stages } = parseDockerfile(readRepoFile(`${folder}/Dockerfile`));
  const runtime = stages[stages.length - 1]!;
  const build = stages.find((stage) => stage.name === 'build');
  /** What the offline engine imports: it runs beside Prisma's CLI, from the image's node_modules. */
  const engineImports = [
    ...readRepoFile(`${folder}/engine/schema-engine-wasm.mjs`).matchAll(/^import .* from '([^'.][^']*)';$/gm),
  ]
    .map((m) => m[1]!)
    .filter((specifier) => !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );

  it('is multi-stage: bundles the runner in a build stage', () => {
    expect(args).toEqual({});
    expect(build).toBeDefined();
    const runs = instructionsOf(build!, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toContain(`npm run build --workspace ${folder}`);
  });

  it('runs from a slim image of the Node major in .nvmrc, production dependencies only, from the npm registry only', () => {
    expectSlimProductionRuntime(stages);
    expectNpmPackagesOnly(stages);
    expect(stageEnvironment(stages, runtime)['CHECKPOINT_DISABLE']).toBe('1');
  });

  it("installs its bundle's packages: Prisma's CLI and everything the offline engine imports, from a lock npm accepts", () => {
    expectBundlePackagesOnly(runtime, folder);
    const { manifest, names } = runtimePackagesOf(folder);
    expect(engineImports).toEqual(expect.arrayContaining(['pg', '@prisma/adapter-pg']));
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['prisma', ...engineImports]));
    expect(names).not.toContain('typescript');
    const run = npmCiDryRun(folder);
    expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
  });

  it("carries the offline engine and every service's Prisma project (config, schema, migrations) at its repository path, and nothing else", () => {
    const projects = APP_SERVICES.flatMap((service) => [
      `apps/${service.name}/prisma.config.ts`,
      `apps/${service.name}/prisma`,
    ]);
    expect(contextCopySources(runtime).sort()).toEqual([...projects, `${folder}/engine`].sort());
    for (const service of APP_SERVICES) {
      expect(fs.readdirSync(path.join(ROOT, `apps/${service.name}/prisma/migrations`)).length).toBeGreaterThan(1);
      // Prisma's CLI reads it in the image, where nothing of tools/ but the engine is.
      expect(readRepoFile(`apps/${service.name}/prisma.config.ts`)).not.toMatch(/from '[^']*tools\//);
    }
    expectSentSources(runtime);
  });

  it('runs the runner as a non-root user, from its repository folder, the services to migrate as arguments', () => {
    const user = instructionsOf(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    expect(stageWorkdir(stages, runtime)).toBe(`/app/${folder}`);
    expect(instructionsOf(runtime, 'COPY')).toContainEqual(`--from=build /app/${folder}/dist ${folder}/dist/`);
    expect(instructionsOf(runtime, 'ENTRYPOINT')).toEqual(['["node", "--enable-source-maps", "dist/main.js"]']);
    expect(instructionsOf(runtime, 'CMD')).toEqual([]);
    // A one-shot job: nothing listens, nothing to check.
    expect(instructionsOf(runtime, 'EXPOSE')).toEqual([]);
    expect(instructionsOf(runtime, 'HEALTHCHECK')).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it.each([
    'node_modules/zod/package.json',
    'apps/order-service/node_modules/x',
    'apps/order-service/dist/main.js',
    'tools/gateway-simulator/dist/main.js',
    'tools/identity-provider/dist/main.js',
    'tools/migrate/dist/main.js',
    'tools/migrate/test/cli.spec.ts',
    'tmp/e2e-logs/x.log',
    '.nx/cache/x',
    '.git/HEAD',
    '.env',
    '.env.local',
  ])('keeps %s out of the build context', (file) => {
    expect(dockerIgnores(dockerignore, file)).toBe(true);
  });

  it.each([
    'package.json',
    'package-lock.json',
    'tsconfig.base.json',
    'libs/messaging/src/index.ts',
    'libs/testing/package.json',
    'tests/e2e/package.json',
    'tests/deployment/package.json',
    'tools/architecture/package.json',
    'tools/build/src/main.ts',
    'tools/migrate/engine/schema-engine-wasm.mjs',
    'tools/migrate/src/main.ts',
    ...APP_SERVICES.flatMap((s) => [
      `apps/${s.name}/prisma.config.ts`,
      `apps/${s.name}/prisma/migrations/migration_lock.toml`,
    ]),
    `${GATEWAY_SIMULATOR.folder}/package.json`,
    `${GATEWAY_SIMULATOR.folder}/src/main.ts`,
    `${IDENTITY_PROVIDER.folder}/package.json`,
    `${IDENTITY_PROVIDER.folder}/src/main.ts`,
    ...APP_SERVICES.flatMap((s) => [`apps/${s.name}/package.json`, `apps/${s.name}/src/main.ts`]),
  ])('sends %s (needed by npm ci or the build)', (file) => {
    expect(dockerIgnores(dockerignore, file)).toBe(false);
  });
});
