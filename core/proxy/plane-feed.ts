// Feeds a supervisor from a control plane: each snapshot becomes settings and is hot-swapped in; a failure NACKs it.
import type { Logger } from 'pino';
import { startControlClient } from '../control/client.ts';
import { settingsFromSnapshot } from '../control/settings.ts';
import { loadTrustKey } from '../control/signature.ts';
import type { Supervisor } from './supervisor.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { formatHostPort } from '../config/settings.ts';
import { parseSpiffeId } from '../identity/spiffe.ts';
import { validatePolicy } from '../authz/policy.ts';
import { keepRegistered } from './registration.ts';
import { connect } from 'node:net';

const { readFileSync } = process.getBuiltinModule('node:fs');

/** A sidecar that stops heartbeating leaves its service this long after its last heartbeat. */
const REGISTRATION_TTL_MS = 10_000;

export interface PlaneOptions {
  planes: string[];
  node: string;
  dataDir: string;
  token?: string;
  trustKeyFiles: string[];
  /** A sidecar's service and namespace (--service, --namespace): its certificate must name them. */
  workload?: { service: string; namespace: string };
}

/** How long one readiness probe of the app may take; a registration beat (and the shutdown after it) waits for it. */
const APP_PROBE_MS = 1_000;

/** Sidecar registration waits for the app: peers must not be sent to a sidecar whose service cannot answer yet. */
function appAccepts(origin: string): Promise<boolean> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), timeout: APP_PROBE_MS });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

export async function feedFromPlane(sup: Supervisor, log: Logger, o: PlaneOptions): Promise<{ close(): Promise<void> }> {
  const trustKeys = o.trustKeyFiles.map((file) => {
    try {
      return loadTrustKey(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new WeftError(ErrorCodes.USAGE, `--trust-key ${file}: ${(err as Error).message}`, 2);
    }
  });
  const identity = sup.identity;
  if (identity && o.workload) {
    const got = parseSpiffeId(identity.current().spiffeId)!;
    if (got.service !== o.workload.service || got.namespace !== o.workload.namespace) {
      throw new WeftError(ErrorCodes.USAGE, `the join token is for ${identity.current().spiffeId}, not service "${o.workload.service}" in namespace "${o.workload.namespace}"`, 2);
    }
  }
  const client = await startControlClient({
    planes: o.planes,
    node: o.node,
    dataDir: o.dataDir,
    token: o.token,
    trustKeys,
    log,
    // A root rotation reaches the mTLS listeners with the config.
    trustBundle: identity ? (pems) => identity.updateTrustBundle(pems) : undefined,
    identity: identity ? () => identity.current() : undefined,
    stats: () => sup.versionCounts(),
    stories: async (ask) => {
      if (ask.what === 'story') return { stories: typeof ask.requestId === 'string' ? await sup.stories(ask.requestId) : [] };
      const mine = ask.service === undefined || ask.service === sup.settings.sidecar?.service;
      return { requests: mine ? await sup.recentRequests(Math.min(Number(ask.limit) || 50, 500)) : [] };
    },
    summary: () => sup.summary(),
    apply: async (snapshot, _modules, disk) => {
      const next = settingsFromSnapshot(snapshot, disk);
      const own = sup.settings.sidecar;
      const policy = own && snapshot.policies?.find((p) => p.service === own.service);
      // A policy that does not validate NACKs the snapshot, and the proxy keeps the one it has.
      const sidecar = own && { ...own, services: snapshot.services ?? [], policy: policy && validatePolicy(policy, `policy for ${own.service}`) };
      await sup.apply({ ...sup.settings, ...next, sidecar }, snapshot.version);
      log.info({ version: snapshot.version, filters: next.filters.map((f) => `${f.name}@${f.version}`) }, 'applied snapshot');
    },
  });
  if (!identity) return client;
  // `weft status` shows each sidecar's certificate; a renewal between two snapshots must reach it too.
  const report = () => client.reportServed();
  identity.on('change', report);
  // With a workload identity the proxy is a sidecar: its listener is an endpoint of its service.
  const app = sup.settings.sidecar?.app;
  const appProtocol = sup.settings.sidecar?.appProtocol;
  const registration = keepRegistered({
    planes: o.planes,
    token: o.token,
    service: parseSpiffeId(identity.current().spiffeId)!.service,
    identity: identity.current().spiffeId,
    endpoint: `http://${formatHostPort({ host: sup.settings.listen.host, port: sup.listenPort })}`,
    ttlMs: REGISTRATION_TTL_MS,
    protocol: appProtocol === 'auto' ? undefined : appProtocol,
    ready: app === undefined ? undefined : () => appAccepts(app),
    log,
  });
  return {
    async close() {
      // Out of the registry first, so peers stop choosing this sidecar while it drains.
      identity.off('change', report);
      await registration.close();
      await client.close();
    },
  };
}
