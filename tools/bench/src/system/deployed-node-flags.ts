import fs from 'node:fs';
import path from 'node:path';

/**
 * The node flags a service's image starts it with (its Dockerfile's CMD, exec form), so that the
 * bench measures the service as deployed: e.g. the young-generation size that bounds its memory.
 */
export function deployedNodeFlags(workspace: string, service: string): string[] {
  const dockerfile = fs.readFileSync(path.join(workspace, 'apps', service, 'Dockerfile'), 'utf8');
  const cmd = dockerfile.match(/^CMD (\[.*\])\s*$/m)?.[1];
  const argv = cmd ? (JSON.parse(cmd) as string[]) : [];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') {
    throw new Error(`${service}'s Dockerfile has no CMD ["node", ..., "dist/main.js"] to take its flags from`);
  }
  return argv.slice(1, -1);
}
