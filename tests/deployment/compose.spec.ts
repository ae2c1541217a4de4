import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  bindMounts,
  type ComposeFile,
  dependenciesOf,
  dockerCompose,
  emptyEnvFile,
  ENV_EXAMPLE,
  environmentOf,
  rawCompose,
  resolvedCompose,
} from './support/compose';
import { composeSpecValidator, describeErrors } from './support/compose-schema';
import { databaseUrlVariable, readMigrationTargets, type ServiceName } from '@shopflow/migrate';
import { parseDockerfile, stageEnvironment } from './support/dockerfile';
import {
  APP_SERVICES,
  GATEWAY_SIMULATOR,
  IDENTITY_PROVIDER,
  parseEnvFile,
  readRepoFile,
  repoPathExists,
  ROOT,
} from './support/repo';

const envExample = parseEnvFile(readRepoFile(ENV_EXAMPLE));
/**
 * payment-gateway: the card processor's simulator; identity-provider: the development token issuer;
 * gateway: Caddy, in front of the REST APIs.
 */
const INFRASTRUCTURE = ['postgres', 'rabbitmq', 'mailpit', 'payment-gateway', 'identity-provider', 'gateway'];

/** A published port as `[host_ip:]published:target`, from either form `docker-compose config` writes. */
const publishedPort = (port: unknown): string =>
  typeof port === 'string'
    ? port.replace(/\/tcp$/, '')
    : (({ host_ip, published, target }: { host_ip?: string; published: number; target: number }) =>
        `${host_ip ? `${host_ip}:` : ''}${published}:${target}`)(
        port as { host_ip?: string; published: number; target: number },
      );
/** Metrics, dashboards and traces (observability.spec.ts checks their wiring). */
const OBSERVABILITY = ['prometheus', 'grafana', 'jaeger'];
/** The migration step: a one-shot container the services wait for (tools/migrate/Dockerfile). */
const MIGRATE = 'migrate';
const ONE_SHOT = [MIGRATE];

