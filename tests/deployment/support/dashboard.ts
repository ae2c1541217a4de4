import fs from 'node:fs';
import path from 'node:path';

/**
 * The Grafana dashboards of deploy/grafana/dashboards and the metric names their PromQL queries.
 * Standalone (no import from the apps), so tests/e2e can use it too.
 */
const ROOT = path.resolve(__dirname, '../../..');
export const DASHBOARD_DIR = 'deploy/grafana/dashboards';

export interface DashboardTarget {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string } | string | null;
  [key: string]: unknown;
}

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string } | string | null;
  targets?: DashboardTarget[];
  gridPos?: { h?: number; w?: number; x?: number; y?: number };
  /** A collapsed row keeps its panels here. */
  panels?: DashboardPanel[];
  [key: string]: unknown;
}

export interface Dashboard {
  uid?: string;
  title?: string;
  panels?: DashboardPanel[];
  templating?: { list?: { name?: string }[] };
  [key: string]: unknown;
}

/** Repository-relative paths of the dashboard JSON files. */
export function dashboardFiles(): string[] {
  return fs
    .readdirSync(path.join(ROOT, DASHBOARD_DIR))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => `${DASHBOARD_DIR}/${file}`);
}

export function readDashboard(file: string): Dashboard {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Dashboard;
}

/** Every panel, those inside rows (collapsed or not) included; rows themselves included. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** The panels that show data (everything but rows). */
export function queryPanels(dashboard: Dashboard): DashboardPanel[] {
  return allPanels(dashboard).filter((panel) => panel.type !== 'row');
}

/** Grafana's built-in variables a query may use; they are not PromQL. */
export const GRAFANA_MACROS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '30s',
  __range: '1h',
};

/** `$name` and `${name}` in a query. */
export function variablesIn(expr: string): string[] {
  return [...expr.matchAll(/\$\{(\w+)[^}]*\}|\$(\w+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** The query with Grafana's macros replaced by durations, as Grafana sends it to Prometheus. */
export function expandMacros(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    return GRAFANA_MACROS[braced ?? bare ?? ''] ?? whole;
  });
}

/** PromQL words that look like identifiers but are not metric names. */
const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers outside strings, label matchers,
 * ranges and label lists (`by (...)`, `on (...)`...) that are not functions or keywords.
 * `{__name__="..."}` selectors are refused: the name would be a string.
 */
export function metricNamesIn(expr: string): string[] {
  if (/__name__/.test(expr)) throw new Error(`selects a metric by __name__, which this check cannot read: ${expr}`);
  const code = expr
    // String literals first: they may hold any character, braces and `$` included.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  const names = new Set<string>();
  for (const match of code.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = code.slice((match.index ?? 0) + word.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

export interface MetricReference {
  panel: string;
  refId: string;
  expr: string;
  metrics: string[];
}

/** Each query of each panel, with the metric names it selects. */
export function metricReferences(dashboard: Dashboard): MetricReference[] {
  return queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title ?? `panel ${panel.id}`,
      refId: target.refId ?? '?',
      expr: target.expr ?? '',
      metrics: metricNamesIn(target.expr ?? ''),
    })),
  );
}
