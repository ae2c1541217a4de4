import { contextCopySources, dockerIgnores, instructionsOf, parseDockerfile } from './support/dockerfile';
import { APP_SERVICES, defaultPort, readRepoFile, repoPathExists } from './support/repo';

const dockerfileOf = (name: string) => readRepoFile(`apps/${name}/Dockerfile`);
const dockerignore = readRepoFile('.dockerignore');
const NODE_MAJOR = readRepoFile('.nvmrc').trim();

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
      expect(stages.map((stage) => stage.from).filter((from) => from.startsWith('node:'))).not.toHaveLength(0);
      const base = stages.find((stage) => stage.name === runtime.from) ?? runtime;
      expect(base.from).toMatch(new RegExp(`^node:${NODE_MAJOR}(\\.[\\d.]+)?-(bookworm-)?(slim|alpine)`));
      expect(instructionsOf(runtime, 'RUN').join('\n')).toMatch(/npm ci [^\n]*--omit=dev/);
      expect(instructionsOf(runtime, 'ENV').join(' ')).toContain('NODE_ENV=production');
    });

    it('installs nothing from outside the npm registry (no install scripts, no downloads)', () => {
      for (const stage of stages) {
        for (const run of instructionsOf(stage, 'RUN')) {
          expect(run).not.toMatch(/\b(curl|wget|apt-get|apk add|git clone)\b/);
          if (/npm ci\b/.test(run)) expect(run).toContain('--ignore-scripts');
        }
      }
    });

    it('ships the bundle, the Prisma project and the offline schema engine that migrate deploy needs', () => {
      const copies = instructionsOf(runtime, 'COPY').join('\n');
      expect(copies).toMatch(new RegExp(`--from=build /app/apps/${service.name}/dist `));
      const sources = contextCopySources(runtime);
      expect(sources).toEqual(
        expect.arrayContaining([
          `apps/${service.name}/prisma.config.ts`,
          `apps/${service.name}/prisma`,
          'tools/prisma/offline-engine.ts',
          'tools/prisma/schema-engine-wasm.mjs',
        ]),
      );
      for (const source of sources) {
        expect({ source, exists: repoPathExists(source), ignored: dockerIgnores(dockerignore, source) }).toEqual({
          source,
          exists: true,
          ignored: false,
        });
      }
    });

    it('runs as a non-root user, from the app folder, with the built bundle', () => {
      const user = instructionsOf(runtime, 'USER');
      expect(user).toHaveLength(1);
      expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
      expect(instructionsOf(runtime, 'WORKDIR').at(-1)).toBe(`/app/apps/${service.name}`);
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

describe('.dockerignore', () => {
  it.each([
    'node_modules/zod/package.json',
    'apps/order-service/node_modules/x',
    'apps/order-service/dist/main.js',
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
    'tools/build/build-service.mjs',
    ...APP_SERVICES.flatMap((s) => [`apps/${s.name}/package.json`, `apps/${s.name}/src/main.ts`]),
  ])('sends %s (needed by npm ci or the build)', (file) => {
    expect(dockerIgnores(dockerignore, file)).toBe(false);
  });
});