describe('docker-compose.yml, read by a real Compose implementation', () => {
  let compose: ComposeFile;
  beforeAll(() => {
    compose = resolvedCompose();
  });

  it('is accepted by `docker-compose config` with .env.example, and defines the whole system', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...APP_SERVICES.map((s) => s.name), ...ONE_SHOT, ...INFRASTRUCTURE, ...OBSERVABILITY].sort(),
    );
  });

  it('stops with a message pointing at .env.example when the secrets are not set', () => {
    const run = dockerCompose(emptyEnvFile(), ['config']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('cp .env.example .env');
  });

  it('matches the Compose Specification schema, as written and as resolved', () => {
    const validate = composeSpecValidator();
    const raw = rawCompose();
    expect(raw['version']).toBeUndefined();
    expect({ valid: validate(raw), errors: describeErrors(validate) }).toEqual({ valid: true, errors: '' });
    expect({ valid: validate(compose), errors: describeErrors(validate) }).toEqual({ valid: true, errors: '' });
  });

  it('the schema check does catch a mistake', () => {
    const validate = composeSpecValidator();
    const broken = rawCompose();
    broken.services['order-service']!['healthcheck'] = { test: ['CMD', 'true'], interval: '10 seconds' };
    broken.services['order-service']!['restart_policy'] = 'always';
    expect(validate(broken)).toBe(false);
    expect(describeErrors(validate)).toMatch(/interval|additional properties/);
  });

  it('mounts only files that exist in the repository', () => {
    const mounts = Object.values(compose.services).flatMap(bindMounts);
    expect(mounts.length).toBeGreaterThan(0);
    for (const { source } of mounts) {
      expect({ source, exists: repoPathExists(path.relative(ROOT, source)) }).toEqual({ source, exists: true });
    }
  });

  it('keeps data in named volumes', () => {
    const volumes = Object.keys(compose.volumes ?? {});
    for (const name of ['postgres', 'rabbitmq']) {
      const mounts = (compose.services[name]!.volumes ?? []).map((v) =>
        typeof v === 'string' ? v : `${v.source}:${v.target}`,
      );
      expect(mounts.some((m) => volumes.includes(m.split(':')[0]!))).toBe(true);
    }
  });

  it('gives every container resource limits, and every one but the one-shot steps a restart policy and a health check', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (ONE_SHOT.includes(name)) {
        // Runs to its end once; restarted, a failed migration would loop instead of stopping `up`.
        expect({ name, restart: service.restart, healthcheck: service.healthcheck }).toEqual({
          name,
          restart: 'no',
          healthcheck: undefined,
        });
        expect({ name, limits: service.deploy?.resources?.limits }).toEqual({
          name,
          limits: { cpus: expect.anything(), memory: expect.stringMatching(/^\d+[MG]$/) },
        });
        continue;
      }
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, limits: service.deploy?.resources?.limits }).toEqual({
        name,
        limits: { cpus: expect.anything(), memory: expect.stringMatching(/^\d+[MG]$/) },
      });
      expect({ name, healthcheck: service.healthcheck?.test }).toEqual({ name, healthcheck: expect.anything() });
    }
  });

  it('publishes host ports only for the gateway, the e-mail inbox, the RabbitMQ management UI, Grafana, Prometheus, the Jaeger UI and (on the loopback) the identity provider', () => {
    const published = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, service]) => (service.ports ?? []).length > 0)
        .map(([name, service]) => [name, (service.ports ?? []).map(publishedPort)]),
    );
    expect(published).toEqual({
      gateway: ['8080:8080'],
      mailpit: ['8025:8025'],
      rabbitmq: ['15672:15672'],
      grafana: ['3000:3000'],
      prometheus: ['9090:9090'],
      // The UI only: the services reach the OTLP receiver (4318) inside the compose network.
      jaeger: ['16686:16686'],
      // For `npm run token` on this machine; it gives tokens to anyone, so to no one beyond it.
      'identity-provider': ['127.0.0.1:4020:4020'],
    });
  });

  describe.each(APP_SERVICES)('$name', (service) => {
    const definition = () => compose.services[service.name]!;
    const env = () => environmentOf(definition());

    it('is built from its own Dockerfile with the repository as context', () => {
      expect(definition().build).toEqual({ context: ROOT, dockerfile: `apps/${service.name}/Dockerfile` });
      expect(fs.existsSync(path.join(ROOT, `apps/${service.name}/Dockerfile`))).toBe(true);
    });

    it('has an environment its own config validator accepts, with no variable it does not know', () => {
      expect(() => service.config.readConfig(env())).not.toThrow();
      const known = Object.keys(service.config.configSchema.shape);
      expect(Object.keys(env()).filter((key) => !known.includes(key))).toEqual([]);
    });

    it('uses its own database and role, with the password the postgres container creates the role with', () => {
      const url = new URL(env()['DATABASE_URL']!);
      expect({ host: url.host, database: url.pathname, user: url.username }).toEqual({
        host: 'postgres:5432',
        database: `/shopflow_${service.short}`,
        user: `${service.short}_service`,
      });
      const variable = `POSTGRES_${service.short.toUpperCase()}_PASSWORD`;
      expect(decodeURIComponent(url.password)).toBe(environmentOf(compose.services['postgres']!)[variable]);
      expect(decodeURIComponent(url.password)).toBe(envExample[variable]);
    });

    it('uses its own broker user on the shopflow vhost, with the password the broker is given', () => {
      const url = new URL(env()['AMQP_URL']!);
      expect({ host: url.host, vhost: decodeURIComponent(url.pathname.slice(1)), user: url.username }).toEqual({
        host: 'rabbitmq:5672',
        vhost: 'shopflow',
        user: service.name,
      });
      const variable = `RABBITMQ_${service.short.toUpperCase()}_PASSWORD`;
      expect(decodeURIComponent(url.password)).toBe(environmentOf(compose.services['rabbitmq']!)[variable]);
      expect(decodeURIComponent(url.password)).toBe(envExample[variable]);
    });

    it('starts once its database is migrated and its dependencies are healthy, publishes no host port (it scales) and checks /health/ready', () => {
      const expected: Record<string, string> = {
        // The migration step has run to its end, successfully: the service never migrates its database itself.
        [MIGRATE]: 'service_completed_successfully',
        postgres: 'service_healthy',
        rabbitmq: 'service_healthy',
        // Every request's token is checked with its keys.
        [IDENTITY_PROVIDER.name]: 'service_healthy',
      };
      if (service.name === 'notification-service') expected['mailpit'] = 'service_healthy';
      // Inventory announces its catalog at start: order-service's queue must exist by then.
      if (service.name === 'inventory-service') expected['order-service'] = 'service_healthy';
      // Every charge and refund goes to the card processor.
      if (service.name === 'payment-service') expected[GATEWAY_SIMULATOR.name] = 'service_healthy';
      expect(dependenciesOf(definition())).toEqual(expected);
      expect(definition().ports ?? []).toEqual([]);
      expect(definition()['container_name']).toBeUndefined();
      expect(JSON.stringify(definition().healthcheck?.test)).toContain('/health/ready');
    });
  });

  it('runs the gateway with deploy/gateway/Caddyfile, whose site listens on the published port 8080', () => {
    const gateway = compose.services['gateway']!;
    expect(bindMounts(gateway).map((m) => [path.relative(ROOT, m.source), m.target])).toContainEqual([
      'deploy/gateway/Caddyfile',
      '/etc/caddy/Caddyfile',
    ]);
    expect(readRepoFile('deploy/gateway/Caddyfile')).toMatch(/^:8080 \{$/m);
  });

  it('sends notification-service e-mail to Mailpit', () => {
    const env = environmentOf(compose.services['notification-service']!);
    expect({ host: env['SMTP_HOST'], port: env['SMTP_PORT'] }).toEqual({ host: 'mailpit', port: '1025' });
  });
});

