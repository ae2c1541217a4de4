import { type Logger } from '@shopflow/observability';
import { type Express } from 'express';
import { type AddressInfo } from 'node:net';

export interface RunningServer {
  port: number;
  /** Stops accepting connections and waits for requests in progress to finish. */
  close(): Promise<void>;
}

export function startHttpServer(app: Express, port: number, logger: Logger): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, (error?: Error) => {
      if (error) return reject(error);
      const actual = (server.address() as AddressInfo).port;
      logger.info({ port: actual }, `listening on http://localhost:${actual}`);
      resolve({
        port: actual,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeIdleConnections();
          }),
      });
    });
    server.on('error', reject);
  });
}
