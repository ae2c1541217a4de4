// `npm run prisma -- <command>`: Prisma's own CLI with the offline schema engine, for work on a
// service's schema, e.g. a new migration:
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/scratch npm run prisma -- migrate dev --create-only --config apps/order-service/prisma.config.ts
// The configs do not set the engine themselves: whoever runs the CLI does (README.md).
import { spawn } from 'node:child_process';
import { prismaCli, prismaEnvironment } from './offline-engine';

const child = spawn(process.execPath, [prismaCli(), ...process.argv.slice(2)], {
  env: prismaEnvironment(process.env),
  // `migrate dev` asks questions (a migration's name).
  stdio: 'inherit',
});
// Ctrl-C reaches Prisma too (the terminal signals the whole group): it decides how to stop, and this waits for it.
process.on('SIGINT', () => undefined);
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
