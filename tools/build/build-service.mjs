// Bundles a service (run from its folder) into dist/main.js: the workspace libs are compiled in,
// npm packages stay external and are installed next to it (node_modules), as in the Docker image.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = [...Object.keys(rootPackage.dependencies ?? {}), ...Object.keys(rootPackage.devDependencies ?? {})];

const result = await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node26',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`built ${path.basename(process.cwd())}/dist/main.js (${Math.round(bytes / 1024)} KiB)`);
