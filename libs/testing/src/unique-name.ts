import { randomBytes } from 'node:crypto';

const MAX_LENGTH = 63; // PostgreSQL truncates longer identifiers

/**
 * A name no other test run will pick, made of [a-z0-9_] only, so it can be used unquoted as a
 * PostgreSQL identifier and in a vhost/queue name or URL without escaping.
 */
export function uniqueName(prefix: string): string {
  const suffix = `_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, MAX_LENGTH - suffix.length);
  return safePrefix + suffix;
}
