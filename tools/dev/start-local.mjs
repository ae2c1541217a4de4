#!/usr/bin/env node
// `npm start`: the whole system on this machine, without Docker, against a local RabbitMQ and
// PostgreSQL. Creates the databases, builds, migrates them with the migration step (tools/migrate,
// as compose's migrate service does before the services), starts the four services (N replicas with
// --replicas inventory-service=3) plus a small SMTP catcher, the card processor's simulator
// (tools/gateway-simulator) and the development identity provider (tools/identity-provider), each
// its own process, and stops everything on Ctrl-C.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import amqplib from 'amqplib';
import { SMTPServer } from 'smtp-server';

const root = path.resolve(import.meta.dirname, '../..');
// Consumers first, inventory last: the catalog it announces at start must find order-service's queue.
// PORT_OFFSET moves all four (e.g. to run a second copy beside the first, as its test does).
const PORT_OFFSET = Number(process.env.PORT_OFFSET ?? 0);
const SERVICES = {
  'order-service': 3001 + PORT_OFFSET,
  'payment-service': 3003 + PORT_OFFSET,
  'notification-service': 3004 + PORT_OFFSET,
  'inventory-service': 3002 + PORT_OFFSET,
};
const PG_URL = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const SMTP_PORT = Number(process.env.SMTP_PORT ?? 1025);
const SIMULATOR_PORT = Number(process.env.GATEWAY_SIMULATOR_PORT ?? 4010);
const GATEWAY_URL = process.env.PAYMENT_GATEWAY_URL ?? `http://127.0.0.1:${SIMULATOR_PORT}`;
const IDENTITY_PROVIDER_PORT = Number(process.env.IDENTITY_PROVIDER_PORT ?? 4020);
const IDENTITY_PROVIDER_URL = `http://127.0.0.1:${IDENTITY_PROVIDER_PORT}`;
// Its key outlives a restart of `npm start`, and with it the tokens handed out (tmp/ is not committed).
const SIGNING_KEY_FILE = path.join(root, 'tmp/identity-provider/signing-key.json');
/** AUTH_JWKS_URL set: the services trust the user's identity provider, and no local one runs. */
const OWN_IDENTITY_PROVIDER = Boolean(process.env.AUTH_JWKS_URL);

function parseReplicas(argv) {
  const replicas = Object.fromEntries(Object.keys(SERVICES).map((s) => [s, 1]));
  for (let i = 0; i < argv.length; i++) {
    const arg =
      argv[i] === '--replicas' ? argv[++i] : argv[i].startsWith('--replicas=') ? argv[i].slice(11) : undefined;
    if (!arg) continue;
    const [service, count] = arg.split('=');
    if (!(service in SERVICES) || !(Number(count) >= 1))
      throw new Error(`bad --replicas ${arg} (e.g. inventory-service=3)`);
    replicas[service] = Number(count);
  }
  return replicas;
}

async function checkInfrastructure() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${error.message}).\n` +
        `  Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n` +
        `  or point POSTGRES_URL at yours.`,
    );
  }
  // Only the databases no <SERVICE>_DATABASE_URL replaces: those are the caller's.
  for (const service of Object.keys(SERVICES).filter((service) => !process.env[databaseUrlVariable(service)])) {
    const name = databaseName(service);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`);
      console.log(`created database ${name}`);
    }
  }
  await client.end();
  try {
    await (await amqplib.connect(AMQP_URL, { timeout: 3000 })).close();
  } catch (error) {
    throw new Error(
      `RabbitMQ is not reachable at ${AMQP_URL} (${error.message}).\n` +
        `  Start it, e.g.: rabbitmq-server -detached   or point AMQP_URL at yours.`,
    );
  }
}

const databaseName = (service) => `shopflow_${service.split('-')[0]}`;
const databaseUrlVariable = (service) => `${service.split('-')[0].toUpperCase()}_DATABASE_URL`;
const databaseUrl = (service) => {
  const url = new URL(PG_URL);
  url.pathname = `/${databaseName(service)}`;
  return url.toString();
};

