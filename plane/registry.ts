// The filter registry: immutable content-addressed versions, checked in the sandbox before they are stored; heads, rollback, delete.
import { sha256Hex } from '../core/control/signature.ts';
import { ErrorCodes, WeftError } from '../core/errors.ts';
import { keys, NAME_PATTERN, parseFilterRef, VERSION_PATTERN } from './model.ts';
import type { FilterVersion, RolloutRecord } from './model.ts';
import { deleteModule, getModule, putModule } from './modules.ts';
import { SandboxPool } from './sandbox-pool.ts';
import type { StartCase } from './sandbox.ts';
import { findVersion, loadState, versionsInUse } from './state.ts';
import type { MeshState } from './state.ts';
import type { Store } from './store/store.ts';

export interface PushRequest {
  name: string;
  version: string;
  bytes: Uint8Array;
  signature?: string;
  /** Store and check only; the head (what unpinned entries run) stays where it is, for a rollout to move it. */
  hold?: boolean;
}

export interface PushResult {
  record: FilterVersion;
  /** False when the same bytes were already stored under this version (a repeated push changes nothing). */
  created: boolean;
}

/** Module bytes kept in memory: the versions in play during a push or a rollout. */
const RECENT_MODULES = 8;

function notFound(message: string): WeftError {
  return new WeftError(ErrorCodes.PLANE_NOT_FOUND, message);
}

/** The chain entries that would start this version: unpinned ones (unless held) and ones pinned to it. */
function startCasesFor(state: MeshState, name: string, version: string, hold: boolean): StartCase[] {
  const cases: StartCase[] = [];
  (state.mesh?.filters ?? []).forEach((entry, i) => {
    const ref = parseFilterRef(entry.name);
    if (ref.name === name && (ref.pin === version || (ref.pin === undefined && !hold))) cases.push({ label: `filters[${i}]`, entry });
  });
  return cases;
}

export class Registry {
  readonly store: Store;
  readonly sandbox = new SandboxPool();
  readonly #recent = new Map<string, Uint8Array>();

  constructor(store: Store) {
    this.store = store;
  }

  async push(req: PushRequest, now: number): Promise<PushResult> {
    if (!NAME_PATTERN.test(req.name)) throw new WeftError(ErrorCodes.USAGE, `filter name must match ${NAME_PATTERN.source}, got "${req.name}"`, 2);
    if (!VERSION_PATTERN.test(req.version)) throw new WeftError(ErrorCodes.USAGE, `version must match ${VERSION_PATTERN.source}, got "${req.version}"`, 2);
    const sha256 = sha256Hex(req.bytes);
    const existing = await this.store.get(keys.version(req.name, req.version));
    if (existing) {
      const record = JSON.parse(existing) as FilterVersion;
      if (record.sha256 !== sha256) {
        throw new WeftError(ErrorCodes.FILTER_VERSION_EXISTS, `${req.name}@${req.version} exists with other bytes (sha256 ${record.sha256}); versions are immutable`);
      }
      // Pushing is deploying: pushing a stored version again makes it current again.
      if (!req.hold) await this.#setHead(req.name, req.version);
      return { record, created: false };
    }
    const state = await loadState(this.store);
    await this.sandbox.check(req.name, req.bytes, startCasesFor(state, req.name, req.version, req.hold ?? false));
    const record: FilterVersion = { name: req.name, version: req.version, sha256, size: req.bytes.length, pushedAt: now };
    if (req.signature) record.signature = req.signature;
    // Module first: a version key is only ever visible once its bytes can be fetched.
    await putModule(this.store, sha256, req.bytes);
    if (!await this.store.swap(keys.version(req.name, req.version), undefined, JSON.stringify(record))) {
      return this.push(req, now);
    }
    if (!req.hold) await this.#setHead(req.name, req.version);
    return { record, created: true };
  }

  async #setHead(name: string, version: string): Promise<void> {
    const raw = await this.store.get(keys.rollout);
    const rollout = raw ? JSON.parse(raw) as RolloutRecord : null;
    if (rollout?.phase === 'running' && rollout.filter === name) {
      throw new WeftError(ErrorCodes.ROLLOUT_CONFLICT, `a rollout of ${name} is running: push with --hold, or weft rollout abort first`);
    }
    await this.store.put(keys.head(name), JSON.stringify({ version }));
  }

  /** Immutable bytes by digest; the recent ones stay in memory, since every proxy fetches a new version at once. */
  async moduleBytes(sha256: string): Promise<Uint8Array | undefined> {
    const cached = this.#recent.get(sha256);
    if (cached) return cached;
    const bytes = await getModule(this.store, sha256);
    if (bytes) {
      this.#recent.set(sha256, bytes);
      if (this.#recent.size > RECENT_MODULES) this.#recent.delete(this.#recent.keys().next().value!);
    }
    return bytes;
  }

  /** Starts the version an entry would run with the entry's config; throws FILTER_REJECTED. */
  async checkEntry(record: FilterVersion, c: StartCase): Promise<void> {
    const bytes = await this.moduleBytes(record.sha256);
    if (!bytes) throw notFound(`module ${record.sha256} of ${record.name}@${record.version} is missing from the store`);
    await this.sandbox.check(record.name, bytes, [c]);
  }

  /** Moves the head back to the version pushed before the current one. */
  async rollback(name: string): Promise<{ from: string; to: string }> {
    const state = await loadState(this.store);
    const versions = state.filters.get(name);
    if (!versions) throw notFound(`no filter "${name}"`);
    if (state.rollout?.phase === 'running' && state.rollout.filter === name) {
      throw new WeftError(ErrorCodes.ROLLOUT_CONFLICT, `a rollout of ${name} is running: weft rollout abort first`);
    }
    const current = state.heads.get(name);
    const at = versions.findIndex((v) => v.version === current);
    if (at <= 0) throw new WeftError(ErrorCodes.PLANE_NOT_FOUND, `${name}@${current ?? '-'} has no earlier version to roll back to`);
    const to = versions[at - 1].version;
    const raw = await this.store.get(keys.head(name));
    if (!await this.store.swap(keys.head(name), raw, JSON.stringify({ version: to }))) return this.rollback(name);
    return { from: current!, to };
  }

  async delete(name: string, version: string): Promise<void> {
    const state = await loadState(this.store);
    const record = findVersion(state, name, version);
    if (!record) throw notFound(`no filter version ${name}@${version}`);
    const why = versionsInUse(state, name).get(version);
    if (why) throw new WeftError(ErrorCodes.FILTER_IN_USE, `${name}@${version} is in use (${why})`);
    await this.store.delete(keys.version(name, version));
    const shared = [...state.filters.values()].flat().some((v) => v.sha256 === record.sha256 && !(v.name === name && v.version === version));
    if (!shared) {
      await deleteModule(this.store, record.sha256);
      this.#recent.delete(record.sha256);
    }
  }
}

/** `weft filter list` rows: every version, marked current / in use. */
export function listFilters(state: MeshState): { name: string; versions: (FilterVersion & { current: boolean; inUse: string })[] }[] {
  return [...state.filters.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, versions]) => {
    const used = versionsInUse(state, name);
    const head = state.heads.get(name);
    return { name, versions: versions.map((v) => ({ ...v, current: v.version === head, inUse: used.get(v.version) ?? '' })) };
  });
}
