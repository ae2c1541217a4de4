import fs from 'node:fs';
import path from 'node:path';
import { rawCompose } from './support/compose';
import { gatewayRoutes, type GatewayRoute, routeFor } from './support/caddyfile';
import { APP_SERVICES, type AppService, defaultPort, readRepoFile, ROOT } from './support/repo';

// docker-compose.yml mounts it into the gateway container and publishes port 8080 (compose.spec.ts).
const routes = gatewayRoutes(readRepoFile('deploy/gateway/Caddyfile'), ':8080');

/** Every HTTP route a service declares (`router.get('/orders/:id', ...)` in src/http), with sample parameters. */
function publicPaths(service: AppService): string[] {
  const folder = path.join(ROOT, 'apps', service.name, 'src/http');
  return fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .flatMap((file) => [
      ...fs.readFileSync(path.join(folder, file), 'utf8').matchAll(/\.(?:get|post|put|patch|delete)\('(\/[^']*)'/g),
    ])
    .map((match) => match[1]!.replace(/:\w+/g, 'sample-1'));
}

/** Where the gateway sends a request: the upstream and the path it receives. */
function forward(requestPath: string): { host: string; port: number; path: string } | { respond: number } {
  const route: GatewayRoute | undefined = routeFor(routes, requestPath);
  if (!route) throw new Error(`no route for ${requestPath}`);
  if (route.respond) return { respond: route.respond.status };
  const { host, port } = route.upstream!;
  const stripped =
    route.stripPrefix && requestPath.startsWith(route.stripPrefix)
      ? requestPath.slice(route.stripPrefix.length)
      : requestPath;
  return { host, port, path: stripped };
}

describe('gateway (deploy/gateway/Caddyfile)', () => {
  describe.each(APP_SERVICES)('$name', (service) => {
    const paths = publicPaths(service);

    it('declares HTTP routes', () => {
      expect(paths.length).toBeGreaterThan(0);
    });

    it('gets every one of its public paths, unchanged, on its port', () => {
      for (const requestPath of paths) {
        expect({ requestPath, to: forward(requestPath) }).toEqual({
          requestPath,
          to: { host: service.name, port: defaultPort(service), path: requestPath },
        });
      }
    });

    it('answers its health checks under /<service>/health/*', () => {
      for (const check of ['live', 'ready']) {
        expect(forward(`/${service.name}/health/${check}`)).toEqual({
          host: service.name,
          port: defaultPort(service),
          path: `/health/${check}`,
        });
      }
    });
  });

  it('discovers replicas through DNS and spreads requests over them round-robin', () => {
    const proxied = routes.filter((route) => route.upstream);
    expect(proxied.length).toBeGreaterThan(0);
    for (const route of proxied) {
      expect(route.upstream).toEqual({
        kind: 'dynamic a',
        host: expect.any(String),
        port: expect.any(Number),
        lbPolicy: 'round_robin',
        refresh: expect.stringMatching(/^\d+s$/),
      });
      expect(Object.keys(rawCompose().services)).toContain(route.upstream!.host);
    }
  });

  it('sends nothing else to a service', () => {
    for (const requestPath of [
      '/',
      '/admin',
      '/health/ready',
      '/order-service/orders',
      '/inventory-service/products',
    ]) {
      expect({ requestPath, to: forward(requestPath) }).toEqual({ requestPath, to: { respond: 404 } });
    }
    expect(forward('/health')).toEqual({ respond: 200 });
  });
});
