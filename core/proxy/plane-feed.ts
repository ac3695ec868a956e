// Feeds a supervisor from a control plane: each snapshot becomes settings and is hot-swapped in; a failure NACKs it.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { startControlClient } from '../control/client.ts';
import type { VersionCount } from '../control/client.ts';
import { settingsFromSnapshot } from '../control/settings.ts';
import { loadTrustKey } from '../control/signature.ts';
import type { Supervisor } from './supervisor.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { formatHostPort } from '../config/settings.ts';
import { parseSpiffeId } from '../identity/spiffe.ts';
import { keepRegistered } from './registration.ts';

/** A sidecar that stops heartbeating leaves its service this long after its last heartbeat. */
const REGISTRATION_TTL_MS = 10_000;

export interface PlaneOptions {
  planes: string[];
  node: string;
  dataDir: string;
  token?: string;
  trustKeyFiles: string[];
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
  // The client reads counts synchronously on its own timer; they are refreshed in the background, one interval behind.
  let counts: VersionCount[] = [];
  const client = await startControlClient({
    planes: o.planes,
    node: o.node,
    dataDir: o.dataDir,
    token: o.token,
    trustKeys,
    log,
    // A root rotation reaches the mTLS listeners with the config.
    trustBundle: identity ? (pems) => identity.updateTrustBundle(pems) : undefined,
    stats: () => {
      void sup.versionCounts().then((c) => { counts = c; });
      return counts;
    },
    apply: async (snapshot, _modules, disk) => {
      const next = settingsFromSnapshot(snapshot, disk);
      await sup.apply({ ...sup.settings, ...next }, snapshot.version);
      log.info({ version: snapshot.version, filters: next.filters.map((f) => `${f.name}@${f.version}`) }, 'applied snapshot');
    },
  });
  if (!identity) return client;
  // With a workload identity the proxy is a sidecar: its listener is an endpoint of its service.
  const registration = keepRegistered({
    planes: o.planes,
    token: o.token,
    service: parseSpiffeId(identity.current().spiffeId)!.service,
    endpoint: `http://${formatHostPort({ host: sup.settings.listen.host, port: sup.listenPort })}`,
    ttlMs: REGISTRATION_TTL_MS,
    log,
  });
  return {
    async close() {
      // Out of the registry first, so peers stop choosing this sidecar while it drains.
      await registration.close();
      await client.close();
    },
  };
}
