import { type ComposeDeployment } from './compose-deployment';

/**
 * What stands in, on this machine and for one test run, for what docker-compose.yml points at.
 * Keys are the names compose uses; values are this run's.
 */
export interface LocalStandIns {
  /**
   * `host:port` inside the compose network (`postgres:5432`, `rabbitmq:5672`, `mailpit:1025`,
   * `jaeger:4318`, `payment-gateway:4010`, `identity-provider:4020`) → here.
   */
  endpoints: Record<string, { host: string; port: number }>;
  /** PostgreSQL database (`shopflow_order`) → this run's copy, owned by the stand-in of its role. */
  databases: Record<string, string>;
  /** PostgreSQL login role (`order_service`) → this run's, same password and privileges. */
  roles: Record<string, string>;
  /** RabbitMQ vhost (`shopflow`) → this run's, with the definitions' exchanges. */
  vhosts: Record<string, string>;
  /** RabbitMQ user (`order-service`) → this run's, same password hash and permission regexes. */
  brokerUsers: Record<string, string>;
}

/** docker-compose.yml wires a service in a way the test refuses to run (each problem is listed). */
export class ComposeEnvironmentError extends Error {
  override readonly name = 'ComposeEnvironmentError';
}

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'amqp:': 5672,
  'amqps:': 5671,
  'http:': 80,
  'https:': 443,
};

/**
 * The environment `service` gets from docker-compose.yml, made runnable here. It is compose's
 * environment unchanged (same variable names, no variable added or dropped, same user/password
 * pairs) except for the names only the compose network and a fresh deployment have, which become
 * this run's stand-ins:
 *
 * - a PostgreSQL URL (`postgres:`/`postgresql:`) whose host is a compose service: host:port → the
 *   local server, role → its stand-in, database → its stand-in. It must connect as the role of the
 *   service whose database it is (`order-service` → `order_service`, the init script's naming): in
 *   DATABASE_URL the service's own, in `<X>_DATABASE_URL` (the migrate service's) `<x>-service`'s;
 *   to the database the init script gives that role, with the password the init script gives it
 *   (the postgres service's variable). The local server trusts 127.0.0.1 and would accept any
 *   password, so the password is checked here;
 * - a RabbitMQ URL (`amqp:`/`amqps:`) whose host is a compose service: host:port → the local
 *   broker, user → its stand-in, vhost → its stand-in. It must connect as the service's own user
 *   (named as the service in definitions.json), to a vhost of definitions.json. The password stays:
 *   the broker checks it against the hash rendered from the rabbitmq service's variable;
 * - `<X>_HOST` naming a compose service, with `<X>_PORT`: both → where that `host:port` stands here
 *   (`mailpit:1025` → the test's SMTP sink). `<X>_PORT` must be set: only then can it be redirected;
 * - an HTTP URL (`http:`/`https:`) whose host is a compose service: host:port → where that
 *   `host:port` stands here, path kept (`http://jaeger:4318` → the test's OTLP receiver,
 *   `http://payment-gateway:4010` → the test's gateway simulator).
 *
 * Every other value is passed through as it is, so a misspelt or missing variable reaches the
 * service, whose own config validator or connection fails as it would under compose. Refused
 * (ComposeEnvironmentError): a database or broker URL or `<X>_HOST` that points outside the compose
 * services, a compose service named by any other variable or URL scheme, a `host:port` with no
 * stand-in (nothing listens there in compose either), and any wrong pairing above.
 */
