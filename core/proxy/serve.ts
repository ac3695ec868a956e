// One worker's serving, whichever thread runs it: its listeners, generations (routes, clusters, filter instances), upstream pools, metrics and drain, driven by the supervisor's messages.
import type { MessagePort } from 'node:worker_threads';
import type { Socket } from 'node:net';
import type { WorkerData, ToWorker, FromWorker, Generation, VersionCount } from './messages.ts';
import { Listener } from '../http/listener.ts';
import type { WorkerContext } from '../http/request-path.ts';
import { RouteTable } from '../routing/route-table.ts';
import { buildClusters, EndpointCache } from '../upstream/cluster.ts';
import { BreakerTable } from '../upstream/breaker-table.ts';
import type { Cluster } from '../upstream/cluster.ts';
import type { FilterChain } from '../chain/chain.ts';
import { WorkerMetrics } from '../observe/metrics.ts';
import { filterMetricsJson } from '../observe/filter-metrics.ts';
import { StoryBook } from '../observe/story.ts';
import { TrafficBook } from '../observe/traffic.ts';
import { trafficMetricsJson } from '../observe/traffic-metrics.ts';
import { clusterSince } from '../observe/summary.ts';
import type { ClusterRecord, TrafficSummary } from '../observe/summary.ts';
import type { ClusterState } from '../upstream/cluster-state.ts';
import { createAccessLog, flushAccessLog } from '../observe/log.ts';
import type { Logger } from '../observe/log.ts';
import { hostServices, routeChains } from './worker-filters.ts';
import type { ChainSet } from './worker-filters.ts';
import { listenerPlans, listenerRoutes } from './listeners.ts';
import { IdleCollector } from './idle-collect.ts';
import type { ListenerPlan } from './listeners.ts';
import { Authorizer } from '../authz/authorizer.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { addCounts } from '../control/snapshot.ts';
import { TcpMetrics } from '../tcp/tcp-metrics.ts';
import { TunnelClient } from '../tcp/tunnel-client.ts';
import { serveTunnel } from '../tcp/tunnel-server.ts';
import type { TunnelServerContext } from '../tcp/tunnel-server.ts';
import type { TcpApp, TcpTarget } from '../tcp/targets.ts';

/** One generation of what the worker serves, a route table per listener; a swap builds the next beside it. */
interface Built {
  clusters: Map<string, Cluster>; tables: RouteTable[]; chains: ChainSet; authz: Authorizer | undefined;
  /** By listener: the TCP service its connections are tunnelled to; and the app, when it speaks TCP. */
  tcp: (TcpTarget | undefined)[]; tcpApp: TcpApp | undefined;
}

/** A listener and the context its requests read; every listener of the worker shares clusters, metrics and filters. */
interface Served { plan: ListenerPlan; ctx: WorkerContext; server: Listener }

/** Chains of `from` that `to` does not run: what a swap retires, an abort or a failed build closes. */
function dropped(from: ChainSet | undefined, to: ChainSet | undefined): FilterChain[] {
  const keep = new Set(to?.values() ?? []);
  return [...from?.values() ?? []].filter((c) => !keep.has(c));
}

/** A chain's counts go to every filter version it runs. */
function addChainCounts(into: Map<string, VersionCount>, chain: FilterChain): void {
  for (const f of chain.filters) addCounts(into, f.name, f.version, chain);
}

function clusterRecord(c: Cluster): ClusterRecord {
  const s = c.state;
  return {
    cluster: c.name, callee: c.settings.service ?? '', ejections: s.ejections, overflows: { ...s.overflows },
    retryBudgetExhausted: s.budgetExhausted, panicPicks: s.panicPicks,
  };
}

/**
 * Serves worker `data.index` on this thread until the supervisor's `drain` message has run its course (it then
 * says `drained`): every message of `port` is the supervisor's (core/proxy/messages.ts), every reply goes back on it.
 * Throws, after a `start-error` reply, when the first generation cannot be built.
 */
