import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  bindMounts,
  type ComposeFile,
  type ComposeService,
  dependenciesOf,
  environmentOf,
  resolvedCompose,
} from './support/compose';
import {
  allPanels,
  type Dashboard,
  dashboardFiles,
  expandMacros,
  GRAFANA_MACROS,
  metricNamesIn,
  metricReferences,
  queryPanels,
  readDashboard,
  variablesIn,
} from './support/dashboard';
import { promtool, temporaryFile } from './support/promtool';
import { APP_SERVICES, defaultPort, readRepoFile, repoPathExists, ROOT } from './support/repo';

/**
 * Metrics, dashboards and traces in docker-compose.yml: Prometheus (deploy/prometheus), Grafana
 * (deploy/grafana) and Jaeger (deploy/jaeger). The metric names the dashboard queries are checked
 * here against the code that defines them, and against the running services' GET /metrics by
 * tests/e2e/dashboard.e2e.spec.ts.
 */

const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';
const GRAFANA_DATASOURCES = 'deploy/grafana/provisioning/datasources';
const GRAFANA_DASHBOARD_PROVIDERS = 'deploy/grafana/provisioning/dashboards';
const JAEGER_CONFIG = 'deploy/jaeger/config.yaml';

const yamlFile = <T>(file: string): T => YAML.parse(readRepoFile(file)) as T;
const yamlFilesIn = (folder: string): string[] =>
  fs
    .readdirSync(path.join(ROOT, folder))
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => `${folder}/${file}`);

/** The repository path a container path comes from, through the service's bind mounts (undefined if none). */
function repoPathOf(service: ComposeService, containerPath: string): string | undefined {
  for (const mount of bindMounts(service)) {
    const inside = path.posix.relative(mount.target, containerPath);
    if (inside === '' || (!inside.startsWith('..') && !path.posix.isAbsolute(inside))) {
      return path.relative(ROOT, path.join(mount.source, inside));
    }
  }
  return undefined;
}

/** `host:port`, `:port` or `0.0.0.0:port` → its port. */
const portOf = (endpoint: string): number => Number(/:(\d+)$/.exec(endpoint)?.[1]);
/** The container ports a service publishes. */
const publishedTargets = (service: ComposeService): number[] =>
  (service.ports as { target: number }[] | undefined)?.map((p) => Number(p.target)) ?? [];
const commandOf = (service: ComposeService): string[] => [service.command ?? []].flat();
const PINNED_IMAGE = /^[\w./-]+:v?\d+\.\d+\.\d+$/;

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; type?: string; port?: number; refresh_interval?: string }[];
}

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  access?: string;
}

interface JaegerConfig {
  service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
  extensions: {
    jaeger_storage: { backends: Record<string, { memory?: { max_traces?: number } }> };
    jaeger_query: { storage: { traces: string }; http: { endpoint: string } };
    healthcheckv2: { http: { endpoint: string } };
  };
  receivers: { otlp: { protocols: { http?: { endpoint: string } } } };
  exporters: { jaeger_storage_exporter: { trace_storage: string } };
}

let compose: ComposeFile;
beforeAll(() => {
  compose = resolvedCompose();
});
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};

