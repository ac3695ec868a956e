// The admin server: /ready for orchestrators, /metrics for Prometheus, /config and /identity for humans; bound to loopback by default.
import { X509Certificate } from 'node:crypto';
import type http from 'node:http';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { HostPort } from '../config/settings.ts';
import { formatHostPort } from '../config/settings.ts';
import type { Supervisor } from '../proxy/supervisor.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { redactConfig, redactOverrides } from './redact.ts';
import { createServer } from '../http/node-http.ts';

export interface AdminServer { address: HostPort; close(): void }

/** The text and its content type; prom-client loads at the first scrape, so a proxy nobody scrapes never holds it. */
async function metricsText(sup: Supervisor): Promise<{ text: string; type: string }> {
  const [{ default: client }, perWorker] = await Promise.all([import('prom-client'), sup.workerMetrics()]);
  // Series that differ only by worker stay apart (they carry a worker label); the rest are summed, as for Node's cluster.
  const merged = client.AggregatorRegistry.aggregate([...perWorker, sup.metrics.json()] as MetricObjectWithValues<MetricValue<string>>[][]);
  return { text: await merged.metrics(), type: client.Registry.PROMETHEUS_CONTENT_TYPE };
}

/**
 * The effective config, with what /config readers need beside it: the served version and each filter's digest.
 * Filter configs (in the chain and in routes' overrides) show with their secrets redacted.
 */
function configView(sup: Supervisor): unknown {
  const s = sup.settings;
  return {
    version: sup.version,
    ...s,
    listen: { ...s.listen, port: sup.listenPort },
    routes: s.routes.map((r) => ({ ...r, filters: redactOverrides(r.filters) })),
    filters: s.filters.map((f) => ({ ...f, config: redactConfig(f.config), sha256: sup.filterDigest(f.name), status: 'serving' })),
  };
}

/** The workload certificate the listener serves now (a sidecar's), or undefined without --join-token. */
function identityView(sup: Supervisor): { spiffeId: string; serial: string; notAfter: string } | undefined {
  const id = sup.identity?.current();
  if (!id) return undefined;
  return { spiffeId: id.spiffeId, serial: new X509Certificate(id.cert).serialNumber, notAfter: new Date(id.notAfter).toISOString() };
}

function reply(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startAdmin(at: HostPort, sup: Supervisor): Promise<AdminServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/ready':
        return sup.ready ? reply(res, 200, 'text/plain', 'ready\n') : reply(res, 503, 'text/plain', 'not ready\n');
      case '/metrics':
        metricsText(sup).then(
          ({ text, type }) => reply(res, 200, type, text),
          (err: Error) => reply(res, 500, 'text/plain', `${err.message}\n`),
        );
        return;
      case '/config':
        return reply(res, 200, 'application/json', `${JSON.stringify(configView(sup), null, 2)}\n`);
      case '/identity': {
        const view = identityView(sup);
        return view ? reply(res, 200, 'application/json', `${JSON.stringify(view)}\n`) : reply(res, 404, 'text/plain', 'no workload identity: the proxy runs without --join-token\n');
      }
      default:
        return reply(res, 404, 'text/plain', 'not found: try /ready, /metrics, /config or /identity\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new WeftError(ErrorCodes.LISTEN_FAILED, `cannot listen on admin ${formatHostPort(at)}: ${err.message}`)));
    server.listen({ host: at.host, port: at.port }, resolve);
  });
  const addr = server.address() as { address: string; port: number };
  return { address: { host: at.host, port: addr.port }, close: () => server.close() };
}