export function serve(data: WorkerData, port: MessagePort, log: Logger): void {
  const send = (m: FromWorker) => port.postMessage(m);
  // This worker's rows of the process's breaker counts start at zero: whatever a dead predecessor in this slot held
  // in flight died with it. The other workers' rows are theirs alone.
  const breakers = new BreakerTable(data.breakers, data.breakerRows, data.index);
  breakers.clearOwnRows();
  const endpoints = new EndpointCache(breakers);
  let clusters = new Map<string, Cluster>();
  const metrics = new WorkerMetrics(data.index, () => clusters.values());
  /** Recent request stories of every listener of this worker (`weft explain`). */
  const stories = new StoryBook(data.index, data.settings.sidecar?.service, data.settings.requestStories !== false);
  const services = hostServices({ worker: data.index, shared: data.shared, clusters: () => clusters, log, workerMetrics: metrics });
  const plans = listenerPlans(data.settings, data.identity !== undefined);
  /** Every request this worker answers is counted here, per listener (core/observe/traffic.ts). */
  const book = new TrafficBook(data.settings.trafficCounts !== false);
  const listenerTraffic = plans.map((p) => book.listener(p.name, p.inbound));

  /**
   * Starts every filter the routes use (taking over the serving generation's chains that did not change); throws a
   * WeftError naming the first that fails, leaving nothing new running.
   */
  function build(g: Generation, serving?: Built): Built {
    const plan = listenerRoutes(g.settings);
    // A policy that does not compile fails the whole generation, so the proxy NACKs it and keeps the one it has.
    const policy = g.settings.sidecar?.policy;
    const authz = policy ? Authorizer.compile(policy) : undefined;
    const nextClusters = buildClusters(plan.clusters, endpoints, g.breakerSlots);
    const filters = routeChains(g.filters, g.settings.filterLimits, services, serving?.chains);
    try {
      const tables = plan.routes.map((routes, i) => new RouteTable(routes, nextClusters, listenerTraffic[i], plan.chain[i] ? filters.chainsFor : undefined));
      return { clusters: nextClusters, tables, chains: filters.byKey, authz, tcp: plan.tcp, tcpApp: plan.tcpApp };
    } catch (err) {
      for (const c of dropped(filters.byKey, serving?.chains)) c.close();
      throw err instanceof WeftError ? err : new WeftError(ErrorCodes.WASM_START_FAILED, String(err));
    }
  }

  let current: Built;
  try {
    current = build(data);
  } catch (err) {
    const e = err as WeftError;
    send({ type: 'start-error', message: e.message, code: e.code });
    throw e;
  }
  clusters = current.clusters;
  endpoints.useIdentity(data.identity);

  const accessLog = createAccessLog(data.settings.accessLog);
  const tcpMetrics = new TcpMetrics(accessLog);
  const tunnels = new TunnelClient(tcpMetrics, log);
  tunnels.useIdentity(data.identity);
  const tunnelServer: TunnelServerContext = { app: current.tcpApp, authz: current.authz, metrics, tcp: tcpMetrics, log };

  const served: Served[] = plans.map((plan, i) => {
    const ctx: WorkerContext = { routes: current.tables[i], clusters, metrics, stories, listener: plan.name, traffic: listenerTraffic[i], accessLog, worker: data.index, draining: false, log };
    if (plan.inbound) ctx.authz = current.authz;
    const security = plan.security === 'config' ? { tls: data.settings.tls } : plan.security === 'plain' ? {} : { identity: data.identity, permissive: plan.security === 'permissive' };
    // A bound port whose service speaks TCP tunnels its connections; the generation serving says which.
    const divert = (socket: Socket) => {
      const target = current.tcp[i];
      if (target) tunnels.accept(socket, target);
      return target !== undefined;
    };
    const server = new Listener(data.settings.limits, () => ctx, security, divert);
    if (plan.inbound) server.onConnect = (stream) => serveTunnel(stream, tunnelServer);
    return { plan, ctx, server };
  });

  let listening = 0;
  const ports: number[] = [];
  served.forEach(({ plan, server }, i) => {
    server.onError((err) => {
      const which = served.length > 1 ? ` (${plan.name})` : '';
      send({ type: 'start-error', message: `cannot listen on ${plan.listen.host}:${data.ports[i]}${which}: ${err.message}`, code: ErrorCodes.LISTEN_FAILED });
    });
    server.listen({ host: plan.listen.host, port: data.ports[i], reusePort: true }, () => {
      const addr = server.address();
      ports[i] = typeof addr === 'object' && addr ? addr.port : data.ports[i];
      if (++listening === served.length) send({ type: 'listening', ports });
    });
  });

  const stopIdleCollector = new IdleCollector(() => metrics.requests).start();

  const prepared = new Map<number, Built>();
  /** Counts of chains swapped out, so per-version totals stay cumulative across swaps. */
  const retired = new Map<string, VersionCount>();


  function versionCounts(): VersionCount[] {
    const all = new Map<string, VersionCount>();
    for (const c of retired.values()) addCounts(all, c.filter, c.version, c);
    for (const chain of current.chains.values()) addChainCounts(all, chain);
    return [...all.values()];
  }

  /** Each serving cluster's resilience counts as the last summary took them. */
  const clustersTaken = new WeakMap<ClusterState, ClusterRecord>();


  /** What this worker served since the last summary (core/observe/summary.ts), for the plane. */
  function summary(): TrafficSummary {
    const changed: ClusterRecord[] = [];
    for (const c of clusters.values()) {
      const now = clusterRecord(c);
      const d = clusterSince(now, clustersTaken.get(c.state));
      clustersTaken.set(c.state, now);
      if (d) changed.push(d);
    }
    return { traffic: book.take(), authz: metrics.takeAuthz(), clusters: changed };
  }

  /** The swap itself is three assignments between two requests: no request ever sees half of each generation. */
  function commit(id: number): void {
    const next = prepared.get(id);
    prepared.delete(id);
    if (!next) return;
    const old = current;
    current = next;
    clusters = next.clusters;
    served.forEach(({ plan, ctx }, i) => {
      ctx.clusters = next.clusters;
      ctx.routes = next.tables[i];
      if (plan.inbound) ctx.authz = next.authz;
    });
    tunnelServer.app = next.tcpApp;
    tunnelServer.authz = next.authz;
    for (const chain of dropped(old.chains, next.chains)) {
      addChainCounts(retired, chain);
      chain.closeWhenIdle();
    }
    void endpoints.retainOnly(next.clusters.values());
  }

  /** Stops accepting and ends the connections as their requests finish; `keepIdleMs` spares the idle ones that long (Listener.close). */
  function drain(timeoutMs: number, keepIdleMs: number): void {
    let open = served.length;
    for (const { ctx, server } of served) {
      ctx.draining = true;
      server.close(() => {
        if (--open === 0) finish();
      }, keepIdleMs > 0);
    }
    // Connections whose last response ends during the drain turn idle later: keep closing them as they do.
    setTimeout(() => {
      setInterval(() => {
        for (const { server } of served) server.closeIdleConnections();
      }, 50).unref();
    }, keepIdleMs).unref();
    setTimeout(() => {
      for (const { server } of served) server.closeAllConnections();
      tunnels.closeAll();
      finish();
    }, timeoutMs).unref();
  }

  let drained = false;
  function finish(): void {
    if (drained) return;
    drained = true;
    stopIdleCollector();
    for (const chain of current.chains.values()) chain.close();
    void endpoints.retainOnly([]).finally(() => flushAccessLog(accessLog)).finally(() => send({ type: 'drained' }));
  }

  port.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'metrics':
        send({
          type: 'metrics', id: m.id,
          metrics: [...metrics.json(), ...tcpMetrics.json(), ...trafficMetricsJson(book.cells(), metrics.worker), ...filterMetricsJson(services.metrics.snapshot())],
        });
        break;
      case 'stats':
        send({ type: 'stats', id: m.id, counts: versionCounts() });
        break;
      case 'stories':
        send({ type: 'stories', id: m.id, stories: m.requestId ? stories.find(m.requestId) : [], lines: m.tail ? stories.tail(m.tail) : [] });
        break;
      case 'summary':
        send({ type: 'summary', id: m.id, summary: summary() });
        break;
      case 'prepare':
        try {
          prepared.set(m.id, build(m, current));
          send({ type: 'prepared', id: m.id });
        } catch (err) {
          send({ type: 'prepared', id: m.id, error: (err as Error).message });
        }
        break;
      case 'commit':
        commit(m.id);
        send({ type: 'committed', id: m.id });
        break;
      case 'abort': {
        const next = prepared.get(m.id);
        prepared.delete(m.id);
        for (const chain of dropped(next?.chains, current.chains)) chain.close();
        void endpoints.retainOnly(current.clusters.values());
        break;
      }
      case 'drain':
        drain(m.timeoutMs, m.keepIdleMs);
        break;
      case 'identity':
        endpoints.useIdentity(m.identity);
        tunnels.useIdentity(m.identity);
        for (const { server } of served) server.useIdentity(m.identity);
        break;
    }
  });
}
