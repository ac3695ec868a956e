// The other plane replicas on the same store: each advertises its API URL under replicas/ and refreshes it, so a question about the whole mesh (stats, request stories) can be put to every replica and their answers merged.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/observe/log.ts';
import { keys } from './model.ts';
import type { Store } from './store/store.ts';

/** How often a replica rewrites its record: one small store write per replica per interval, whatever the traffic. */
export const ADVERTISE_INTERVAL_MS = 5000;
/** A record not refreshed for this long is a replica that stopped (crashed, cut off): no longer asked. */
export const REPLICA_TTL_MS = 3 * ADVERTISE_INTERVAL_MS;
/** How long a stopping replica waits for the store to delete its record (else it expires by its TTL). */
const CLOSE_WAIT_MS = 2000;
/** A record this stale is deleted by whichever replica lists it first, so a crashed replica leaves no trace. */
const FORGET_MS = 20 * ADVERTISE_INTERVAL_MS;

/** One replica as the store lists it. */
export interface ReplicaRecord {
  id: string;
  /** Where its API answers, as the other replicas reach it (`--advertise`). */
  url: string;
  at: number;
}

/** A replica asked for its part that did not give it, and why: the answer it did give is partial by that much. */
export interface MissingReplica {
  url: string;
  reason: string;
}

/** How many replicas answered (this one included), and those that did not. */
export interface ReplicaCoverage {
  answered: number;
  missing: MissingReplica[];
}

export class Peers {
  readonly id = randomUUID();
  readonly url: string;
  readonly #store: Store;
  readonly #token: string;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;

  constructor(store: Store, url: string, token: string, log: Logger) {
    this.#store = store;
    this.url = url;
    this.#token = token;
    this.#log = log;
  }

  /** Writes this replica's record and keeps it fresh until close(). */
  async start(): Promise<void> {
    await this.#advertise();
    this.#timer = setInterval(() => {
      this.#advertise().catch((err: unknown) => this.#log.error({ err: (err as Error).message }, 'cannot advertise this replica in the store'));
    }, ADVERTISE_INTERVAL_MS);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // The others stop asking at once rather than after REPLICA_TTL_MS; a store that does not answer must not hold the stop.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#store.delete(keys.replica(this.id)).catch(() => undefined),
      new Promise((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); }),
    ]);
    clearTimeout(timer);
  }

  #advertise(): Promise<void> {
    const record: ReplicaRecord = { id: this.id, url: this.url, at: Date.now() };
    return this.#store.put(keys.replica(this.id), JSON.stringify(record));
  }

  /** The other live replicas; records long past their TTL are deleted (compare-and-set: a replica that came back wins). */
  async others(now: number): Promise<ReplicaRecord[]> {
    const live: ReplicaRecord[] = [];
    for (const e of await this.#store.list(keys.replicas)) {
      const r = JSON.parse(e.value) as ReplicaRecord;
      if (r.id === this.id) continue;
      if (now - r.at <= REPLICA_TTL_MS) live.push(r);
      else if (now - r.at > FORGET_MS) await this.#store.swap(e.key, e.value, undefined);
    }
    return live;
  }

  /**
   * GET or POST `path` on every other live replica with the plane token, each bounded by `timeoutMs`: their JSON
   * answers, and the replicas that gave none (down, too slow, refused) with the reason.
   */
  async ask<T>(path: string, body: unknown, timeoutMs: number): Promise<{ answers: T[]; coverage: ReplicaCoverage }> {
    const peers = await this.others(Date.now());
    const answers: T[] = [];
    const missing: MissingReplica[] = [];
    await Promise.all(peers.map(async (peer) => {
      try {
        const res = await fetch(`${peer.url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const json = await res.json() as T & { message?: string };
        if (!res.ok) throw new Error(`answered ${res.status}: ${json.message ?? 'no message'}`);
        answers.push(json);
      } catch (err) {
        const e = err as Error;
        const reason = e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (e.cause as Error | undefined)?.message ?? e.message;
        missing.push({ url: peer.url, reason });
      }
    }));
    missing.sort((a, b) => (a.url < b.url ? -1 : 1));
    return { answers, coverage: { answered: answers.length + 1, missing } };
  }
}

/** " (partial: plane replica URL did not answer, REASON)" when a replica's part is missing; empty when every replica answered. */
export function partialText(replicas: ReplicaCoverage | undefined): string {
  return replicas?.missing.length ? ` (partial: ${replicas.missing.map((r) => `plane replica ${r.url} did not answer, ${r.reason}`).join('; ')})` : '';
}
