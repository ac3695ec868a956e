// Metrics the supervisor itself owns (worker lifecycle, the workload certificate's remaining life), merged with the workers' on /metrics.
import client from 'prom-client';

export class SupervisorMetrics {
  readonly registry = new client.Registry();
  readonly workerRestarts = new client.Counter({
    name: 'weft_worker_restarts_total', help: 'Worker threads that died and were restarted', registers: [this.registry],
  });

  /**
   * weft_identity_expiry_seconds, read at each scrape from `notAfter` (epoch ms): only a proxy with a workload
   * identity has it, so an alert on a low value never fires for one without.
   */
  identityExpiry(notAfter: () => number): void {
    new client.Gauge({
      name: 'weft_identity_expiry_seconds', help: 'Seconds until the workload certificate the listeners serve expires (negative once it has)',
      registers: [this.registry],
      collect() { this.set((notAfter() - Date.now()) / 1000); },
    });
  }
}
