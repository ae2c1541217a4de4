import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  bindMounts,
  COMPOSE_FILE,
  type ComposeFile,
  dependenciesOf,
  dockerCompose,
  ENV_EXAMPLE,
  environmentOf,
  resolvedCompose,
} from './support/compose';
import { composeSpecValidator, describeErrors } from './support/compose-schema';
import { APP_SERVICES, parseEnvFile, readRepoFile, repoPathExists, ROOT } from './support/repo';

const CLUSTER_FILE = 'docker-compose.cluster.yml';
const FILES = [COMPOSE_FILE, CLUSTER_FILE];
const NODES = ['rabbitmq', 'rabbitmq-2', 'rabbitmq-3'];
const envExample = parseEnvFile(readRepoFile(ENV_EXAMPLE));

/** The peers deploy/rabbitmq/cluster.conf names (classic peer discovery). */
const peers = () =>
  [
    ...readRepoFile('deploy/rabbitmq/cluster.conf').matchAll(
      /^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$/gm,
    ),
  ].map((m) => m[1]);

describe('docker-compose.cluster.yml over docker-compose.yml: RabbitMQ as three nodes', () => {
  let compose: ComposeFile;
  beforeAll(() => {
    const run = dockerCompose(ENV_EXAMPLE, ['config'], FILES);
    if (run.status !== 0) throw new Error(`docker-compose config failed (${run.status}):\n${run.stderr}`);
    compose = YAML.parse(run.stdout) as ComposeFile;
  });

  it('is accepted by `docker-compose config` with .env.example and matches the Compose Specification schema', () => {
    expect(NODES.every((node) => compose.services[node])).toBe(true);
    const validate = composeSpecValidator();
    expect({ valid: validate(compose), errors: describeErrors(validate) }).toEqual({ valid: true, errors: '' });
    const raw = YAML.parse(readRepoFile(CLUSTER_FILE), { merge: true }) as ComposeFile;
    expect({ valid: validate(raw), errors: describeErrors(validate) }).toEqual({ valid: true, errors: '' });
  });

  it('stops with a message naming the cookie when it is not set', () => {
    const withoutCookie = Object.entries(envExample)
      .filter(([key]) => key !== 'RABBITMQ_CLUSTER_COOKIE')
      .map(([key, value]) => `${key}=${value}`)
      .join('\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-env-')), 'no-cookie.env');
    fs.writeFileSync(file, withoutCookie);
    const run = dockerCompose(file, ['config'], FILES);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('RABBITMQ_CLUSTER_COOKIE');
  });

  it('runs every node from the same image, entrypoint, definitions, passwords and cookie, each on its own volume and name', () => {
    const [first, ...others] = NODES.map((node) => compose.services[node]!);
    const shared = (node: typeof first) => ({
      image: node!.image,
      entrypoint: node!.entrypoint,
      command: node!.command,
      environment: environmentOf(node!),
      definitions: bindMounts(node!).map((m) => [path.relative(ROOT, m.source), m.target]),
      healthcheck: node!.healthcheck,
    });
    for (const node of others) expect(shared(node)).toEqual(shared(first));
    expect(environmentOf(first!)['RABBITMQ_CLUSTER_COOKIE']).toBe(envExample['RABBITMQ_CLUSTER_COOKIE']);
    expect(NODES.map((node) => compose.services[node]!['hostname'])).toEqual(NODES);
    const dataVolumes = NODES.map(
      (node) =>
        (compose.services[node]!.volumes ?? [])
          .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
          .find((v) => v.split(':')[1] === '/var/lib/rabbitmq')
          ?.split(':')[0],
    );
    expect(new Set(dataVolumes).size).toBe(3);
    for (const volume of dataVolumes) expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('has the nodes find each other by the names compose gives them, with the file the entrypoint installs', () => {
    expect(peers()).toEqual(NODES.map((node) => `rabbit@${node}`));
    const entrypoint = readRepoFile('deploy/rabbitmq/entrypoint.sh');
    expect(entrypoint).toMatch(/RABBITMQ_CLUSTER_COOKIE/);
    expect(entrypoint).toContain('"$here/cluster.conf"');
    expect(repoPathExists('deploy/rabbitmq/cluster.conf')).toBe(true);
  });

  it.each(APP_SERVICES)(
    '$name lists every node with its own user on the shopflow vhost, which its config accepts, and waits for all three',
    (service) => {
      const definition = compose.services[service.name]!;
      const env = environmentOf(definition);
      const config = service.config.readConfig(env) as unknown as { AMQP_URL: string[] };
      const variable = `RABBITMQ_${service.short.toUpperCase()}_PASSWORD`;
      expect(
        config.AMQP_URL.map((url) => {
          const { host, username, password, pathname } = new URL(url);
          return { host, user: username, password: decodeURIComponent(password), vhost: pathname };
        }),
      ).toEqual(
        NODES.map((node) => ({
          host: `${node}:5672`,
          user: service.name,
          password: envExample[variable],
          vhost: '/shopflow',
        })),
      );
      const dependencies = dependenciesOf(definition);
      for (const node of NODES)
        expect({ node, condition: dependencies[node] }).toEqual({ node, condition: 'service_healthy' });
    },
  );

  it.each(APP_SERVICES)('$name still starts only once the migration step has completed successfully', (service) => {
    expect(compose.services['migrate']).toBeDefined();
    expect(dependenciesOf(compose.services[service.name]!)['migrate']).toBe('service_completed_successfully');
  });

  it.each(APP_SERVICES)(
    "$name keeps docker-compose.yml's identity provider: the same AUTH_* settings, and waits for it",
    (service) => {
      const base = environmentOf(resolvedCompose().services[service.name]!);
      const env = environmentOf(compose.services[service.name]!);
      const auth = (from: Record<string, string>) =>
        Object.fromEntries(Object.entries(from).filter(([key]) => key.startsWith('AUTH_')));
      expect(Object.keys(auth(env)).length).toBeGreaterThan(0);
      expect(auth(env)).toEqual(auth(base));
      expect(dependenciesOf(compose.services[service.name]!)['identity-provider']).toBe('service_healthy');
    },
  );
});
