#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary (PostgreSQL only).
//
// Why: the Prisma 7 CLI downloads a native schema engine from binaries.prisma.sh before any
// command, which is unreachable on an air-gapped machine. The same engine also ships on npm as
// WebAssembly (@prisma/schema-engine-wasm); this script wraps it behind the native binary's
// command line and stdio JSON-RPC protocol, so the *real* `prisma migrate dev|deploy|diff|status|
// reset` and `db push` run unchanged and write Prisma's normal migrations layout.
// Point PRISMA_SCHEMA_ENGINE_BINARY here (tools/migrate/src/offline-engine.ts does it); see ../README.md.
//
// The CLI <-> engine protocol and the `cli <subcommand>` entry points are internal to Prisma:
// upgrading prisma / @prisma/* can break this file. tools/migrate/test/migrate-deploy.spec.ts runs
// `migrate deploy` and `migrate status` on fresh databases to catch that.
import fs from 'node:fs';
import crypto from 'node:crypto';
import readline from 'node:readline';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';

// The CLI parses the engine's stderr as JSON log lines.
const log = (level, fields) =>
  process.stderr.write(JSON.stringify({ level, fields, target: 'schema_engine::logger' }) + '\n');

// ---- argv: the flags the Prisma CLI passes to the native binary ----
const argv = process.argv.slice(2);
const datamodels = [];
let datasource = {};
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--datamodels') datamodels.push(argv[++i]);
  else if (argv[i] === '--datasource') datasource = JSON.parse(argv[++i]);
  else if (['--enabled-preview-features', '--extension-types'].includes(argv[i])) i++; // not needed by the wasm engine
}
const cliCmd = argv.includes('cli') ? argv[argv.indexOf('cli') + 1] : null;
const mainUrl = datasource.url;

// ---- pg helpers ----
const withDb = (url, db) => {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(db);
  return u.toString();
};
const dbName = (url) => decodeURIComponent(new URL(url).pathname.slice(1));
const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;
async function sql(url, text) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

// ---- `schema-engine cli <cmd>`: one-shot commands the CLI runs before e.g. `migrate deploy` ----
if (cliCmd) {
  try {
    if (cliCmd === 'can-connect-to-database') await sql(mainUrl, 'SELECT 1');
    else if (cliCmd === 'create-database')
      await sql(withDb(mainUrl, 'postgres'), `CREATE DATABASE ${quoteIdent(dbName(mainUrl))}`).catch((e) => {
        if (e.code !== '42P04') throw e; // duplicate_database: a concurrent deploy created it first
      });
    else if (cliCmd === 'drop-database')
      await sql(withDb(mainUrl, 'postgres'), `DROP DATABASE ${quoteIdent(dbName(mainUrl))}`);
    else throw new Error(`unsupported cli command ${cliCmd}`);
    process.exit(0);
  } catch (e) {
    log('INFO', { message: 'Starting schema-engine wasm shim' }); // the CLI ignores the first stderr line
    // Map pg errors to the Prisma error codes the CLI turns into its usual messages.
    const error_code = e.code === '3D000' ? 'P1003' : e.code === '28P01' ? 'P1000' : 'P1001';
    log('ERROR', { error_code, message: e.message, is_panic: false });
    process.exit(1);
  }
}

// ---- driver adapter the wasm engine talks to the database through ----
// adapter-pg 7.10.1 cannot decode PostgreSQL's internal "char" type (OID 18), which some
// pg_catalog columns read during introspection use: report it as text (OID 25).
class CatalogPool extends pg.Pool {
  async query(...args) {
    const r = await super.query(...args);
    for (const f of r?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return r;
  }
}
const adapter = (url) =>
  new PrismaPg(new CatalogPool({ connectionString: url }), {
    disposeExternalPool: true,
  });
const factory = bindMigrationAwareSqlAdapterFactory({
  provider: 'postgres',
  adapterName: '@prisma/adapter-pg',
  connect: () => adapter(mainUrl).connect(),
  // PrismaPg.connectToShadowDb() given a connection string returns the *main* database, which
  // `migrate dev` would then wipe: create and drop a throwaway shadow database ourselves.
  async connectToShadowDb() {
    if (datasource.shadowDatabaseUrl) return adapter(datasource.shadowDatabaseUrl).connect();
    const name = `prisma_migrate_shadow_db_${crypto.randomUUID().replaceAll('-', '')}`;
    await sql(mainUrl, `CREATE DATABASE ${quoteIdent(name)}`);
    const a = await adapter(withDb(mainUrl, name)).connect();
    const dispose = a.dispose.bind(a);
    a.dispose = async () => {
      await dispose();
      await sql(mainUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    };
    return a;
  },
});

// ---- wasm engine ----
// SCHEMA_ENGINE_WASM_PATH lets us load the CLI's own build (node_modules/prisma/build/
// schema_engine_bg.wasm), which is not published on npm; the npm package's build is the fallback.
const wasmUrl =
  process.env.SCHEMA_ENGINE_WASM_PATH ??
  new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmUrl)), {
  './schema_engine_bg.js': bg,
});
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  message: '',
  set_message(m) {
    this.message = m;
  },
};
if (argv.includes('--version')) {
  console.log(`schema-engine-cli ${bg.version()} (wasm shim)`);
  process.exit(0);
}

