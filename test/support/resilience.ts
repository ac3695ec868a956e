// Helpers for the resilience end-to-end tests: polling until a condition holds, reading one series off /metrics, tallying which upstream answered.
import { request } from 'undici';

/** Polls `check` every 50 ms until it holds; fails with `what()` after `ms`. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: () => string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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
