import fs from 'node:fs';
import path from 'node:path';

/** Workspace root, from this file's location so it does not matter where `prisma` is run from. */
export const workspaceRoot = path.resolve(__dirname, '..', '..');

/** The wasm stand-in for Prisma's native schema engine (see README.md). */
export const offlineSchemaEngine = path.join(workspaceRoot, 'tools/prisma/schema-engine-wasm.mjs');

/**
 * Air-gapped mode, called at the top of every prisma.config.ts.
 *
 * The Prisma CLI reads these variables after loading its config, so setting them here is enough.
 * Only defaults are set: PRISMA_NATIVE_ENGINE=1, or the user's own PRISMA_SCHEMA_ENGINE_BINARY,
 * keeps Prisma's normal behaviour (download and run the native engine).
 */
export function useOfflineSchemaEngine(env: NodeJS.ProcessEnv = process.env): void {
  // The CLI's background telemetry/update check cannot reach the internet either way.
  env['CHECKPOINT_DISABLE'] ??= '1';
  if (env['PRISMA_NATIVE_ENGINE'] === '1' || env['PRISMA_SCHEMA_ENGINE_BINARY']) return;
  env['PRISMA_SCHEMA_ENGINE_BINARY'] = offlineSchemaEngine;
  // Prefer the engine build the CLI was made with over the (different) one published on npm.
  const cliWasm = path.join(workspaceRoot, 'node_modules/prisma/build/schema_engine_bg.wasm');
  if (!env['SCHEMA_ENGINE_WASM_PATH'] && fs.existsSync(cliWasm)) {
    env['SCHEMA_ENGINE_WASM_PATH'] = cliWasm;
  }
}
