import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { WORKSPACE } from './service-process';

/** The Docker deployment's files, each read here as the container that uses it reads it. */
export const COMPOSE_FILE = 'docker-compose.yml';
export const ENV_EXAMPLE = '.env.example';
export const POSTGRES_INIT_SCRIPT = 'deploy/postgres/10-service-databases.sh';
export const RABBITMQ_DEFINITIONS = 'deploy/rabbitmq/definitions.json';
export const RABBITMQ_RENDER_SCRIPT = 'deploy/rabbitmq/render-definitions.sh';
/** The compose services that run those files: the init script in one, the definitions in the other. */
export const POSTGRES_SERVICE = 'postgres';
export const RABBITMQ_SERVICE = 'rabbitmq';
/** The one-shot migration step the services wait for (tools/migrate/Dockerfile). */
export const MIGRATE_SERVICE = 'migrate';

/** One line of the init script's table: a login role, the database it owns, and its password. */
export interface ServiceDatabase {
  role: string;
  database: string;
  /** The postgres container's variable the init script reads the password from... */
  passwordVariable: string;
  /** ...and its value there, as compose resolves it. */
  password: string;
}

export interface BrokerPermission {
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

/** A user of the rendered definitions: the hash is of the rabbitmq container's password variable. */
export interface BrokerUser {
  name: string;
  passwordHash: string;
  hashingAlgorithm: string;
  tags: string[];
  permissions: BrokerPermission[];
}

type VhostScoped = { vhost: string } & Record<string, unknown>;
export const VHOST_SCOPED_DEFINITIONS = ['exchanges', 'queues', 'bindings', 'policies'] as const;

export interface ComposeDeployment {
  /** Every compose service's `environment`, as `docker-compose --env-file .env.example config` resolves it. */
  environments: Record<string, Record<string, string>>;
  /** deploy/postgres/10-service-databases.sh, with the passwords from the postgres service's environment. */
  databases: ServiceDatabase[];
  /** deploy/rabbitmq/definitions.json, rendered by render-definitions.sh with the rabbitmq service's environment. */
  broker: {
    vhosts: string[];
    users: BrokerUser[];
    /** Exchanges, queues, bindings and policies the definitions create in their vhosts. */
    scoped: Record<(typeof VHOST_SCOPED_DEFINITIONS)[number], VhostScoped[]>;
  };
}

/** Reads the deployment as compose, the postgres init script and the rabbitmq entrypoint would. */
export function readComposeDeployment(envFile = ENV_EXAMPLE): ComposeDeployment {
  const environments = resolvedEnvironments(envFile);
  return {
    environments,
    databases: serviceDatabases(environmentOf(environments, POSTGRES_SERVICE)),
    broker: renderedDefinitions(environmentOf(environments, RABBITMQ_SERVICE)),
  };
}

function environmentOf(environments: ComposeDeployment['environments'], service: string): Record<string, string> {
  const environment = environments[service];
  if (!environment) throw new Error(`${COMPOSE_FILE} has no service ${service}`);
  return environment;
}

/**
 * The real Compose implementation (Debian's docker-compose 1.29: `config` needs no Docker engine),
 * with only PATH and HOME from this process, so the shell's variables cannot hide a missing one.
 */
function resolvedEnvironments(envFile: string): ComposeDeployment['environments'] {
  const run = spawnSync('docker-compose', ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'], {
    cwd: WORKSPACE,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? os.tmpdir() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('docker-compose is not installed: `apt-get install -y docker-compose` (.ci/run does)');
  }
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`docker-compose config failed (${run.status}):\n${run.stderr}`);
  const resolved = YAML.parse(run.stdout) as { services: Record<string, { environment?: Record<string, unknown> }> };
  return Object.fromEntries(
    Object.entries(resolved.services).map(([name, service]) => [
      name,
      Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')])),
    ]),
  );
}

/** The `SERVICES='<role> <database> <password variable>...'` table of the init script. */
function serviceDatabases(postgresEnvironment: Record<string, string>): ServiceDatabase[] {
  const script = fs.readFileSync(path.join(WORKSPACE, POSTGRES_INIT_SCRIPT), 'utf8');
  const table = /^SERVICES='([^']*)'/m.exec(script)?.[1];
  if (!table) throw new Error(`${POSTGRES_INIT_SCRIPT}: no SERVICES='<role> <database> <variable>' table found`);
  return table
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [role, database, passwordVariable, ...rest] = line.trim().split(/\s+/);
      if (!role || !database || !passwordVariable || rest.length) {
        throw new Error(`${POSTGRES_INIT_SCRIPT}: cannot read SERVICES line "${line}"`);
      }
      const password = postgresEnvironment[passwordVariable];
      // The init script stops on this too, leaving the volume uninitialised.
      if (!password) throw new Error(`compose service ${POSTGRES_SERVICE} does not set ${passwordVariable}`);
      return { role, database, passwordVariable, password };
    });
}

/** definitions.json rendered by the rabbitmq entrypoint's own script, with the rabbitmq service's environment. */
function renderedDefinitions(rabbitmqEnvironment: Record<string, string>): ComposeDeployment['broker'] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-compose-definitions-'));
  try {
    const output = path.join(dir, 'definitions.json');
    const run = spawnSync('sh', [RABBITMQ_RENDER_SCRIPT, RABBITMQ_DEFINITIONS, output], {
      cwd: WORKSPACE,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...rabbitmqEnvironment },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`${RABBITMQ_RENDER_SCRIPT} failed (${run.status}):\n${run.stderr}`);
    const definitions = JSON.parse(fs.readFileSync(output, 'utf8')) as {
      vhosts: { name: string }[];
      users: { name: string; password_hash: string; hashing_algorithm: string; tags: string[] | string }[];
      permissions: ({ user: string } & BrokerPermission)[];
    } & Partial<Record<(typeof VHOST_SCOPED_DEFINITIONS)[number], VhostScoped[]>>;
    return {
      vhosts: definitions.vhosts.map((vhost) => vhost.name),
      users: definitions.users.map((user) => ({
        name: user.name,
        passwordHash: user.password_hash,
        hashingAlgorithm: user.hashing_algorithm,
        tags: typeof user.tags === 'string' ? user.tags.split(',').filter(Boolean) : user.tags,
        permissions: definitions.permissions
          .filter((permission) => permission.user === user.name)
          .map(({ vhost, configure, write, read }) => ({ vhost, configure, write, read })),
      })),
      scoped: {
        exchanges: definitions.exchanges ?? [],
        queues: definitions.queues ?? [],
        bindings: definitions.bindings ?? [],
        policies: definitions.policies ?? [],
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
