// A cluster as one worker sees it: its endpoints, each with its own undici keep-alive pool, and its balancer.
import { Pool } from 'undici';
import type { ClusterSettings } from '../config/settings.ts';
import { balancer } from './balancer.ts';
import type { Pick } from './balancer.ts';

export class Endpoint {
  readonly origin: string;
  readonly pool: Pool;
  /** Requests in flight to this endpoint from this worker (least_request reads it). */
  active = 0;
  constructor(origin: string, settings: ClusterSettings) {
    this.origin = origin;
    this.pool = new Pool(origin, {
      connections: settings.maxConnectionsPerEndpoint ?? null,
      connectTimeout: settings.connectTimeoutMs,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
    });
  }
}

export class Cluster {
  readonly name: string;
  readonly endpoints: Endpoint[];
  private readonly pickFrom: Pick<Endpoint>;
  constructor(settings: ClusterSettings) {
    this.name = settings.name;
    this.endpoints = settings.endpoints.map((origin) => new Endpoint(origin, settings));
    this.pickFrom = balancer<Endpoint>(settings.lb);
  }

  /** An endpoint for the next attempt, preferring one not tried yet in this request; undefined when the cluster is empty. */
  pick(avoid?: Endpoint): Endpoint | undefined {
    const eps = this.endpoints;
    if (eps.length === 0) return undefined;
    const ep = this.pickFrom(eps);
    if (ep === avoid && eps.length > 1) return this.pickFrom(eps);
    return ep;
  }

  close(): Promise<unknown> {
    return Promise.all(this.endpoints.map((e) => e.pool.close()));
  }
}

export function buildClusters(settings: ClusterSettings[]): Map<string, Cluster> {
  return new Map(settings.map((c) => [c.name, new Cluster(c)]));
}
