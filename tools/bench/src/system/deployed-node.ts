import fs from 'node:fs';
import path from 'node:path';

const dockerfileOf = (workspace: string, service: string) =>
  fs.readFileSync(path.join(workspace, 'apps', service, 'Dockerfile'), 'utf8');

/**
 * The node flags a service's image starts it with (its Dockerfile's CMD, exec form), so that the
 * bench measures the service as deployed: e.g. the young-generation size that bounds its memory.
 */
export function deployedNodeFlags(workspace: string, service: string): string[] {
  const cmd = dockerfileOf(workspace, service).match(/^CMD (\[.*\])\s*$/m)?.[1];
  const argv = cmd ? (JSON.parse(cmd) as string[]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') {
    throw new Error(`${service}'s Dockerfile has no CMD ["node", ..., "dist/main.js"] to take its flags from`);
  }
  return argv.slice(1, -1);
}

/**
 * The Node.js major a service's image runs (`FROM node:26-…`). The bench starts the services with
 * its own node, and a major apart changes the figures markedly (docs/performance-history.md), so the
 * report names both.
 */
export function deployedNodeMajor(workspace: string, service: string): number {
  const major = dockerfileOf(workspace, service).match(/^FROM node:(\d+)/m)?.[1];
  if (!major) throw new Error(`${service}'s Dockerfile starts from no node:<major> image`);
  return Number(major);
}

/** Whether `version` (e.g. `v26.12.1`) is of the deployed major. */
export function runsDeployedNode(version: string, deployedMajor: number): boolean {
  return Number(/^v?(\d+)/.exec(version)?.[1]) === deployedMajor;
}
