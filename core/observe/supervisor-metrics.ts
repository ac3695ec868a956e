// Metrics the supervisor itself owns (worker lifecycle, the workload certificate's remaining life), merged with the workers' on /metrics.
import type { MetricJson } from './filter-metrics.ts';
import { Family } from './series.ts';

export class SupervisorMetrics {
  private readonly restarts = new Family('weft_worker_restarts_total', 'Worker threads that died and were restarted');
  private notAfter: (() => number) | undefined;

  constructor() {
    // Shown from the start, at 0, as an unlabelled counter is.
    this.restarts.cell({});
  }

  workerRestarted(): void {
    this.restarts.inc({});
  }

  /**
   * weft_identity_expiry_seconds, read at each scrape from `notAfter` (epoch ms): only a proxy with a workload
   * identity has it, so an alert on a low value never fires for one without.
   */
  identityExpiry(notAfter: () => number): void {
    this.notAfter = notAfter;
  }

  /** In prom-client's JSON shape, as the workers hand theirs over. */
  json(): MetricJson[] {
    const out = [this.restarts.json()];
    if (this.notAfter) {
      const expiry = new Family('weft_identity_expiry_seconds', 'Seconds until the workload certificate the listeners serve expires (negative once it has)', 'gauge');
      expiry.set({}, (this.notAfter() - Date.now()) / 1000);
      out.push(expiry.json());
    }
    return out;
  }
}