describe(`${MIGRATE}: the migration step (tools/migrate), once before the services`, () => {
  let compose: ComposeFile;
  beforeAll(() => {
    compose = resolvedCompose();
  });
  const definition = () => compose.services[MIGRATE]!;

  it('is built from the migration image with the repository as context, and publishes nothing', () => {
    expect(definition().build).toEqual({ context: ROOT, dockerfile: 'tools/migrate/Dockerfile' });
    expect(repoPathExists('tools/migrate/Dockerfile')).toBe(true);
    expect(definition().ports ?? []).toEqual([]);
  });

  it('waits for PostgreSQL only', () => {
    expect(dependenciesOf(definition())).toEqual({ postgres: 'service_healthy' });
  });

  it("migrates every service's database with that service's own URL (its role, database and password), which the runner accepts", () => {
    const env = environmentOf(definition());
    expect(Object.keys(env).sort()).toEqual(APP_SERVICES.map((s) => databaseUrlVariable(s.name as ServiceName)).sort());
    for (const service of APP_SERVICES) {
      const variable = databaseUrlVariable(service.name as ServiceName);
      expect({ variable, url: env[variable] }).toEqual({
        variable,
        url: environmentOf(compose.services[service.name]!)['DATABASE_URL'],
      });
    }
    const read = readMigrationTargets([], env);
    expect(read).toEqual({ targets: expect.any(Array) });
    expect((read as { targets: { service: string }[] }).targets.map((t) => t.service).sort()).toEqual(
      APP_SERVICES.map((s) => s.name).sort(),
    );
  });

  it('is what every service waits for, to have completed successfully', () => {
    const waiting = Object.entries(compose.services)
      .filter(([, service]) => dependenciesOf(service)[MIGRATE] === 'service_completed_successfully')
      .map(([name]) => name);
    expect(waiting.sort()).toEqual(APP_SERVICES.map((s) => s.name).sort());
  });
});

