// A worker thread for the ratelimit tests: one filter instance on the shared store, firing requests as soon as every worker is ready.
import { parentPort, workerData } from 'node:worker_threads';
import { FilterHarness } from '../../sdk/tools/harness.ts';
import { SharedState } from '../../core/wasm/shared-data.ts';

interface HammerJob {
  bytes: Uint8Array;
  sab: SharedArrayBuffer;
  /** Int32 counter of ready workers; everyone starts when it reaches `workers`. */
  gate: SharedArrayBuffer;
  workers: number;
  requests: number;
  config: object;
}

const job = workerData as HammerJob;
const filter = await FilterHarness.fromBytes(job.bytes, { config: job.config, shared: new SharedState(job.sab) });
const gate = new Int32Array(job.gate);
Atomics.add(gate, 0, 1);
while (Atomics.load(gate, 0) < job.workers) Atomics.wait(gate, 0, Atomics.load(gate, 0), 5);
let passed = 0;
for (let i = 0; i < job.requests; i++) if ((await filter.exchange({})).response.status === 200) passed++;
filter.close();
parentPort!.postMessage(passed);
