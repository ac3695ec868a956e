// Helpers for the resilience end-to-end tests: an upstream that holds requests until released, reading one series off /metrics, tallying which upstream answered.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { startUpstream } from './upstream.ts';
import type { Upstream } from './upstream.ts';

/**
 * An upstream that holds every request until `release()`, counting how many it holds at once: a request is
 * in flight for as long as the test needs, with no timer to race. The caller closes `u`.
 */
export async function holdingUpstream(): Promise<{ u: Upstream; counts: { now: number; max: number }; release(): void }> {
  const held: ServerResponse[] = [];
  const counts = { now: 0, max: 0 };
  const u = await startUpstream((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    counts.now++;
    counts.max = Math.max(counts.max, counts.now);
    res.on('close', () => counts.now--);
    held.push(res);
  });
  const release = () => {
    for (const res of held.splice(0)) if (!res.writableEnded) res.end('released');
  };
  return { u, counts, release };
}

/** The value of the first series of `name` whose labels include every `labels` pair (`missing` when there is none). */
export async function metric(admin: string, name: string, labels: Record<string, string> = {}, missing = 0): Promise<number> {
  const text = await (await request(`${admin}/metrics`)).body.text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return missing;
}

/** Sends `n` GETs of `path` (at most `concurrency` at once) and counts the answers by the `port` field of the JSON body, or by status when not 200. */
export async function tally(url: string, n: number, concurrency = 8, headers: (i: number) => Record<string, string> = () => ({})): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await request(url, { headers: headers(i) });
      const key = r.statusCode === 200 ? String(((await r.body.json()) as { port: number }).port) : `status ${r.statusCode}`;
      if (r.statusCode !== 200) await r.body.dump();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}
