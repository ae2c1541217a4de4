import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runToExit } from '@shopflow/testing';
import { GatewayProcess } from '../src';

/** Runs dist/main.js to its exit (it must exit on its own: these starts fail). */
const run = (env: Record<string, string>) => runToExit(path.join(__dirname, '../dist/main.js'), { env });

describe('dist/main.js failing to start: one line naming the cause and the fix, exit 1', () => {
  let holder: net.Server;
  let taken: number;
  beforeAll(async () => {
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    taken = (holder.address() as net.AddressInfo).port;
  });
  afterAll(() => holder.close());

  it('says that its port is in use, and how to fix it', async () => {
    expect(await run({ PORT: String(taken) })).toEqual({
      status: 1,
      stdout: '',
      stderr: `gateway simulator: cannot listen on 127.0.0.1:${taken} (EADDRINUSE): stop what uses it or set PORT\n`,
    });
  });

  it('says that HOST is not an address of this machine', async () => {
    // 192.0.2.1 is a documentation address (RFC 5737): no interface here has it, and nothing is sent to it.
    expect(await run({ HOST: '192.0.2.1', PORT: '0' })).toEqual({
      status: 1,
      stdout: '',
      stderr:
        'gateway simulator: cannot listen on 192.0.2.1:0 (EADDRNOTAVAIL): HOST is not an address of this machine: ' +
        'set it to one of its addresses, e.g. 127.0.0.1 (0.0.0.0: all of them)\n',
    });
  });

  it('names every wrong variable', async () => {
    expect(await run({ PORT: 'http', GATEWAY_FAILURE_RATE: '2' })).toEqual({
      status: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /^gateway simulator: invalid configuration: PORT: [^\n]*; GATEWAY_FAILURE_RATE: [^\n]*\n$/,
      ),
    });
  });

  it('GatewayProcess.start rejects with that line, rather than waiting for a simulator that exited', async () => {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-process-'));
    try {
      await expect(GatewayProcess.start({ port: taken, logDir })).rejects.toThrow(
        `the gateway simulator exited instead of starting: gateway simulator: cannot listen on 127.0.0.1:${taken} ` +
          `(EADDRINUSE): stop what uses it or set PORT (log: ${logDir}/gateway-simulator.log)`,
      );
    } finally {
      fs.rmSync(logDir, { recursive: true, force: true });
    }
  });
});
