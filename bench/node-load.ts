// The load driver used when wrk is missing: the same model as wrk-report.lua, on undici, in its own process.
// Run as: node bench/node-load.ts '{"url":…,"connections":…,"seconds":…,"thinkMs":…,"headers":{…}}'
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

type Spec = { url: string; connections: number; seconds: number; thinkMs: number; headers: Record<string, string> };

const spec = JSON.parse(process.argv[2]) as Spec;
const url = new URL(spec.url);
const pool = new Pool(url.origin, { connections: spec.connections, pipelining: 1 });
const latencies: number[] = [];
let errors = 0;

async function connectionLoop(deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    if (spec.thinkMs > 0) await sleep(spec.thinkMs * (0.5 + Math.random()));
    const t0 = performance.now();
    try {
      const res = await pool.request({ method: 'GET', path: url.pathname + url.search, headers: spec.headers });
      await res.body.dump();
      if (res.statusCode >= 400) errors++;
      else latencies.push((performance.now() - t0) * 1000);
    } catch {
      errors++;
    }
  }
}

const began = performance.now();
const deadline = began + spec.seconds * 1000;
await Promise.all(Array.from({ length: spec.connections }, () => connectionLoop(deadline)));
const seconds = (performance.now() - began) / 1000;
await pool.close();

latencies.sort((a, b) => a - b);
const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0);
const result = {
  requests: latencies.length + errors,
  seconds,
  errors,
  latencyUs: { p50: at(50), p99: at(99), p999: at(99.9), max: at(100) },
};
console.log(`WEFT_BENCH_RESULT ${JSON.stringify(result)}`);