function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A stand-in for Mailpit when there is no Docker: accepts every e-mail and prints a line for it. */
async function startMailCatcher() {
  if (process.env.SMTP_HOST || (await portInUse(SMTP_PORT))) return undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (chunk) => (raw += chunk));
      stream.on('end', () => {
        const subject = raw.match(/^Subject: (.*)$/im)?.[1] ?? '';
        console.log(`[mail] to ${session.envelope.rcptTo.map((r) => r.address).join(', ')}: ${subject}`);
        done();
      });
    },
  });
  await new Promise((resolve) => server.listen(SMTP_PORT, '127.0.0.1', resolve));
  console.log(`mail catcher listening on 127.0.0.1:${SMTP_PORT} (e-mails are printed here)`);
  return server;
}

/**
 * Whose tokens the services accept (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE): the local identity
 * provider's, or, with AUTH_JWKS_URL set, the user's own provider's, whose issuer must then be named too.
 */
function authSettings() {
  const audience = process.env.AUTH_AUDIENCE || 'shopflow';
  if (OWN_IDENTITY_PROVIDER) {
    if (!process.env.AUTH_ISSUER) {
      throw new Error(
        "AUTH_JWKS_URL names your identity provider, so AUTH_ISSUER must name its issuer (exactly as its tokens' iss has it): " +
          'set it, or unset AUTH_JWKS_URL to use the local identity provider',
      );
    }
    return { AUTH_JWKS_URL: process.env.AUTH_JWKS_URL, AUTH_ISSUER: process.env.AUTH_ISSUER, AUTH_AUDIENCE: audience };
  }
  if (process.env.AUTH_ISSUER) {
    throw new Error(
      'AUTH_ISSUER is set but AUTH_JWKS_URL is not: set both for an identity provider of your own, ' +
        'or neither for the local one (its issuer is its URL)',
    );
  }
  return {
    AUTH_JWKS_URL: `${IDENTITY_PROVIDER_URL}/.well-known/jwks.json`,
    AUTH_ISSUER: IDENTITY_PROVIDER_URL,
    AUTH_AUDIENCE: audience,
  };
}

/**
 * A helper process of the tools/ folder (dist/main.js), in its own process group: Ctrl-C reaches
 * the services, which drain and may still call it; it is stopped once they are gone (or when this
 * script exits). Its lines are printed with `[name]` before them; resolves once `healthUrl` answers.
 */
async function startTool(name, folder, env, healthUrl) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: path.join(root, folder),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  process.on('exit', () => child.exitCode === null && child.kill('SIGTERM'));
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  }
  const up = await pollUntil(
    () =>
      fetch(healthUrl).then(
        (r) => r.ok,
        () => false,
      ),
    () => child.exitCode !== null,
    10_000,
  );
  if (!up) throw new Error(`the ${name} did not start: see its log above`);
  return child;
}