describe('Prometheus (deploy/prometheus/prometheus.yml)', () => {
  const config = () => yamlFile<{ scrape_configs: ScrapeConfig[] }>(PROMETHEUS_CONFIG);

  it('runs with the mounted config, a pinned image and its UI on the published port', () => {
    const prometheus = service('prometheus');
    expect(prometheus.image).toMatch(PINNED_IMAGE);
    const configFlag = commandOf(prometheus).find((arg) => arg.startsWith('--config.file='));
    expect(configFlag).toBeDefined();
    expect(repoPathOf(prometheus, configFlag!.slice('--config.file='.length))).toBe(PROMETHEUS_CONFIG);
    // No --web.listen-address: Prometheus listens on 9090.
    expect(commandOf(prometheus).some((arg) => arg.startsWith('--web.listen-address'))).toBe(false);
    expect(publishedTargets(prometheus)).toEqual([9090]);
  });

  it('is a valid configuration for Prometheus itself (promtool check config)', () => {
    const run = promtool(['check', 'config', PROMETHEUS_CONFIG]);
    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringMatching(/SUCCESS/) });
  });

  it('promtool does catch a mistake', () => {
    const broken = readRepoFile(PROMETHEUS_CONFIG).replace(/type: A$/m, 'type: B');
    expect(broken).not.toBe(readRepoFile(PROMETHEUS_CONFIG));
    const run = promtool(['check', 'config', temporaryFile('prometheus.yml', broken)]);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/invalid DNS-SD records type|FAILED/);
  });

  it.each(APP_SERVICES)(
    'scrapes every replica of $name: one job resolving its compose name (one A record per replica) on its port',
    (app) => {
      const jobs = config().scrape_configs.filter(
        (job) =>
          job.job_name === app.name ||
          (job.dns_sd_configs ?? []).some((sd) => sd.names.includes(app.name)) ||
          (job.static_configs ?? []).some((sc) => sc.targets.some((t) => t.startsWith(`${app.name}:`))),
      );
      expect(jobs.map((job) => job.job_name)).toEqual([app.name]);
      const [job] = jobs;
      // A static target would be one replica only.
      expect(job!.static_configs).toBeUndefined();
      expect(job!.dns_sd_configs).toEqual([
        { names: [app.name], type: 'A', port: defaultPort(app), refresh_interval: expect.stringMatching(/^\d+s$/) },
      ]);
      expect(job!.metrics_path ?? '/metrics').toBe('/metrics');
      expect(job!.scheme ?? 'http').toBe('http');
      // The name is the compose service's, which listens on its default port (compose sets no PORT).
      expect(environmentOf(service(app.name))['PORT']).toBeUndefined();
    },
  );
});

