import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** deploy/rabbitmq: the broker's definitions for docker compose, proven by permissions.spec.ts. */
export const RABBITMQ_DEPLOY_DIR = path.resolve(__dirname, '../../../deploy/rabbitmq');
export const DEFINITIONS_FILE = path.join(RABBITMQ_DEPLOY_DIR, 'definitions.json');
export const RENDER_SCRIPT = path.join(RABBITMQ_DEPLOY_DIR, 'render-definitions.sh');
/** The vhost the definitions are written for; the test applies them to a scratch vhost instead. */
export const APP_VHOST = 'shopflow';

export interface DefinitionsUser {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  tags: string[] | string;
}

export interface DefinitionsPermission {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface Definitions {
  vhosts: { name: string }[];
  users: DefinitionsUser[];
  permissions: DefinitionsPermission[];
  exchanges: { name: string; vhost: string; type: string; durable: boolean }[];
  queues: { vhost: string }[];
  bindings: { vhost: string }[];
  policies?: { vhost: string }[];
  [key: string]: unknown;
}

/** The environment variable that holds each user's password (the file holds `{{VAR}}` placeholders). */
export const PASSWORD_VARIABLES: Record<string, string> = {
  'order-service': 'RABBITMQ_ORDER_PASSWORD',
  'inventory-service': 'RABBITMQ_INVENTORY_PASSWORD',
  'payment-service': 'RABBITMQ_PAYMENT_PASSWORD',
  'notification-service': 'RABBITMQ_NOTIFICATION_PASSWORD',
  admin: 'RABBITMQ_ADMIN_PASSWORD',
};

export function loadDefinitions(file = DEFINITIONS_FILE): Definitions {
  return JSON.parse(readFileSync(file, 'utf8')) as Definitions;
}

/** The permissions a user has on the app vhost: exactly one entry, or the definitions are wrong. */
export function permissionsOf(definitions: Definitions, user: string): DefinitionsPermission {
  const entries = definitions.permissions.filter((p) => p.user === user && p.vhost === APP_VHOST);
  if (entries.length !== 1) {
    throw new Error(
      `${DEFINITIONS_FILE}: expected one permission entry for ${user} on ${APP_VHOST}, found ${entries.length}`,
    );
  }
  return entries[0]!;
}

export interface RenderResult {
  status: number;
  stderr: string;
  /** The rendered definitions, when the script succeeded. */
  definitions?: Definitions;
}

/** Runs deploy/rabbitmq/render-definitions.sh as the container does, with only `env` (and PATH) set. */
export function renderDefinitions(env: Record<string, string>): RenderResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopflow-definitions-'));
  const output = path.join(dir, 'definitions.json');
  try {
    execFileSync('sh', [RENDER_SCRIPT, DEFINITIONS_FILE, output], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return { status: 0, stderr: '', definitions: loadDefinitions(output) };
  } catch (error) {
    const failure = error as { status?: number; stderr?: Buffer };
    let written = false;
    try {
      readFileSync(output);
      written = true;
    } catch {
      // nothing written: what a failed render must leave
    }
    if (written) throw new Error('render-definitions.sh failed but still wrote its output');
    return { status: failure.status ?? -1, stderr: String(failure.stderr ?? '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
