// A worker thread: its own listener on the shared port (reusePort), its own upstream pools, filter instances and metrics.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerData, ToWorker, FromWorker } from './messages.ts';
import { createListener } from '../http/listener.ts';
import type { WorkerContext } from '../http/request-path.ts';
import { RouteTable } from '../routing/route-table.ts';
import { buildClusters } from '../upstream/cluster.ts';
import { WorkerMetrics } from '../observe/metrics.ts';
import { filterMetricsJson } from '../observe/filter-metrics.ts';
import { createAccessLog, createLogger } from '../observe/log.ts';
import { hostServices, routeChains } from './worker-filters.ts';
import { ErrorCodes, WeftError } from '../errors.ts';

const data = workerData as WorkerData;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const log = createLogger(data.settings.logLevel, { worker: data.index });

// A fault from traffic must never take the worker down: log it, keep serving.
process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception in worker'));

const clusters = buildClusters(data.settings.clusters);
const services = hostServices({ worker: data.index, shared: data.shared, clusters, log });
const filters = routeChains(data.filters, data.settings.filterLimits, services);
let routes: RouteTable;
try {
  routes = new RouteTable(data.settings.routes, clusters, filters.chainFor);
} catch (err) {
  const e = err instanceof WeftError ? err : new WeftError(ErrorCodes.WASM_START_FAILED, String(err));
  send({ type: 'start-error', message: e.message, code: e.code });
  throw e;
}

const ctx: WorkerContext = {
  routes,
  clusters,
  metrics: new WorkerMetrics(data.index, () => clusters.values()),
  accessLog: createAccessLog(data.settings.accessLog),
  worker: data.index,
  draining: false,
};

const server = createListener(data.settings.limits, () => ctx);

server.once('error', (err: NodeJS.ErrnoException) => {
  send({ type: 'start-error', message: `cannot listen on ${data.settings.listen.host}:${data.port}: ${err.message}`, code: ErrorCodes.LISTEN_FAILED });
});

server.listen({ host: data.settings.listen.host, port: data.port, reusePort: true }, () => {
  const addr = server.address();
  send({ type: 'listening', port: typeof addr === 'object' && addr ? addr.port : data.port });
});

function drain(timeoutMs: number): void {
  ctx.draining = true;
  server.close(() => finish());
  // Connections whose last response ends during the drain turn idle later: keep closing them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  sweep.unref();
  setTimeout(() => {
    server.closeAllConnections();
    finish();
  }, timeoutMs).unref();
}

let drained = false;
function finish(): void {
  if (drained) return;
  drained = true;
  for (const chain of filters.chains()) chain.close();
  void Promise.all([...clusters.values()].map((c) => c.close())).finally(() => {
    ctx.accessLog?.flush();
    send({ type: 'drained' });
  });
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'metrics':
      void ctx.metrics.registry.getMetricsAsJSON().then((own) => {
        send({ type: 'metrics', id: m.id, metrics: [...own, ...filterMetricsJson(services.metrics.snapshot())] });
      });
      break;
    case 'drain':
      drain(m.timeoutMs);
      break;
  }
});
