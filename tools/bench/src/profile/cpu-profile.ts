import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  name: string;
  /** Self time: samples taken while this function (or area) was on top of the stack. */
  selfMs: number;
  /** Of the busy time (all but idle). */
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  functions: (Cost & { location: string })[];
  /**
   * Self time grouped by who asked for it: the nearest frame on the stack that is an npm package or
   * a workspace folder. Node's built-ins and native code (a socket write, say) are charged to the
   * code that called them, so `pg` includes the syscalls that send its queries.
   */
  areas: Cost[];
}

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per area. Code of
 * a bundled service (dist/main.js) is mapped back to its source file through the bundle's source
 * map, so the workspace's own code shows as libs/... or apps/... rather than as one big file.
 */
export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const maps = new Map<string, SourceMap | undefined>();

  const functions = new Map<string, { name: string; location: string; us: number }>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const where = locate(frame, maps);
    const name = frame.functionName || '(anonymous)';
    const key = `${name} ${where.location}`;
    const entry = functions.get(key) ?? { name, location: where.location, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const owner = ownerArea(id, byId, parentOf, maps) ?? where.area;
    areas.set(owner, (areas.get(owner) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const cost = (us: number) => ({ selfMs: us / 1000, share: busyUs > 0 ? us / busyUs : 0 });
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, location: f.location, ...cost(f.us) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ...cost(us) })),
  };
}

/** The area of the nearest frame, from `id` up, whose code is a package's or the workspace's. */
function ownerArea(
  id: number,
  byId: Map<number, ProfileNode>,
  parentOf: Map<number, number>,
  maps: Map<string, SourceMap | undefined>,
): string | undefined {
  const first = byId.get(id)?.callFrame;
  if (first && !first.url && first.functionName.startsWith('(')) return first.functionName; // (garbage collector), (program)
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const frame = byId.get(current)?.callFrame;
    if (!frame?.url || frame.url.startsWith('node:') || frame.url.startsWith('wasm:')) continue;
    return locate(frame, maps).area;
  }
  return undefined;
}

function locate(
  frame: ProfileNode['callFrame'],
  maps: Map<string, SourceMap | undefined>,
): { area: string; location: string } {
  const { url, functionName } = frame;
  if (!url) return { area: functionName.startsWith('(') ? functionName : '(native)', location: '' };
  if (url.startsWith('node:')) return { area: 'node (built-in modules)', location: url };
  if (url.startsWith('wasm:')) return { area: 'WebAssembly', location: url };
  const filePath = url.startsWith('file://') ? new URL(url).pathname : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(filePath)?.[1];
  if (pkg) return { area: pkg, location: `${pkg}/${filePath.split(`${pkg}/`).pop()}:${frame.lineNumber + 1}` };
  const source = mapped(filePath, frame, maps);
  if (source) {
    // Sources are relative to the bundle's folder (apps/<service>/dist): resolve, then show from the workspace root.
    const absolute = source.file.startsWith('file://')
      ? new URL(source.file).pathname
      : path.resolve(path.dirname(filePath), source.file);
    const workspacePath = absolute.replace(/^.*?\/((?:libs|apps)\/)/, '$1');
    const area = /^(libs\/[^/]+|apps\/[^/]+\/src\/[^/]+)/.exec(workspacePath)?.[1] ?? workspacePath;
    return { area, location: `${workspacePath}:${source.line}` };
  }
  return { area: path.basename(filePath), location: `${path.basename(filePath)}:${frame.lineNumber + 1}` };
}

function mapped(filePath: string, frame: ProfileNode['callFrame'], maps: Map<string, SourceMap | undefined>) {
  if (!maps.has(filePath)) {
    try {
      maps.set(filePath, new SourceMap(JSON.parse(fs.readFileSync(`${filePath}.map`, 'utf8'))));
    } catch {
      maps.set(filePath, undefined);
    }
  }
  const map = maps.get(filePath);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    { originalSource?: string; originalLine?: number } | undefined;
  if (!entry?.originalSource) return undefined;
  return { file: entry.originalSource, line: (entry.originalLine ?? 0) + 1 };
}

/** The summary as text: hottest functions, then areas. */
export function renderProfile(summary: ProfileSummary, label: string): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)} %`.padStart(7);
  const lines = [
    `CPU profile of ${label}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s (${summary.file})`,
    '  self time by area:',
    ...summary.areas.slice(0, 15).map((a) => `  ${pct(a.share)}  ${a.name}`),
    '  hottest functions (self time):',
    ...summary.functions.map((f) => `  ${pct(f.share)}  ${f.name}  ${f.location}`),
  ];
  return lines.join('\n');
}
