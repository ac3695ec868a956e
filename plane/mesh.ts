// Mesh config resources: validated with the proxy's own validator, filter refs resolved and started in the sandbox, then stored.
import { validateConfigDocument } from '../core/config/validate.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import type { RawRoute } from '../core/control/snapshot.ts';
import { keys, NAME_PATTERN, parseFilterRef } from './model.ts';
import type { MeshCluster, MeshFilter, MeshRecord } from './model.ts';
import type { MeshState } from './state.ts';
import { resolveEntry } from './snapshot.ts';
import type { Store } from './store/store.ts';

/** Settings of one proxy process; a mesh document describes traffic, not processes. */
const PROCESS_SETTINGS = ['listen', 'admin', 'workers', 'logLevel', 'accessLog', 'drainTimeout', 'limits', 'filterLimits', 'tls'];
const MESH_KINDS = ['clusters', 'routes', 'filters'] as const;
export type MeshKind = (typeof MESH_KINDS)[number];

/** Every problem of a mesh document in one line (the CLI's failure line, the API's message). */
export function invalidMesh(source: string, problems: string[]): WeftError {
  return new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${source}: ${problems.join('; ')}`, 2);
}

/**
 * The document as the proxy validator must see it: a service-backed cluster gets a stand-in endpoint (its real
 * ones are only known when a snapshot is built) and a pinned chain entry its bare name.
 */
function asProxyDocument(doc: Record<string, unknown>, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...doc };
  if (Array.isArray(doc.clusters)) {
    out.clusters = doc.clusters.map((c: unknown, i: number) => {
      if (!c || typeof c !== 'object' || !('service' in c)) return c;
      const { service, tags, tls, ...rest } = c as MeshCluster;
      if ('endpoints' in rest) problems.push(`clusters[${i}]: give endpoints or service, not both`);
      if (tls !== undefined) problems.push(`clusters[${i}].tls: a service's instances are dialled with the mesh's mTLS; tls is for https:// endpoints outside it`);
      if (typeof service !== 'string' || !NAME_PATTERN.test(service)) problems.push(`clusters[${i}].service: must be a service name`);
      if (tags !== undefined && (typeof tags !== 'object' || !Object.values(tags).every((v) => typeof v === 'string'))) {
        problems.push(`clusters[${i}].tags: must map tag names to strings`);
      }
      return { ...rest, endpoints: ['http://service.invalid'] };
    });
  }
  if (Array.isArray(doc.filters)) {
    out.filters = doc.filters.map((f: unknown, i: number) => {
      if (!f || typeof f !== 'object') return f;
      const entry = f as Record<string, unknown>;
      if ('module' in entry) problems.push(`filters[${i}].module: mesh chain entries name pushed filters (weft filter push), not files`);
      const { module: _module, ...rest } = entry;
      return typeof entry.name === 'string' ? { ...rest, name: parseFilterRef(entry.name).name } : rest;
    });
  }
  return out;
}

/** Validates a mesh document against the proxy schema and the pushed filters; throws CONFIG_INVALID naming every bad path at once. */
export function validateMesh(doc: unknown, source: string, state: MeshState): Pick<MeshRecord, MeshKind> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidMesh(source, ['(root): must be an object with clusters, routes and filters']);
  const d = doc as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of PROCESS_SETTINGS) if (k in d) problems.push(`${k}: a setting of one proxy process, not of the mesh (give it to weft proxy)`);
  const proxyDoc = asProxyDocument(d, problems);
  (Array.isArray(d.filters) ? d.filters : []).forEach((f: unknown, i) => {
    if (!f || typeof f !== 'object' || typeof (f as MeshFilter).name !== 'string') return;
    const { name, pin } = parseFilterRef((f as MeshFilter).name);
    if (!state.filters.has(name)) problems.push(`filters[${i}].name: no pushed filter "${name}" (weft filter push ${name} FILE --version V)`);
    else if (!resolveEntry(state, f as MeshFilter)) problems.push(`filters[${i}].name: filter "${name}" has no version "${pin}"`);
  });
  // Files a cluster names (tls.caFile…) are on each proxy's host, read there when the snapshot arrives.
  validateConfigDocument(proxyDoc, source, undefined, problems, 'elsewhere');
  return { clusters: (d.clusters ?? []) as MeshCluster[], routes: (d.routes ?? []) as RawRoute[], filters: (d.filters ?? []) as MeshFilter[] };
}

/** Stores a validated document as the next mesh revision; kinds that did not change keep their revision. */
export async function storeMesh(store: Store, next: Pick<MeshRecord, MeshKind>, now: number): Promise<MeshRecord> {
  for (;;) {
    const raw = await store.get(keys.mesh);
    const prev = raw ? JSON.parse(raw) as MeshRecord : null;
    const revision = (prev?.revision ?? 0) + 1;
    const revisions = { clusters: revision, routes: revision, filters: revision };
    for (const k of MESH_KINDS) {
      if (prev && JSON.stringify(prev[k]) === JSON.stringify(next[k])) revisions[k] = prev.revisions[k];
    }
    const record: MeshRecord = { revision, appliedAt: now, ...next, revisions };
    if (await store.swap(keys.mesh, raw, JSON.stringify(record))) return record;
  }
}

export function isMeshKind(kind: string): kind is MeshKind {
  return (MESH_KINDS as readonly string[]).includes(kind);
}
