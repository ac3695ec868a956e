// Circuit breaker counts for the whole process: one SharedArrayBuffer, a row of counters per (cluster slot, worker).
//
// A worker only ever adds to its own row; a breaker's check sums the rows of the cluster's slot (one Atomics.load
// per worker). So a worker that dies and is restarted zeroes its own rows (what its dead predecessor held in
// flight is gone with it) without touching the counts of the others, and nothing leaks.

/** Clusters a process can have breaker slots for, over its whole life (slots are never reused). */
export const BREAKER_SLOTS = 1024;

/** The counters of a row, by index. */
export const ACTIVE = 0;
export const PENDING = 1;
export const RETRIES = 2;
export const CONNECTIONS = 3;
const FIELDS = 4;

/** A zeroed table for `workers` workers; created once by the supervisor and passed to every worker. */
export function allocateBreakerTable(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer(BREAKER_SLOTS * workers * FIELDS * Int32Array.BYTES_PER_ELEMENT);
}

/** One cluster's counters as one worker sees them: it adds to its own row and reads the sum of all rows. */
export class BreakerCounts {
  private readonly counts: Int32Array;
  /** Offset of this worker's row, of worker 0's row, and the end of the slot's rows. */
  private readonly own: number;
  private readonly first: number;
  private readonly end: number;

  constructor(counts: Int32Array, slot: number, workers: number, worker: number) {
    this.counts = counts;
    this.first = slot * workers * FIELDS;
    this.own = this.first + worker * FIELDS;
    this.end = this.first + workers * FIELDS;
  }

  /** Adds `delta` to this worker's count of `field` (ACTIVE, PENDING, RETRIES, CONNECTIONS). */
  add(field: number, delta: number): void {
    Atomics.add(this.counts, this.own + field, delta);
  }

  /** The process-wide count of `field`: every worker's row summed. */
  total(field: number): number {
    const counts = this.counts;
    let n = 0;
    for (let i = this.first + field; i < this.end; i += FIELDS) n += Atomics.load(counts, i);
    return n;
  }
}

/** A worker's view of the process's table. */
export class BreakerTable {
  private readonly counts: Int32Array;
  private readonly workers: number;
  private readonly worker: number;

  constructor(buffer: SharedArrayBuffer, workers: number, worker: number) {
    this.counts = new Int32Array(buffer);
    this.workers = workers;
    this.worker = worker;
  }

  /** Zeroes this worker's rows: a restarted worker starts from nothing in flight (its predecessor's requests died with it). */
  clearOwnRows(): void {
    for (let slot = 0; slot < BREAKER_SLOTS; slot++) {
      const own = (slot * this.workers + this.worker) * FIELDS;
      this.counts.fill(0, own, own + FIELDS);
    }
  }

  /** The counters of the cluster in `slot`; without a slot (the table was full), counters of this worker alone. */
  counters(slot: number | undefined): BreakerCounts {
    if (slot === undefined || slot < 0 || slot >= BREAKER_SLOTS) return localCounts();
    return new BreakerCounts(this.counts, slot, this.workers, this.worker);
  }
}

/** Counters no other worker sees: the per-worker fallback for a cluster without a slot. */
export function localCounts(): BreakerCounts {
  return new BreakerCounts(new Int32Array(new SharedArrayBuffer(FIELDS * Int32Array.BYTES_PER_ELEMENT)), 0, 1, 0);
}

/**
 * The supervisor's slot of each cluster name: assigned on first sight and kept for the life of the process, so every
 * worker (and a worker restarted later) finds a cluster's counts in the same place, across config swaps. Slots of
 * clusters that went away are not reused (in-flight requests of the old generation may still count in them); once
 * all BREAKER_SLOTS are taken, a new cluster has none and its breakers count per worker.
 */
export class BreakerSlots {
  private readonly slots = new Map<string, number>();
  private readonly full = new Set<string>();

  /** The slots of `names`; `onFull` is told (once per name) of a cluster left without one. */
  assign(names: Iterable<string>, onFull: (name: string) => void): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of names) {
      let slot = this.slots.get(name);
      if (slot === undefined && this.slots.size < BREAKER_SLOTS) {
        slot = this.slots.size;
        this.slots.set(name, slot);
      }
      if (slot !== undefined) out[name] = slot;
      else if (!this.full.has(name)) {
        this.full.add(name);
        onFull(name);
      }
    }
    return out;
  }
}