describe(`${GATEWAY_SIMULATOR.name}: the card processor's simulator (${GATEWAY_SIMULATOR.folder})`, () => {
  const { name, folder } = GATEWAY_SIMULATOR;
  const dockerfile = `${folder}/Dockerfile`;
  let compose: ComposeFile;
  beforeAll(() => {
    compose = resolvedCompose();
  });
  const definition = () => compose.services[name]!;
  /** What the simulator process sees in its container: the image's environment, then compose's. */
  const containerEnv = (service = definition()) => {
    const { stages } = parseDockerfile(readRepoFile(dockerfile));
    return { ...stageEnvironment(stages, stages[stages.length - 1]!), ...environmentOf(service) };
  };
  const knobs = GATEWAY_SIMULATOR.variables.filter((variable) => variable.startsWith('GATEWAY_'));

  it('is built from its own Dockerfile with the repository as context', () => {
    expect(definition().build).toEqual({ context: ROOT, dockerfile });
    expect(repoPathExists(dockerfile)).toBe(true);
  });

  it('has an environment its config accepts, with no variable it does not know', () => {
    expect(() => GATEWAY_SIMULATOR.readConfig(containerEnv())).not.toThrow();
    const env = environmentOf(definition());
    expect(Object.keys(env).filter((key) => !GATEWAY_SIMULATOR.variables.includes(key))).toEqual([]);
  });

  it('passes every GATEWAY_* knob through from the shell or .env, and unset they are its own defaults', () => {
    expect(knobs.length).toBeGreaterThan(0);
    expect(Object.keys(environmentOf(definition())).sort()).toEqual([...knobs].sort());
    const raw = environmentOf(rawCompose().services[name]!);
    for (const knob of knobs)
      expect({ knob, value: raw[knob] }).toEqual({
        knob,
        value: expect.stringMatching(new RegExp(`^\\$\\{${knob}:-`)),
      });
    // .env.example sets none of them: no latency, outages or timeouts unless asked for.
    expect(GATEWAY_SIMULATOR.readConfig(containerEnv()).settings).toEqual(GATEWAY_SIMULATOR.readConfig({}).settings);
  });

  it('GATEWAY_LATENCY_MS and the other knobs set in .env reach the simulator, not payment-service', () => {
    const envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compose-env-')), 'knobs.env');
    fs.writeFileSync(
      envFile,
      `${readRepoFile(ENV_EXAMPLE)}\nGATEWAY_LATENCY_MS=250\nGATEWAY_LATENCY_P99_MS=900\nGATEWAY_FAILURE_RATE=0.1\n` +
        'GATEWAY_TIMEOUT_RATE=0.05\nGATEWAY_HANG_MS=10000\n',
    );
    const run = dockerCompose(envFile, ['config']);
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const configured = YAML.parse(run.stdout) as ComposeFile;
    expect(GATEWAY_SIMULATOR.readConfig(containerEnv(configured.services[name]!)).settings).toEqual({
      latency: { p50Ms: 250, p99Ms: 900 },
      failureRate: 0.1,
      timeoutRate: 0.05,
      hangMs: 10_000,
    });
    const payment = environmentOf(configured.services['payment-service']!);
    expect(Object.keys(payment).filter((key) => key.startsWith('GATEWAY_'))).toEqual([]);
  });

  it("is what payment-service's PAYMENT_GATEWAY_URL points at: its compose name, on the port it listens on in its container", () => {
    const value = environmentOf(compose.services['payment-service']!)['PAYMENT_GATEWAY_URL'];
    expect(value).toBeDefined();
    const url = new URL(value!);
    const listening = GATEWAY_SIMULATOR.readConfig(containerEnv());
    expect({ protocol: url.protocol, host: url.hostname, port: Number(url.port), path: url.pathname }).toEqual({
      protocol: 'http:',
      host: name,
      port: listening.port,
      path: '/',
    });
    // Not only on the container's loopback: payment-service calls it from another container.
    expect(listening.host).toBe('0.0.0.0');
  });

  it('needs nothing to start, publishes no host port (payment-service calls it in the network), and checks /health', () => {
    expect(dependenciesOf(definition())).toEqual({});
    expect(definition().ports ?? []).toEqual([]);
    expect(JSON.stringify(definition().healthcheck?.test)).toMatch(/\/health'/);
  });
});

describe(`${IDENTITY_PROVIDER.name}: the development token issuer (${IDENTITY_PROVIDER.folder})`, () => {
  const { name, folder } = IDENTITY_PROVIDER;
  const dockerfile = `${folder}/Dockerfile`;
  const AUTH = ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'];
  let compose: ComposeFile;
  beforeAll(() => {
    compose = resolvedCompose();
  });
  const definition = () => compose.services[name]!;
  /** What the provider process sees in its container: the image's environment, then compose's. */
  const containerEnv = (service = definition()) => {
    const { stages } = parseDockerfile(readRepoFile(dockerfile));
    return { ...stageEnvironment(stages, stages[stages.length - 1]!), ...environmentOf(service) };
  };
  const provider = () => IDENTITY_PROVIDER.readConfig(containerEnv());

  it('is built from its own Dockerfile with the repository as context', () => {
    expect(definition().build).toEqual({ context: ROOT, dockerfile });
    expect(repoPathExists(dockerfile)).toBe(true);
  });

  it('has an environment its config accepts, with no variable it does not know', () => {
    expect(() => provider()).not.toThrow();
    const env = environmentOf(definition());
    expect(Object.keys(env).filter((key) => !IDENTITY_PROVIDER.variables.includes(key))).toEqual([]);
  });

  it('issues tokens for the name the services reach it by, on every interface of its container', () => {
    const issuer = new URL(provider().issuer!);
    expect({
      protocol: issuer.protocol,
      host: issuer.hostname,
      port: Number(issuer.port),
      path: issuer.pathname,
    }).toEqual({ protocol: 'http:', host: name, port: provider().port, path: '/' });
    expect(provider().host).toBe('0.0.0.0');
  });

  it.each(APP_SERVICES)(
    "is whom $name trusts: AUTH_JWKS_URL is its JWKS, AUTH_ISSUER and AUTH_AUDIENCE its tokens' iss and aud",
    (service) => {
      const env = environmentOf(compose.services[service.name]!);
      const jwks = new URL(env['AUTH_JWKS_URL']!);
      expect({ protocol: jwks.protocol, host: jwks.hostname, port: Number(jwks.port), path: jwks.pathname }).toEqual({
        protocol: 'http:',
        host: name,
        port: provider().port,
        path: '/.well-known/jwks.json',
      });
      expect({ issuer: env['AUTH_ISSUER'], audience: env['AUTH_AUDIENCE'] }).toEqual({
        issuer: provider().issuer,
        audience: provider().audience,
      });
    },
  );

  it('AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE set in .env point every service at a real identity provider', () => {
    const envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compose-env-')), 'idp.env');
    const real = {
      AUTH_JWKS_URL: 'https://idp.example.com/realms/shop/protocol/openid-connect/certs',
      AUTH_ISSUER: 'https://idp.example.com/realms/shop',
      AUTH_AUDIENCE: 'shop-api',
    };
    fs.writeFileSync(
      envFile,
      `${readRepoFile(ENV_EXAMPLE)}\n${Object.entries(real)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n')}\n`,
    );
    const run = dockerCompose(envFile, ['config']);
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const configured = YAML.parse(run.stdout) as ComposeFile;
    for (const service of APP_SERVICES) {
      const env = environmentOf(configured.services[service.name]!);
      expect({ service: service.name, auth: Object.fromEntries(AUTH.map((key) => [key, env[key]])) }).toEqual({
        service: service.name,
        auth: real,
      });
      expect(() => service.config.readConfig(env)).not.toThrow();
    }
    // The local provider keeps its own issuer: its tokens are refused by services that trust another.
    expect(environmentOf(configured.services[name]!)['ISSUER']).toBe(provider().issuer);
  });

  it('needs nothing to start, is published on the host loopback at IDENTITY_PROVIDER_PORT for `npm run token`, and checks /health', () => {
    expect(dependenciesOf(definition())).toEqual({});
    const raw = rawCompose().services[name]!;
    expect(raw.ports).toEqual([`127.0.0.1:\${IDENTITY_PROVIDER_PORT:-4020}:${provider().port}`]);
    // The CLI's default IDENTITY_PROVIDER_URL, http://127.0.0.1:4020.
    expect(readRepoFile(`${folder}/src/token-cli.ts`)).toContain("DEFAULT_URL = 'http://127.0.0.1:4020'");
    expect(JSON.stringify(definition().healthcheck?.test)).toMatch(/\/health'/);
  });

  it('keeps its signing key in a named volume, on a folder its image makes for the user it runs as', () => {
    const keyFolder = path.posix.dirname(provider().signingKeyFile!);
    const volume = (definition().volumes ?? [])
      .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
      .find((v) => v.split(':')[1] === keyFolder);
    expect(Object.keys(compose.volumes ?? {})).toContain(volume?.split(':')[0]);
    const { stages } = parseDockerfile(readRepoFile(dockerfile));
    const runtime = stages[stages.length - 1]!;
    const [user] = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.value);
    expect(runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.value)).toContainEqual(
      expect.stringContaining(`chown ${user}:${user} ${keyFolder}`),
    );
  });
});

