// Steady demo traffic at a fixed rate, with a running tally of status codes, answering instances and latency.
import { Agent, request } from 'undici';

export class Traffic {
  readonly codes = new Map<number, number>();
  readonly instances = new Map<string, number>();
  private latencies: number[] = [];
  private total = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly agent = new Agent({ connections: 8 });
  private readonly url: string;
  private readonly paths: string[];

  constructor(url: string, paths: string[]) {
    this.url = url;
    this.paths = paths;
  }

  start(ratePerSecond: number): void {
    const perTick = Math.max(1, Math.round(ratePerSecond / 10));
    this.timer = setInterval(() => { for (let i = 0; i < perTick; i++) void this.one(); }, 100);
  }

  private async one(): Promise<void> {
    const path = this.paths[this.total++ % this.paths.length];
    const t0 = performance.now();
    try {
      const r = await request(`${this.url}${path}`, { dispatcher: this.agent });
      const text = await r.body.text();
      this.latencies.push(performance.now() - t0);
      this.codes.set(r.statusCode, (this.codes.get(r.statusCode) ?? 0) + 1);
      const instance = r.statusCode === 200 ? (JSON.parse(text) as { instance?: string }).instance : undefined;
      if (instance) this.instances.set(instance, (this.instances.get(instance) ?? 0) + 1);
    } catch {
      this.codes.set(0, (this.codes.get(0) ?? 0) + 1);
    }
  }

  /** One line on what was seen since the last call: count, codes, instances, p50/p99 in ms. */
  summary(): string {
    const l = this.latencies.sort((a, b) => a - b);
    this.latencies = [];
    const pct = (p: number) => (l.length ? l[Math.min(l.length - 1, Math.floor(l.length * p))].toFixed(1) : '-');
    const codes = [...this.codes].sort().map(([c, n]) => `${c || 'error'}×${n}`).join(' ');
    const inst = [...this.instances].map(([i, n]) => `${i}=${n}`).join(' ');
    return `sent ${String(this.total).padStart(6)} | codes ${codes} | by instance ${inst} | last interval p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms`;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.agent.close();
  }
}
