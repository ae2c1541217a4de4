/** V8's share of a process's memory, from the Prometheus default metrics every service exposes on GET /metrics. */
export interface HeapFigures {
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** Memory outside the V8 heap held by JS objects (Buffers, WebAssembly memories…). */
  externalMiB: number;
}

const MIB = 2 ** 20;

export async function heapFigures(baseUrl: string): Promise<HeapFigures | undefined> {
  try {
    const res = await fetch(`${baseUrl}/metrics`);
    if (!res.ok) return undefined;
    const text = await res.text();
    const value = (name: string) => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text);
      return match ? Number(match[1]) / MIB : 0;
    };
    return {
      heapUsedMiB: value('nodejs_heap_size_used_bytes'),
      heapTotalMiB: value('nodejs_heap_size_total_bytes'),
      externalMiB: value('nodejs_external_memory_bytes'),
    };
  } catch {
    return undefined;
  }
}