describe('Grafana (deploy/grafana)', () => {
  const grafana = () => service('grafana');
  const datasources = (): Datasource[] =>
    yamlFilesIn(GRAFANA_DATASOURCES).flatMap(
      (file) => yamlFile<{ datasources?: Datasource[] }>(file).datasources ?? [],
    );
  const datasource = (type: string): Datasource => {
    const found = datasources().filter((d) => d.type === type);
    expect({ type, count: found.length }).toEqual({ type, count: 1 });
    return found[0]!;
  };

  it('runs a pinned image with the provisioning folder mounted where Grafana reads it', () => {
    expect(grafana().image).toMatch(PINNED_IMAGE);
    expect(repoPathOf(grafana(), '/etc/grafana/provisioning')).toBe('deploy/grafana/provisioning');
    expect(publishedTargets(grafana())).toEqual([3000]);
  });

  it('lets anyone view and only admin (password from .env) edit', () => {
    const env = environmentOf(grafana());
    expect(env).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' });
    expect(env['GF_SECURITY_ADMIN_PASSWORD']).toBeTruthy();
    expect(readRepoFile('docker-compose.yml')).toMatch(/GF_SECURITY_ADMIN_PASSWORD: '\$\{GRAFANA_ADMIN_PASSWORD:\?/);
  });

  it('provisions the dashboards from a mounted folder that holds them, and opens on the shopflow one', () => {
    const providers = yamlFilesIn(GRAFANA_DASHBOARD_PROVIDERS).flatMap(
      (file) => yamlFile<{ providers?: { type: string; options: { path: string } }[] }>(file).providers ?? [],
    );
    expect(providers.length).toBeGreaterThan(0);
    for (const provider of providers) {
      expect(provider.type).toBe('file');
      const folder = repoPathOf(grafana(), provider.options.path);
      expect({ path: provider.options.path, folder }).toEqual({
        path: provider.options.path,
        folder: 'deploy/grafana/dashboards',
      });
    }
    expect(dashboardFiles().length).toBeGreaterThan(0);
    const home = environmentOf(grafana())['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'];
    const homeFile = home === undefined ? undefined : repoPathOf(grafana(), home);
    expect(homeFile).toBeDefined();
    expect(dashboardFiles()).toContain(homeFile);
  });

  it('has a Prometheus data source on the prometheus service and a Jaeger one on the jaeger UI port', () => {
    const prometheus = new URL(datasource('prometheus').url);
    expect({ host: prometheus.hostname, port: Number(prometheus.port) }).toEqual({ host: 'prometheus', port: 9090 });
    expect(service('prometheus').image).toMatch(/prometheus/);
    const jaeger = new URL(datasource('jaeger').url);
    const queryPort = portOf(yamlFile<JaegerConfig>(JAEGER_CONFIG).extensions.jaeger_query.http.endpoint);
    expect({ host: jaeger.hostname, port: Number(jaeger.port) }).toEqual({ host: 'jaeger', port: queryPort });
    for (const d of datasources())
      expect({ name: d.name, access: d.access ?? 'proxy' }).toEqual({ name: d.name, access: 'proxy' });
  });

  describe.each(dashboardFiles())('%s', (file) => {
    let dashboard: Dashboard;
    beforeAll(() => {
      dashboard = readDashboard(file);
    });
    const prometheusUid = () => datasource('prometheus').uid;

    it('is a dashboard: uid, title, panels with unique ids laid out on the 24-column grid', () => {
      expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
      expect(dashboard.title).toEqual(expect.stringMatching(/\S/));
      const panels = allPanels(dashboard);
      expect(panels.length).toBeGreaterThan(0);
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => typeof id === 'number')).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of panels) {
        const { x = -1, y = -1, w = 0, h = 0 } = panel.gridPos ?? {};
        expect({ title: panel.title, fits: x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24 }).toEqual({
          title: panel.title,
          fits: true,
        });
      }
    });

    it('every panel has a title and queries the provisioned Prometheus data source with PromQL', () => {
      const panels = queryPanels(dashboard);
      expect(panels.length).toBeGreaterThan(0);
      for (const panel of panels) {
        const title = panel.title ?? `panel ${panel.id}`;
        expect({ title, hasTitle: Boolean(panel.title?.trim()) }).toEqual({ title, hasTitle: true });
        expect({ title, datasource: panel.datasource }).toEqual({
          title,
          datasource: { type: 'prometheus', uid: prometheusUid() },
        });
        const targets = panel.targets ?? [];
        expect({ title, targets: targets.length > 0 }).toEqual({ title, targets: true });
        const refIds = targets.map((t) => t.refId);
        expect({ title, uniqueRefIds: new Set(refIds).size === refIds.length }).toEqual({ title, uniqueRefIds: true });
        for (const target of targets) {
          expect({ title, refId: target.refId, expr: target.expr }).toEqual({
            title,
            refId: expect.stringMatching(/^[A-Z]+$/),
            expr: expect.stringMatching(/\S/),
          });
          if (target.datasource !== undefined) {
            expect({ title, datasource: target.datasource }).toEqual({
              title,
              datasource: { type: 'prometheus', uid: prometheusUid() },
            });
          }
        }
      }
    });

    it('uses no variable but Grafana macros (the dashboard defines none)', () => {
      const defined = (dashboard.templating?.list ?? []).map((v) => v.name);
      for (const { panel, expr } of metricReferences(dashboard)) {
        const unknown = variablesIn(expr).filter((v) => !(v in GRAFANA_MACROS) && !defined.includes(v));
        expect({ panel, unknown }).toEqual({ panel, unknown: [] });
      }
    });

    it('every query is PromQL Prometheus parses (promtool check rules)', () => {
      const rules = metricReferences(dashboard).map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        expr: expandMacros(expr),
      }));
      const file = temporaryFile('dashboard.rules.yml', YAML.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const run = promtool(['check', 'rules', file]);
      expect({ status: run.status, output: run.output }).toEqual({
        status: 0,
        output: expect.stringMatching(new RegExp(`SUCCESS: ${rules.length} rules found`)),
      });
      // And the same check refuses a broken query.
      const broken = temporaryFile(
        'broken.rules.yml',
        YAML.stringify({ groups: [{ name: 'broken', rules: [{ record: 'broken:q', expr: 'sum(rate(x[1m])' }] }] }),
      );
      expect(promtool(['check', 'rules', broken]).status).not.toBe(0);
    });

    it('every query selects at least one metric, each defined by the services (or prom-client defaults)', () => {
      const defined = definedMetricNames();
      for (const { panel, refId, expr, metrics } of metricReferences(dashboard)) {
        expect({ panel, refId, expr, metrics: metrics.length > 0 }).toEqual({ panel, refId, expr, metrics: true });
        const unknown = metrics.filter(
          (name) => !defined.has(name) && !defined.has(name.replace(/_(bucket|sum|count)$/, '')),
        );
        expect({ panel, refId, unknown }).toEqual({ panel, refId, unknown: [] });
      }
    });
  });

  it('the shopflow dashboard shows throughput, saga outcomes and duration percentiles, errors and dead letters, queue depth and outbox backlog', () => {
    const exprs = dashboardFiles().flatMap((file) => metricReferences(readDashboard(file)).map((r) => r.expr));
    const some = (what: string, test: (expr: string) => boolean) =>
      expect({ what, found: exprs.some(test) }).toEqual({ what, found: true });
    const selects = (expr: string, metric: string) => metricNamesIn(expr).includes(metric);
    some('throughput', (e) => selects(e, 'shopflow_events_published_total') && /rate\(/.test(e));
    some('saga outcomes', (e) => selects(e, 'shopflow_saga_duration_seconds_count') && /\boutcome\b/.test(e));
    some(
      'saga duration percentiles',
      (e) => selects(e, 'shopflow_saga_duration_seconds_bucket') && /histogram_quantile\(0\.95/.test(e),
    );
    some('HTTP error rate', (e) => selects(e, 'shopflow_http_requests_total') && /status=~"5/.test(e));
    some(
      'dead-letter rate',
      (e) => selects(e, 'shopflow_events_consumed_total') && /dead_lettered|outcome!="handled"/.test(e),
    );
    some('dead-letter queue depth', (e) => selects(e, 'shopflow_queue_messages') && /dead-letter/.test(e));
    some('queue depth', (e) => selects(e, 'shopflow_queue_messages') && /queue!~/.test(e));
    some('outbox backlog', (e) => selects(e, 'shopflow_outbox_backlog'));
  });
});

/**
 * Metric names the services' code spells out (string literals `'shopflow_...'` in libs/*\/src and
 * apps/*\/src, specs left out) and prom-client's default process metrics (which
 * createServiceMetrics collects). A quick check; tests/e2e/dashboard.e2e.spec.ts reads the real
 * GET /metrics of the running services.
 */
function definedMetricNames(): Set<string> {
  const names = new Set<string>();
  const scan = (dir: string, file: RegExp, name: RegExp) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !file.test(entry.name)) continue;
      const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
      for (const m of text.matchAll(name)) names.add(m[1]!);
    }
  };
  for (const top of ['libs', 'apps']) {
    for (const project of fs.readdirSync(path.join(ROOT, top))) {
      scan(path.join(ROOT, top, project, 'src'), /^(?!.*\.spec\.ts$).*\.ts$/, /['"`](shopflow_[a-z0-9_]+)['"`]/g);
    }
  }
  const promClient = path.dirname(
    require.resolve('prom-client/package.json', { paths: [path.join(ROOT, 'libs/observability')] }),
  );
  scan(path.join(promClient, 'lib/metrics'), /\.js$/, /'((?:process|nodejs)_\w+)'/g);
  expect(readRepoFile('libs/observability/src/metrics.ts')).toMatch(/collectDefaultMetrics\(/);
  return names;
}

describe('Jaeger (deploy/jaeger/config.yaml) and the services exporting to it', () => {
  const config = () => yamlFile<JaegerConfig>(JAEGER_CONFIG);
  const otlpHttpPort = () => portOf(config().receivers.otlp.protocols.http?.endpoint ?? '');

  it('runs a pinned image with the mounted config, its UI on the published port', () => {
    const jaeger = service('jaeger');
    expect(jaeger.image).toMatch(PINNED_IMAGE);
    const command = commandOf(jaeger);
    const configPath = command[command.indexOf('--config') + 1];
    expect(command).toContain('--config');
    expect(repoPathOf(jaeger, configPath!)).toBe(JAEGER_CONFIG);
    expect(publishedTargets(jaeger)).toEqual([portOf(config().extensions.jaeger_query.http.endpoint)]);
  });

  it('stores what the OTLP/HTTP receiver gets where the UI reads, in bounded memory, listening beyond localhost', () => {
    const { service: svc, extensions, receivers, exporters } = config();
    expect(svc.extensions).toEqual(expect.arrayContaining(['jaeger_storage', 'jaeger_query', 'healthcheckv2']));
    expect(svc.pipelines['traces']).toMatchObject({
      receivers: expect.arrayContaining(['otlp']),
      exporters: expect.arrayContaining(['jaeger_storage_exporter']),
    });
    const storage = exporters.jaeger_storage_exporter.trace_storage;
    expect(extensions.jaeger_query.storage.traces).toBe(storage);
    expect(extensions.jaeger_storage.backends[storage]?.memory?.max_traces).toBeGreaterThan(0);
    for (const endpoint of [
      receivers.otlp.protocols.http?.endpoint,
      extensions.jaeger_query.http.endpoint,
      extensions.healthcheckv2.http.endpoint,
    ]) {
      expect(endpoint).toMatch(/^0\.0\.0\.0:\d+$/);
    }
  });

  it("checks its health on the health extension's port", () => {
    const test = JSON.stringify(service('jaeger').healthcheck?.test);
    expect(test).toContain(`127.0.0.1:${portOf(config().extensions.healthcheckv2.http.endpoint)}/`);
  });

  it.each(APP_SERVICES)('$name exports its spans over OTLP/HTTP to the jaeger service', (app) => {
    const env = environmentOf(service(app.name));
    expect(env['TRACING_ENABLED']).toBe('true');
    const endpoint = new URL(env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '');
    expect({
      protocol: endpoint.protocol,
      host: endpoint.hostname,
      port: Number(endpoint.port),
      path: endpoint.pathname,
    }).toEqual({
      protocol: 'http:',
      host: 'jaeger',
      port: otlpHttpPort(),
      path: '/',
    });
  });

  it('no service waits for Jaeger, Prometheus or Grafana: they are not on the path of an order', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      if (name === 'grafana') continue;
      const dependencies = Object.keys(dependenciesOf(definition));
      expect({
        name,
        dependencies: dependencies.filter((d) => ['jaeger', 'prometheus', 'grafana'].includes(d)),
      }).toEqual({
        name,
        dependencies: [],
      });
      expect({
        name,
        healthcheck: /jaeger|prometheus|grafana/.test(JSON.stringify(definition.healthcheck ?? {})),
      }).toEqual({ name, healthcheck: false });
    }
  });

  it('every mounted observability file exists in the repository', () => {
    for (const name of ['prometheus', 'grafana', 'jaeger']) {
      const mounts = bindMounts(service(name));
      expect(mounts.length).toBeGreaterThan(0);
      for (const { source } of mounts) expect(repoPathExists(path.relative(ROOT, source))).toBe(true);
    }
  });
});
