// Steady demo traffic at a fixed rate into the mesh's edge (the frontend's sidecar), with a running tally of what came back.
import { Agent, request } from 'undici';

export class Traffic {
  sent = 0;
  ok = 0;
  failed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<boolean>>();
  private readonly agent = new Agent({ connections: 16, keepAliveTimeout: 4000 });
  private readonly url: string;
  private readonly paths: string[];

  constructor(url: string, paths: string[]) {
    this.url = url;
    this.paths = paths;
  }

  start(ratePerSecond: number): void {
    // Ten ticks a second, each sending its share, so a low rate stays a steady trickle rather than bursts.
    let owed = 0;
    this.timer = setInterval(() => {
      owed += ratePerSecond / 10;
      for (; owed >= 1; owed--) {
        const p = this.one();
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
    }, 100);
  }

  /** One request; true when it got a 2xx or 3xx. */
  async one(): Promise<boolean> {
    const path = this.paths[this.sent++ % this.paths.length];
    try {
      const r = await request(`${this.url}${path}`, { dispatcher: this.agent, headersTimeout: 5000, bodyTimeout: 5000 });
      await r.body.dump();
      const good = r.statusCode < 400;
      if (good) this.ok++;
      else this.failed++;
      return good;
    } catch {
      this.failed++;
      return false;
    }
  }

  /** Stops sending and waits for the requests in flight, so the sidecars drain an idle mesh. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.agent.close();
  }
}
