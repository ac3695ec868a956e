// Consistent hashing on a ring: a key keeps its endpoint while endpoints come and go, except for the keys the change must move.

/**
 * Points per unit of weight, the same whatever the cluster's size: an endpoint's points never move when another
 * joins or leaves, so only the keys the newcomer takes (or the leaver had) change endpoint. 4,096 points keep each
 * endpoint's share within a few percent of its weight's.
 */
const POINTS_PER_WEIGHT = 4096;
/** Past this, every endpoint's points are scaled down alike (remapping then is no longer minimal). */
const MAX_POINTS = 1 << 21;

/** 32-bit FNV-1a of a string, then murmur3's finalizer: FNV alone spreads similar keys ("user-1", "user-2") poorly. */
export function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The ring over every endpoint of a cluster, built once per endpoint list. Unavailable endpoints stay on it and are
 * stepped over at lookup, so an ejection moves only the ejected endpoint's keys, and only while it is out.
 */
export class Ring {
  /** Sorted point hashes and, at the same index, the endpoint index each belongs to. */
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;

  /** `ids` name the endpoints (their origins): a point's place depends only on its endpoint, never on list order. */
  constructor(ids: string[], weights: number[]) {
    let total = 0;
    for (const w of weights) total += w * POINTS_PER_WEIGHT;
    const scale = Math.min(1, MAX_POINTS / total);
    const counts = weights.map((w) => Math.max(1, Math.round(w * POINTS_PER_WEIGHT * scale)));
    let size = 0;
    for (const c of counts) size += c;
    // One float per point: hash * 2^16 + endpoint index sorts by hash and carries the owner (fits 53 bits up to 65,536 endpoints).
    const packed = new Float64Array(size);
    let at = 0;
    ids.forEach((id, e) => {
      const base = hashKey(id);
      for (let k = 0; k < counts[e]; k++) packed[at++] = mix((base + Math.imul(k + 1, 0x9e3779b9)) | 0) * 65_536 + e;
    });
    packed.sort();
    this.points = new Uint32Array(size);
    this.owners = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      this.owners[i] = packed[i] % 65_536;
      this.points[i] = (packed[i] - this.owners[i]) / 65_536;
    }
  }

  /** The index of the first endpoint clockwise from `hash` that `usable` marks and that is not `avoid`; -1 if none is. */
  lookup(hash: number, usable: Uint8Array, avoid: number): number {
    const points = this.points;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    const n = points.length;
    for (let step = 0; step < n; step++) {
      const owner = this.owners[(lo + step) % n];
      if (usable[owner] === 1 && owner !== avoid) return owner;
    }
    return -1;
  }
}