let enginePromise;
const engine = () =>
  (enginePromise ??= bg.SchemaEngine.new(
    {
      datamodels: datamodels.length ? datamodels.map((p) => [p, fs.readFileSync(p, 'utf8')]) : undefined,
    },
    (line) => {
      if (process.env.DEBUG_SCHEMA_ENGINE_SHIM) process.stderr.write(line + '\n');
    },
    factory,
  ));

// ---- JSON-RPC methods whose wasm behaviour differs from the native engine's ----
let printId = 1e9; // ids for our own requests to the CLI, far from the CLI's ids
const methods = {
  getDatabaseVersion: (e, p) => e.version(p),
  // wasm evaluateDataLoss/createMigration get no shadow-database factory: they only reuse the
  // shadow schema that devDiagnostic cached for the same migrations list, so warm that cache first.
  evaluateDataLoss: async (e, p) => {
    await e.devDiagnostic({
      migrationsList: p.migrationsList,
      filters: p.filters,
    });
    return e.evaluateDataLoss(p);
  },
  createMigration: async (e, p) => {
    await e.devDiagnostic({
      migrationsList: p.migrationsList,
      filters: p.filters,
    });
    return e.createMigration(p);
  },
  // The native engine sends `diff` output to the CLI as a JSON-RPC "print" request; wasm returns it.
  diff: async (e, p) => {
    const r = await e.diff(p);
    if (r.stdout) {
      const params = { content: r.stdout.replace(/\n$/, '') };
      process.stdout.write(
        JSON.stringify({
          jsonrpc: '2.0',
          id: printId++,
          method: 'print',
          params,
        }) + '\n',
      );
    }
    return { exitCode: r.exitCode, stdout: null };
  },
  createDatabase: async () => {
    await sql(withDb(mainUrl, 'postgres'), `CREATE DATABASE ${quoteIdent(dbName(mainUrl))}`);
    return { databaseName: dbName(mainUrl) };
  },
};

// Errors raised inside the driver adapter reach wasm as "External error id#N": recover the original.
function toRpcError(err) {
  const m = /External error id#(\d+)/.exec(err?.message ?? '');
  const ext = m && factory.errorRegistry.consumeError(Number(m[1]))?.error;
  const message = ext ? `${ext.message ?? JSON.stringify(ext)}` : (err?.message ?? String(err));
  const isPanic = err instanceof WebAssembly.RuntimeError;
  return {
    code: 4466,
    message: 'An error happened.',
    data: {
      is_panic: isPanic,
      message: isPanic ? globalThis.PRISMA_WASM_PANIC_REGISTRY.message || message : message,
      error_code: err?.code ?? null,
      meta: err?.meta ?? null,
    },
  };
}

// ---- stdio JSON-RPC loop: one request per line, answered strictly in order ----
const rl = readline.createInterface({
  input: process.stdin,
  crlfDelay: Infinity,
});
let queue = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  if (req.method === undefined) return; // the CLI's response to one of our print requests
  queue = queue.then(async () => {
    let out;
    try {
      const e = await engine();
      const fn =
        methods[req.method] ??
        ((eng, p) => {
          if (typeof eng[req.method] !== 'function') throw new Error(`Unknown method ${req.method}`);
          return eng[req.method](p);
        });
      const result = await fn(e, req.params);
      out = { jsonrpc: '2.0', id: req.id, result: result ?? {} };
    } catch (err) {
      out = { jsonrpc: '2.0', id: req.id, error: toRpcError(err) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  });
});
rl.on('close', () => queue.then(() => process.exit(0)));