/** Stops a tool started by startTool, and waits until it is gone. */
async function stopTool(child) {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

/**
 * The development identity provider, unless AUTH_JWKS_URL names the user's own. It gives tokens
 * to anyone who asks (`npm run token`), so it listens on the loopback only.
 */
async function startIdentityProvider(auth) {
  if (OWN_IDENTITY_PROVIDER) return undefined;
  if (await portInUse(IDENTITY_PROVIDER_PORT)) {
    throw new Error(
      `port ${IDENTITY_PROVIDER_PORT}, where the identity provider listens, is in use: stop what uses it, ` +
        'or set IDENTITY_PROVIDER_PORT (or AUTH_JWKS_URL and AUTH_ISSUER for an identity provider of your own)',
    );
  }
  return startTool(
    'identity-provider',
    'tools/identity-provider',
    {
      PORT: String(IDENTITY_PROVIDER_PORT),
      HOST: '127.0.0.1',
      ISSUER: auth.AUTH_ISSUER,
      AUDIENCE: auth.AUTH_AUDIENCE,
      SIGNING_KEY_FILE,
    },
    `${IDENTITY_PROVIDER_URL}/health`,
  );
}

/**
 * The card processor's simulator, unless PAYMENT_GATEWAY_URL names another processor. It reads the
 * GATEWAY_* knobs from this environment (GATEWAY_LATENCY_MS: its median latency).
 */
async function startGatewaySimulator() {
  if (process.env.PAYMENT_GATEWAY_URL) return undefined;
  if (await portInUse(SIMULATOR_PORT)) {
    throw new Error(
      `port ${SIMULATOR_PORT}, where the gateway simulator listens, is in use: stop what uses it, ` +
        `or set GATEWAY_SIMULATOR_PORT (or PAYMENT_GATEWAY_URL for a processor of your own)`,
    );
  }
  return startTool(
    'gateway-simulator',
    'tools/gateway-simulator',
    { PORT: String(SIMULATOR_PORT) },
    `${GATEWAY_URL}/health`,
  );
}

/**
 * The migration step, as compose runs it before the services: tools/migrate's bundle, with each
 * service's database URL in <SERVICE>_DATABASE_URL. It says itself what it applied, or why it failed.
 */
async function migrateDatabases() {
  const main = path.join(root, 'tools/migrate/dist/main.js');
  if (!fs.existsSync(main)) {
    throw new Error(`${path.relative(root, main)} is missing: run npm start without --no-build (it builds it)`);
  }
  const urls = Object.fromEntries(
    Object.keys(SERVICES).map((service) => [
      databaseUrlVariable(service),
      process.env[databaseUrlVariable(service)] ?? databaseUrl(service),
    ]),
  );
  await run(process.execPath, [main, ...Object.keys(SERVICES)], { env: { ...process.env, ...urls } }).catch(() => {
    throw new Error('the migration step failed (see its lines above): fix the cause and run npm start again');
  });
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

const isReady = (port) =>
  fetch(`http://127.0.0.1:${port}/health/ready`).then(
    (r) => r.ok,
    () => false,
  );

/** Polls `check` every 250 ms until it holds (true), the script is stopping or the time is up (false). */
async function pollUntil(check, isStopping, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !isStopping()) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

async function waitUntilReady(service, port, isStopping) {
  if (!(await pollUntil(() => isReady(port), isStopping)) && !isStopping()) {
    throw new Error(`${service} did not become ready on port ${port} within 120 s`);
  }
}

/** A short-lived token with scope `orders` from the local identity provider, to read the catalog with. */
async function catalogReaderToken() {
  const res = await fetch(`${IDENTITY_PROVIDER_URL}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: 'start-local', scope: 'orders', ttl: '5m' }),
  });
  if (res.status !== 201) throw new Error(`the identity provider refused a token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

/**
 * Says when orders can be placed: every replica answers /health/ready, and order-service knows the
 * products (an order can only name what it has learned from inventory-service's catalog
 * announcement, which on a fresh database arrives a moment after both are ready). The catalog is
 * read with a token from the local identity provider; with the user's own provider there is none to
 * be had, so only readiness is waited for.
 */
async function announceWhenOrderable(ports, isStopping) {
  const orderUrl = `http://127.0.0.1:${SERVICES['order-service']}`;
  let unchecked = 'AUTH_JWKS_URL names your identity provider, which this script cannot get a token from';
  const token = OWN_IDENTITY_PROVIDER
    ? undefined
    : await catalogReaderToken().catch((error) => {
        unchecked = `the identity provider gave no token: ${error.message}`;
        return undefined;
      });
  let products = 0;
  let refusal;
  const orderable = async () => {
    if (!(await Promise.all(ports.map(isReady))).every(Boolean)) return false;
    if (!token) return true;
    const catalog = await fetch(`${orderUrl}/catalog`, { headers: { authorization: `Bearer ${token}` } }).then(
      async (r) => {
        if (r.status === 401 || r.status === 403)
          refusal = `${r.status} ${(await r.json().catch(() => ({}))).detail ?? ''}`;
        return r.ok ? r.json() : [];
      },
      () => [],
    );
    products = catalog.length;
    return products > 0;
  };
  const orders = `http://localhost:${SERVICES['order-service']}/orders`;
  const tokenFrom = OWN_IDENTITY_PROVIDER ? 'your identity provider' : '`npm run -s token -- --sub <customer>`';
  if (await pollUntil(orderable, isStopping)) {
    if (token) {
      console.log(
        `shopflow is ready: order-service sells ${products} products; place orders on ${orders} ` +
          `with a bearer token from ${tokenFrom}`,
      );
    } else {
      console.log(
        `shopflow is ready (catalog readiness not checked: ${unchecked}); place orders on ${orders} ` +
          `with a bearer token from ${tokenFrom}`,
      );
    }
  } else if (!isStopping()) {
    const why = refusal ? ` (order-service refused the catalog read: ${refusal.trim()})` : '';
    console.log(`shopflow is not ready after 2 minutes${why}: see the services' logs above`);
  }
}

/** Every replica's port is free, or one line says which is taken and what to do (before anything starts). */
async function checkServicePorts(replicas) {
  for (const [service, count] of Object.entries(replicas)) {
    for (let replica = 1; replica <= count; replica++) {
      const port = portOf(service, replica);
      if (await portInUse(port)) {
        throw new Error(
          `port ${port}, where ${service}#${replica} would listen, is in use (another npm start?): ` +
            'stop what uses it, or set PORT_OFFSET to move the services (e.g. PORT_OFFSET=1000 for 4001-4004)',
        );
      }
    }
  }
}

const portOf = (service, replica) => SERVICES[service] + (replica - 1) * 100;

function startService(service, replica, auth) {
  const port = portOf(service, replica);
  const label = `${service}#${replica}`;
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    cwd: path.join(root, 'apps', service),
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: process.env[databaseUrlVariable(service)] ?? databaseUrl(service),
      AMQP_URL,
      SMTP_HOST: process.env.SMTP_HOST ?? '127.0.0.1',
      SMTP_PORT: String(SMTP_PORT),
      PAYMENT_GATEWAY_URL: GATEWAY_URL,
      ...auth,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and a service
    // in it would get SIGINT from the terminal and then SIGTERM from this script, the second of which
    // means "stop now, drain nothing". Here it gets one signal, this script's SIGTERM.
    detached: true,
  });
  // This script gone by any route but a signal it handles (an error, process.exit): its services too.
  process.on('exit', () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'));
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => console.log(`[${label}] ${line}`));
  }
  console.log(`${label} → http://localhost:${port}`);
  return child;
}

async function main() {
  if (!Number.isInteger(PORT_OFFSET) || PORT_OFFSET < 0 || PORT_OFFSET > 60_000) {
    throw new Error(
      `PORT_OFFSET=${process.env.PORT_OFFSET} is not a whole number of ports from 0 to 60000: fix or unset it`,
    );
  }
  const replicas = parseReplicas(process.argv.slice(2));
  const auth = authSettings();
  await checkInfrastructure();
  await checkServicePorts(replicas);
  if (!process.argv.includes('--no-build')) await run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
  await migrateDatabases();
  const mail = await startMailCatcher();
  const simulator = await startGatewaySimulator();
  const identityProvider = await startIdentityProvider(auth);
  const children = [];
  const exits = [];
  let stopping = false;
  let crashed = false;
  // Installed before the first start, so that Ctrl-C at any moment stops what has started.
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping (graceful)...');
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop).on('SIGTERM', stop);
  const launch = (service, replica) => {
    const child = startService(service, replica, auth);
    children.push(child);
    exits.push(
      new Promise((resolve) =>
        child.on('exit', (code) => {
          if (!stopping) {
            crashed = true;
            console.error('a service exited on its own (see its log above): stopping the others');
            stop();
          }
          resolve(code);
        }),
      ),
    );
  };
  for (const [service, count] of Object.entries(replicas)) {
    if (service === 'inventory-service') {
      await waitUntilReady('order-service', SERVICES['order-service'], () => stopping);
    }
    if (stopping) break;
    for (let replica = 1; replica <= count; replica++) launch(service, replica);
  }
  const ports = Object.entries(replicas).flatMap(([service, count]) =>
    Array.from({ length: count }, (_, i) => portOf(service, i + 1)),
  );
  void announceWhenOrderable(ports, () => stopping);
  const codes = await Promise.all(exits);
  // The services are gone: nothing calls the processor or fetches the keys any more.
  await Promise.all([stopTool(simulator), stopTool(identityProvider)]);
  await new Promise((resolve) => (mail ? mail.close(resolve) : resolve()));
  process.exit(!crashed && codes.every((code) => code === 0) ? 0 : 1);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
