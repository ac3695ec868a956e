// Token buckets in shared data, updated with compare-and-swap so every worker of the proxy draws from the same count.
import { SharedValueBuffer, Status, getSharedData, setSharedData } from "../../../sdk/assembly/index";

// A bucket is 16 bytes: tokens left (i64) and when it was last filled (u64, ms since the epoch).
const bucketSize = 16;
// Creating a bucket is the one write that cannot be a CAS (the host has no "set if absent"), so creators take this lock.
const createLockKey = "ratelimit:create-lock";
// A lock older than this was left by a worker that died holding it.
const lockLeaseMilliseconds: u64 = 1000;
// Two workers rarely collide more than a few times; the bound only stops a pathological spin.
const maxAttempts = 1000;

/**
 * The outcome of taking a token: whether one was left, how many remain, and when the next fill
 * comes. A take runs on every request, so there is one outcome, refilled by each take: read it
 * before the next.
 */
export class Take {
  allowed: bool = false;
  remaining: i64 = 0;
  resetSeconds: i64 = 0;
}

const outcome = new Take();

function taken(allowed: bool, remaining: i64, resetSeconds: i64): Take {
  outcome.allowed = allowed;
  outcome.remaining = remaining;
  outcome.resetSeconds = resetSeconds;
  return outcome;
}

// setSharedData copies a value during the call, so one buffer of each shape serves every write;
// a bucket is read into one buffer too (the host copies it there), so a take allocates nothing.
const bucketBytes = new ArrayBuffer(bucketSize);
const lockBytes = new ArrayBuffer(8);
const stored = new SharedValueBuffer(bucketSize);

function encode(tokens: i64, filledAt: u64): ArrayBuffer {
  store<i64>(changetype<usize>(bucketBytes), tokens);
  store<u64>(changetype<usize>(bucketBytes), filledAt, 8);
  return bucketBytes;
}

function lockValue(since: u64): ArrayBuffer {
  store<u64>(changetype<usize>(lockBytes), since);
  return lockBytes;
}

/** Takes the creation lock; false when another worker holds it (the caller retries). */
function acquireCreateLock(now: u64): bool {
  const lock = getSharedData(createLockKey);
  if (lock === null) {
    setSharedData(createLockKey, lockValue(0));
    return false;
  }
  const heldSince = lock.value.byteLength == 8 ? load<u64>(changetype<usize>(lock.value)) : 0;
  if (heldSince != 0 && now - heldSince < lockLeaseMilliseconds) return false;
  return setSharedData(createLockKey, lockValue(now), lock.cas) == Status.Ok;
}

function releaseCreateLock(): void {
  setSharedData(createLockKey, lockValue(0));
}

/**
 * A bucket of `burst` tokens that gains `fill` tokens every `intervalMilliseconds` after its
 * creation (Envoy's local rate limit model): exactly `fill` requests per interval pass once it is
 * drained, whatever the clock does in between.
 */
export class BucketPolicy {
  constructor(public readonly fill: i64, public readonly intervalMilliseconds: u64, public readonly burst: i64) {}

  /** Takes one token from the bucket stored under `key`. */
  take(key: string, now: u64): Take {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (!stored.read(key) || stored.size != bucketSize) {
        // Only a lock holder creates, and only a bucket still missing under the lock, so a creation
        // never overwrites a bucket someone already drew from.
        if (acquireCreateLock(now)) {
          const current = getSharedData(key);
          if (current === null || current.value.byteLength != bucketSize) setSharedData(key, encode(this.burst, now));
          releaseCreateLock();
        }
        continue;
      }
      const at = changetype<usize>(stored.bytes);
      let tokens = load<i64>(at);
      let filledAt = load<u64>(at, 8);
      if (now >= filledAt + this.intervalMilliseconds) {
        const fills = (now - filledAt) / this.intervalMilliseconds;
        tokens = min(this.burst, tokens + <i64>fills * this.fill);
        filledAt += fills * this.intervalMilliseconds;
      }
      const untilFill = filledAt + this.intervalMilliseconds > now ? filledAt + this.intervalMilliseconds - now : 0;
      const resetSeconds = <i64>((untilFill + 999) / 1000);
      if (tokens <= 0) return taken(false, 0, resetSeconds);
      if (setSharedData(key, encode(tokens - 1, filledAt), stored.cas) == Status.Ok) return taken(true, tokens - 1, resetSeconds);
    }
    // Only reachable under a pathological spin; a limiter that cannot count must not let traffic through.
    return taken(false, 0, 1);
  }
}
