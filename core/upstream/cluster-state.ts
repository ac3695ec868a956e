// What one worker keeps about a cluster across config swaps: its view of the breaker counts, the retry budget, the counters /metrics reads.
import type { BreakerSettings, ClusterSettings, OutlierSettings } from '../config/settings.ts';
import { RetryBudget } from './retry-budget.ts';
import { localCounts, RETRIES } from './breaker-table.ts';
import type { BreakerCounts } from './breaker-table.ts';
import type { Ejectable } from './outlier.ts';

export type Breaker = 'connections' | 'pending' | 'requests' | 'retries';

export class ClusterState {
  readonly name: string;
  /** Bumped whenever an endpoint's availability changes, so every Cluster object of this name picks from a fresh set. */
  epoch = 0;
  /**
   * Attempts in flight, those still waiting for a connection, those that are retries, and open connections
   * (ACTIVE, PENDING, RETRIES, CONNECTIONS): this worker adds to its own row, a breaker reads the whole process's
   * sum (core/upstream/breaker-table.ts). Everything else here is this worker's alone.
   */
  readonly counts: BreakerCounts;
  breakers: BreakerSettings | undefined;
  outlier: OutlierSettings | undefined;
  /** peak_ewma measures every attempt's time to the response headers; other policies skip the clock. */
  measuresLatency = false;
  readonly budget: RetryBudget;
  /** The endpoints as last configured: outlier detection ejects at most a share of them. */
  members: readonly Ejectable[] = [];
  readonly overflows: Record<Breaker, number> = { connections: 0, pending: 0, requests: 0, retries: 0 };
  ejections = 0;
  budgetExhausted = 0;
  /** Picks made in panic mode (too few endpoints available: all of them were used). */
  panicPicks = 0;
  /** Requests the HTTP/2 client sent again because the endpoint refused their stream unprocessed (h2-dispatcher.ts). */
  resent = 0;
  healthPasses = 0;
  healthFailures = 0;

  constructor(settings: ClusterSettings, counts: BreakerCounts = localCounts()) {
    this.name = settings.name;
    this.counts = counts;
    this.budget = new RetryBudget(settings.retryBudget);
  }

  configure(s: ClusterSettings, members: readonly Ejectable[]): void {
    this.members = members;
    this.breakers = s.circuitBreakers;
    this.outlier = s.outlierDetection;
    this.measuresLatency = s.lb === 'peak_ewma';
    this.budget.configure(s.retryBudget);
  }

  /** One more retry may go: the retry breaker and the budget agree (each refusal counted). */
  mayRetry(now: number): boolean {
    const max = this.breakers?.maxRetries;
    if (max !== undefined && this.counts.total(RETRIES) >= max) {
      this.overflows.retries++;
      return false;
    }
    if (!this.budget.withdraw(now)) {
      this.budgetExhausted++;
      return false;
    }
    return true;
  }
}
