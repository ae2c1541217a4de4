import fs from 'node:fs';
import path from 'node:path';
import { CannotRun } from '../cannot-run';
import { WORKSPACE } from '../options';
import { SERVICES } from './services';

/**
 * Checks, before anything starts, that the checkout at `root` (this one, or --services-from's) has
 * every service built and the Dockerfile its node flags come from; otherwise one line names the
 * first file missing and how to make it.
 */
export function checkBuiltServices(root: string): void {
  for (const service of SERVICES) {
    for (const file of ['Dockerfile', 'dist/main.js']) {
      const wanted = path.join(root, 'apps', service, file);
      if (fs.existsSync(wanted)) continue;
      const fix =
        root === WORKSPACE
          ? 'build the services (npm run bench builds them; npm run build)'
          : `point --services-from at a checkout of this repository, built (npm ci && npm run build there)`;
      throw new CannotRun(`${wanted} is missing: ${fix}`);
    }
  }
}
