/**
 * A reader of the Prometheus text exposition format (what GET /metrics answers): the metric
 * families with their types, and every sample line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name → type (`counter`, `gauge`, `histogram`, `summary`, `untyped`), from `# TYPE` lines. */
  families: Map<string, string>;
  samples: Sample[];
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (value: string) => value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

export function parseExposition(text: string): Exposition {
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [, family, type] = /^# TYPE (\S+) (\S+)$/.exec(line) ?? [];
    if (family && type) {
      families.set(family, type);
      continue;
    }
    if (line.startsWith('#')) continue;
    const [, name, labelText = '', value] =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line) ?? [];
    if (!name || value === undefined) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries(
      [...labelText.matchAll(LABEL)].map(([, key = '', text = '']) => [key, unescape(text)]),
    );
    samples.push({ name, labels, value: Number(value) });
  }
  return { families, samples };
}

/** The series names of each family's type (a histogram `x`: x_bucket, x_sum, x_count). */
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * Every name a PromQL selector can match in this exposition: the series each declared family
 * yields (a histogram declared with no observation yet still counts), and every sample's name.
 */
export function seriesNames(exposition: Exposition): Set<string> {
  const names = new Set(exposition.samples.map((s) => s.name));
  for (const [family, type] of exposition.families) {
    for (const suffix of SUFFIXES[type] ?? ['']) names.add(`${family}${suffix}`);
  }
  return names;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return exposition.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  )?.value;
}

/** GET /metrics of a service, parsed. */
export async function scrapeMetrics(baseUrl: string): Promise<Exposition> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}
