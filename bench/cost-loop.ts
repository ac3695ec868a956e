// Timing one piece of the request path in a loop, with no proxy and no load driver: ns and heap bytes per request, and the collections that ran.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { majorCollection } from '../core/proxy/idle-collect.ts';

export interface CostRow {
  case: string;
  nsPerRequest: number;
  /** Heap growth over the timed loop per request; meaningful only when no collection ran meanwhile (gcs 0). */
  bytesPerRequest: number;
  /** Young-generation collections during the loop: what per-request garbage causes. Full and incremental marks are left out, since
   * the memory reducer or the JIT's old-space allocations start them whatever the loop does. */
  gcs: number;
}

// A full collection before each timed loop, so none that the warm-up's garbage would cause falls inside it.
const collect = majorCollection();

/** Runs `one` warm (100,000 times, untimed: state exists and code is optimized, as on a proxy that has served a while), then `n` times timed. */
export async function measureCost(label: string, n: number, one: (i: number) => void): Promise<CostRow> {
  for (let i = 0; i < 100_000; i++) one(i);
  collect();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gcs++;
  });
  obs.observe({ entryTypes: ['gc'] });
  const heap0 = getHeapStatistics().used_heap_size;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) one(i);
  const ns = Number(process.hrtime.bigint() - t0);
  const heap1 = getHeapStatistics().used_heap_size;
  // GC entries are delivered after the loop yields.
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  return { case: label, nsPerRequest: ns / n, bytesPerRequest: (heap1 - heap0) / n, gcs };
}
