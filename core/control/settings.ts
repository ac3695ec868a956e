// Turns a plane snapshot into the proxy's own settings, through the same validator a config file goes through.
import { validateConfigDocument } from '../config/validate.ts';
import type { ClusterSettings, FilterSettings, RouteSettings } from '../config/settings.ts';
import type { ControlDisk } from './disk.ts';
import type { Snapshot } from './snapshot.ts';

/** A chain entry as the proxy runs it, plus where it came from and its canary when a rollout runs. */
export interface PlaneFilterSettings extends FilterSettings {
  version: string;
  sha256: string;
  canary?: { version: string; sha256: string; module: string; percent: number };
}

export interface SnapshotSettings {
  clusters: ClusterSettings[];
  routes: RouteSettings[];
  filters: PlaneFilterSettings[];
}

/** The schema wants at least one endpoint; a service with no live instance stands in with this one, then has none. */
const NO_ENDPOINT = 'http://no-live-endpoint.invalid';

/** Throws WEFT_ERR_CONFIG_INVALID (so the proxy NACKs) when the snapshot does not validate. */
export function settingsFromSnapshot(snapshot: Snapshot, disk: ControlDisk): SnapshotSettings {
  const doc = {
    clusters: snapshot.clusters.map(({ service: _service, ...c }) => (c.endpoints.length ? c : { ...c, endpoints: [NO_ENDPOINT] })),
    routes: snapshot.routes,
    filters: snapshot.filters.map((f) => ({
      name: f.name, module: disk.modulePath(f.sha256),
      ...(f.root === undefined ? {} : { root: f.root }), ...(f.vmId === undefined ? {} : { vmId: f.vmId }),
      ...(f.config === undefined ? {} : { config: f.config }), ...(f.fail === undefined ? {} : { fail: f.fail }),
    })),
  };
  const s = validateConfigDocument(doc, `snapshot ${snapshot.version}`, disk.modulesDir);
  return {
    // Normalized in the snapshot's order: the raw cluster at the same index says what validation had to hide.
    clusters: (s.clusters ?? []).map((c, i) => {
      const raw = snapshot.clusters[i];
      const out = raw.endpoints.length ? c : { ...c, endpoints: [] };
      return raw.service === undefined ? out : { ...out, service: raw.service };
    }),
    routes: s.routes ?? [],
    filters: (s.filters ?? []).map((f, i) => {
      const ref = snapshot.filters[i];
      const out: PlaneFilterSettings = { ...f, version: ref.version, sha256: ref.sha256 };
      if (ref.canary) out.canary = { version: ref.canary.version, sha256: ref.canary.sha256, module: disk.modulePath(ref.canary.sha256), percent: ref.canary.percent };
      return out;
    }),
  };
}
