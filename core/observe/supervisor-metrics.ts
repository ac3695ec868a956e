// Metrics the supervisor itself owns (worker lifecycle), merged with the workers' on /metrics.
import client from 'prom-client';

export class SupervisorMetrics {
  readonly registry = new client.Registry();
  readonly workerRestarts = new client.Counter({
    name: 'weft_worker_restarts_total', help: 'Worker threads that died and were restarted', registers: [this.registry],
  });
}
