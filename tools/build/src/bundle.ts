import { build } from 'esbuild';
import path from 'node:path';

export interface Bundle {
  /** dist/main.js and its source map, as written. */
  bytes: number;
  /** Every import the bundle leaves to Node at run time (npm packages and Node's own modules). */
  externalImports: string[];
}

/**
 * Bundles a project's src/main.ts into dist/main.js (CommonJS, with a source map): the workspace's
 * own libraries are compiled in; npm packages stay external, to be installed next to the bundle.
 */
export async function bundle(projectDir: string, npmPackages: string[]): Promise<Bundle> {
  const outfile = path.join(projectDir, 'dist/main.js');
  const result = await build({
    entryPoints: [path.join(projectDir, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node26',
    format: 'cjs',
    sourcemap: true,
    external: npmPackages,
    logLevel: 'warning',
    metafile: true,
  });
  const outputs = Object.values(result.metafile.outputs);
  return {
    bytes: outputs.reduce((sum, output) => sum + output.bytes, 0),
    externalImports: outputs.flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path)),
  };
}