describe('PostgreSQL: one database and role per service (deploy/postgres)', () => {
  const initScripts = fs
    .readdirSync(path.join(ROOT, 'deploy/postgres'))
    .filter((file) => file.endsWith('.sh'))
    .map((file) => path.join(ROOT, 'deploy/postgres', file));
  const calls = initScripts.flatMap((file) =>
    [
      ...fs.readFileSync(file, 'utf8').matchAll(/^(?:SERVICES=')?(\w+) (shopflow_\w+) (POSTGRES_\w+_PASSWORD)'?$/gm),
    ].map((m) => m.slice(1)),
  );

  it('the init scripts are executable (the image runs, rather than sources, them)', () => {
    expect(initScripts.length).toBeGreaterThan(0);
    for (const file of initScripts) expect(fs.statSync(file).mode & 0o111).not.toBe(0);
  });

  it('creates exactly the role and database each service connects with, from the same variable', () => {
    expect(calls).toEqual(
      APP_SERVICES.map((s) => [
        `${s.short}_service`,
        `shopflow_${s.short}`,
        `POSTGRES_${s.short.toUpperCase()}_PASSWORD`,
      ]),
    );
  });
});

describe('RabbitMQ: the broker container and deploy/rabbitmq', () => {
  let compose: ComposeFile;
  beforeAll(() => {
    compose = resolvedCompose();
  });
  const definitions = () =>
    JSON.parse(readRepoFile('deploy/rabbitmq/definitions.json')) as {
      vhosts?: { name: string }[];
      users?: { name: string }[];
    };

  it('gets every password the definitions need', () => {
    const placeholders = [...readRepoFile('deploy/rabbitmq/definitions.json').matchAll(/\{\{(\w+)\}\}/g)].map(
      (m) => m[1],
    );
    const env = environmentOf(compose.services['rabbitmq']!);
    expect(placeholders.length).toBeGreaterThan(0);
    for (const name of placeholders) expect({ name, set: Boolean(env[name!]) }).toEqual({ name, set: true });
  });

  it('defines the vhost and the user every service connects with', () => {
    const users = (definitions().users ?? []).map((u) => u.name);
    const vhosts = (definitions().vhosts ?? []).map((v) => v.name);
    for (const service of APP_SERVICES) {
      const url = new URL(environmentOf(compose.services[service.name]!)['AMQP_URL']!);
      expect(users).toContain(url.username);
      expect(vhosts).toContain(decodeURIComponent(url.pathname.slice(1)));
    }
    expect(users).not.toContain('guest');
  });

  it('starts through the entrypoint in the mounted deploy/rabbitmq folder', () => {
    const rabbitmq = compose.services['rabbitmq']!;
    const mount = bindMounts(rabbitmq).find((m) => path.relative(ROOT, m.source) === 'deploy/rabbitmq');
    expect(mount).toBeDefined();
    const entrypoint = [rabbitmq.entrypoint ?? []].flat();
    const script = entrypoint.find((arg) => arg.startsWith(`${mount!.target}/`));
    expect(script).toBeDefined();
    expect(repoPathExists(path.join('deploy/rabbitmq', path.relative(mount!.target, script!)))).toBe(true);
  });
});

describe('.env.example', () => {
  const raw = readRepoFile('docker-compose.yml');
  const required = [...raw.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!);

  it('sets every variable docker-compose.yml requires, and says it holds development placeholders only', () => {
    expect(required.length).toBeGreaterThan(0);
    for (const name of new Set(required)) expect({ name, set: Boolean(envExample[name]) }).toEqual({ name, set: true });
    expect(readRepoFile(ENV_EXAMPLE)).toMatch(/DEVELOPMENT PLACEHOLDERS ONLY/);
  });

  it('has URL-safe passwords (they go into connection URLs unescaped), none of them written into docker-compose.yml', () => {
    const passwords = Object.entries(envExample).filter(([key]) => key.endsWith('_PASSWORD'));
    expect(passwords.length).toBe(11);
    for (const [key, value] of passwords) {
      expect({ key, value }).toEqual({ key, value: expect.stringMatching(/^[A-Za-z0-9._~-]+$/) });
      expect(raw).not.toContain(value);
    }
  });
});
