// Active health checking of one endpoint: a GET of the cluster's health path every interval, on a connection of its own.
import type { buildConnector, Client } from 'undici';
import { undici } from './undici-lazy.ts';
import type { HealthCheckSettings } from '../config/settings.ts';

/** What a checker reports to: the endpoint whose `healthy` it sets. */
export interface Checked {
  /** What is dialled (https:// for TLS). */
  readonly url: string;
  healthy: boolean;
  /** A probe passed or failed; `flipped` when that changed the endpoint's health. */
  probed(ok: boolean, flipped: boolean): void;
}

/**
 * Probes go on their own connection, not the endpoint's pool: a pool busy with traffic must not make a healthy
 * endpoint look dead, nor a probe take a slot from a request. The connection is opened as the pool's are (`connect`:
 * the same TLS, server name and protocol), so a probe fails when traffic would.
 */
export class HealthChecker {
  readonly settings: HealthCheckSettings;
  private readonly target: Checked;
  private readonly connect: buildConnector.connector;
  /** Opened at the first probe (undici's Client, loaded then). */
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private passes = 0;
  private failures = 0;
  private stopped = false;

  constructor(target: Checked, settings: HealthCheckSettings, connect: buildConnector.connector) {
    this.target = target;
    this.settings = settings;
    this.connect = connect;
    // The first probe right away, so an endpoint dead at start is found within the unhealthy threshold's probes.
    this.timer = setTimeout(probe, 0, this);
    this.timer.unref();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.client?.destroy() ?? Promise.resolve();
  }

  async run(): Promise<void> {
    const s = this.settings;
    let ok = false;
    try {
      const { Client, request } = await undici();
      if (this.stopped) return;
      this.client ??= new Client(this.target.url, { connect: this.connect, pipelining: 1 });
      const r = await request.call(this.client, {
        path: s.path, method: 'GET', headers: { 'user-agent': 'weft-health-check' },
        signal: AbortSignal.timeout(s.timeoutMs),
      });
      await r.body.dump();
      ok = r.statusCode >= 200 && r.statusCode < 300;
    } catch {
      ok = false;
    }
    if (this.stopped) return;
    this.record(ok);
    // ±10% jitter, so the probes of many workers and proxies do not arrive in step.
    this.timer = setTimeout(probe, s.intervalMs * (0.9 + Math.random() * 0.2), this);
    this.timer.unref();
  }

  private record(ok: boolean): void {
    const t = this.target;
    let flipped = false;
    if (ok) {
      this.failures = 0;
      if (++this.passes >= this.settings.healthyThreshold && !t.healthy) flipped = t.healthy = true;
    } else {
      this.passes = 0;
      if (++this.failures >= this.settings.unhealthyThreshold && t.healthy) {
        t.healthy = false;
        flipped = true;
      }
    }
    t.probed(ok, flipped);
  }
}

function probe(c: HealthChecker): void {
  void c.run();
}
