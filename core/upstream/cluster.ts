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
  constructor(settings: ClusterSettings, endpoints: EndpointCache) {
    this.name = settings.name;
    this.endpoints = settings.endpoints.map((origin) => endpoints.get(origin, settings));
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

}

/**
 * A worker's endpoints by origin and pool settings, so a config swap keeps the warm keep-alive pools of the
 * endpoints it keeps, and closes (gracefully: in-flight requests finish) only those it dropped.
 */
export class EndpointCache {
  private live = new Map<string, Endpoint>();

  get(origin: string, s: ClusterSettings): Endpoint {
    const key = `${origin} ${s.connectTimeoutMs} ${s.maxConnectionsPerEndpoint ?? ''}`;
    let e = this.live.get(key);
    if (!e) {
      e = new Endpoint(origin, s);
      this.live.set(key, e);
    }
    return e;
  }

  /** Closes every endpoint no cluster in `keep` uses. */
  retainOnly(keep: Iterable<Cluster>): Promise<unknown> {
    const used = new Set<Endpoint>();
    for (const c of keep) for (const e of c.endpoints) used.add(e);
    const closing: Promise<unknown>[] = [];
    for (const [key, e] of this.live) {
      if (used.has(e)) continue;
      this.live.delete(key);
      closing.push(e.pool.close());
    }
    return Promise.all(closing);
  }
}

export function buildClusters(settings: ClusterSettings[], endpoints: EndpointCache): Map<string, Cluster> {
  return new Map(settings.map((c) => [c.name, new Cluster(c, endpoints)]));
}