export function localEnvironment(
  service: string,
  deployment: ComposeDeployment,
  local: LocalStandIns,
): Record<string, string> {
  const compose = deployment.environments[service];
  if (!compose) throw new ComposeEnvironmentError(`docker-compose.yml has no service ${service}`);
  const composeHosts = new Set(Object.keys(deployment.environments));
  const problems: string[] = [];
  const env = { ...compose };

  const standIn = (hostPort: string, where: string) => {
    const endpoint = local.endpoints[hostPort];
    if (!endpoint)
      problems.push(`${where}: nothing stands in for ${hostPort} (known: ${Object.keys(local.endpoints).join(', ')})`);
    return endpoint;
  };
  const renamed = (names: Record<string, string>, name: string, what: string, where: string) => {
    const localName = names[name];
    if (localName === undefined) problems.push(`${where}: no stand-in for ${what} "${name}"`);
    return localName ?? name;
  };

  for (const [name, value] of Object.entries(compose)) {
    const where = `${service} ${name}`;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        problems.push(`${where}: "${value}" is not a valid URL`);
        continue;
      }
      const database = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
      const broker = url.protocol === 'amqp:' || url.protocol === 'amqps:';
      const web = url.protocol === 'http:' || url.protocol === 'https:';
      if (!composeHosts.has(url.hostname)) {
        if (database || broker)
          problems.push(`${where}: ${url.protocol}// host "${url.hostname}" is not a compose service`);
        continue;
      }
      if (!database && !broker && !web) {
        problems.push(`${where}: no stand-in for ${url.protocol}// URLs to compose service ${url.hostname}`);
        continue;
      }
      const endpoint = standIn(`${url.hostname}:${url.port || DEFAULT_PORTS[url.protocol]}`, where);
      if (!endpoint) continue;
      if (web) {
        url.hostname = endpoint.host;
        url.port = String(endpoint.port);
        // URL adds a `/` path; keep the value's own form (`http://jaeger:4318` → `http://127.0.0.1:<port>`).
        env[name] = value.endsWith('/') || url.pathname !== '/' ? url.toString() : url.toString().replace(/\/$/, '');
        continue;
      }
      const pairing = database
        ? databasePairing(databaseOwner(service, name), url, deployment)
        : brokerPairing(service, url, deployment);
      if (typeof pairing === 'string') {
        problems.push(`${where}: ${pairing}`);
      } else if (database) {
        url.username = encodeURIComponent(renamed(local.roles, pairing.user, 'role', where));
        url.pathname = `/${encodeURIComponent(renamed(local.databases, pairing.name, 'database', where))}`;
      } else {
        url.username = encodeURIComponent(renamed(local.brokerUsers, pairing.user, 'broker user', where));
        url.pathname = `/${encodeURIComponent(renamed(local.vhosts, pairing.name, 'vhost', where))}`;
      }
      url.hostname = endpoint.host;
      url.port = String(endpoint.port);
      env[name] = url.toString();
    } else if (/_HOST$/.test(name)) {
      const portName = name.replace(/_HOST$/, '_PORT');
      const port = compose[portName];
      if (!composeHosts.has(value)) problems.push(`${where}: "${value}" is not a compose service`);
      else if (port === undefined)
        problems.push(`${where}: names compose service ${value}, but ${portName} is not set`);
      else {
        const endpoint = standIn(`${value}:${port}`, where);
        if (endpoint) {
          env[name] = endpoint.host;
          env[portName] = String(endpoint.port);
        }
      }
    } else if (composeHosts.has(value)) {
      problems.push(`${where}: names compose service ${value}, but is neither a URL nor an <X>_HOST with <X>_PORT`);
    }
  }
  if (problems.length) {
    throw new ComposeEnvironmentError(`docker-compose.yml, ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return env;
}

/** Whose database a variable names: `ORDER_DATABASE_URL` order-service's, `DATABASE_URL` the service's own. */
function databaseOwner(service: string, variable: string): string {
  const prefix = /^([A-Z]+)_DATABASE_URL$/.exec(variable)?.[1];
  return prefix ? `${prefix.toLowerCase()}-service` : service;
}

/** The role and database of a PostgreSQL URL, if they are `service`'s own (else what is wrong). */
function databasePairing(service: string, url: URL, deployment: ComposeDeployment) {
  const user = decodeURIComponent(url.username);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const ownRole = service.replace(/-/g, '_');
  const entry = deployment.databases.find((d) => d.role === user);
  if (user !== ownRole) return `connects as role "${user}", but ${service}'s own role is "${ownRole}"`;
  if (!entry) return `role "${user}" is not created by the postgres init script`;
  if (name !== entry.database) return `database "${name}", but role ${user} owns "${entry.database}"`;
  if (decodeURIComponent(url.password) !== entry.password) {
    return `the password is not ${entry.passwordVariable}, the one the init script gives role ${user}`;
  }
  return { user, name };
}

/** The user and vhost of a RabbitMQ URL, if they are `service`'s own (else what is wrong). */
function brokerPairing(service: string, url: URL, deployment: ComposeDeployment) {
  const user = decodeURIComponent(url.username);
  // amqplib: no path is vhost "/"; the path is the vhost, percent-decoded.
  const name = url.pathname ? decodeURIComponent(url.pathname.slice(1)) : '/';
  if (user !== service) return `connects as broker user "${user || 'guest'}", but ${service}'s own is "${service}"`;
  if (!deployment.broker.users.some((u) => u.name === user)) return `broker user "${user}" is not in definitions.json`;
  if (!deployment.broker.vhosts.includes(name)) return `vhost "${name}" is not in definitions.json`;
  return { user, name };
}
