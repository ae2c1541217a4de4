import fs from 'node:fs';
import path from 'node:path';

/** The wasm stand-in for Prisma's native schema engine (engine/, README.md). */
export const OFFLINE_SCHEMA_ENGINE = path.resolve(__dirname, '../engine/schema-engine-wasm.mjs');

/** Prisma's CLI, from the installed `prisma` package. */
export const prismaCli = (): string => require.resolve('prisma/build/index.js');

/**
 * The environment Prisma's CLI runs in, air-gapped: its schema engine is the wasm stand-in, made
 * from the engine build the CLI itself was made with, and it sends no telemetry. Only defaults:
 * PRISMA_NATIVE_ENGINE=1, or a PRISMA_SCHEMA_ENGINE_BINARY of your own, leaves Prisma to download
 * and run its native engine as usual.
 */
export function prismaEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // The CLI's background telemetry and update check cannot reach the internet either way.
  const result: NodeJS.ProcessEnv = { CHECKPOINT_DISABLE: '1', ...env };
  if (env['PRISMA_NATIVE_ENGINE'] === '1' || env['PRISMA_SCHEMA_ENGINE_BINARY']) return result;
  result['PRISMA_SCHEMA_ENGINE_BINARY'] = OFFLINE_SCHEMA_ENGINE;
  // The CLI's own engine build, which is not published on npm (@prisma/schema-engine-wasm is the fallback).
  const cliWasm = path.join(path.dirname(prismaCli()), 'schema_engine_bg.wasm');
  if (!env['SCHEMA_ENGINE_WASM_PATH'] && fs.existsSync(cliWasm)) result['SCHEMA_ENGINE_WASM_PATH'] = cliWasm;
  return result;
}
