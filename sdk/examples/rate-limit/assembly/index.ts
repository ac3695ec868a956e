// Example filter: a token bucket per client in shared data, updated with compare-and-swap across workers.
import {
  Action, Counter, HeaderPair, HttpContext, RootContext, Status, currentTimeMilliseconds, describeFilter,
  getSharedData, parseJson, requestHeaders, sendLocalResponse, setRootContext, setSharedData,
} from "../../../assembly/index";
export * from "../../../assembly/abi/exports";

describeFilter("rate-limit", "1.0.0", `{
  "type": "object",
  "properties": {
    "requestsPerSecond": { "type": "number", "exclusiveMinimum": 0 },
    "burst": { "type": "integer", "minimum": 1 },
    "keyHeader": { "type": "string", "description": "request header naming the client; absent = one bucket for all" }
  },
  "required": ["requestsPerSecond", "burst"],
  "additionalProperties": false
}`);

const limited = new Counter("rate_limit_limited_total");

// Another worker may update the same bucket between our read and write; a few retries always settle it.
const maxAttempts = 8;

class LimitRoot extends RootContext {
  requestsPerSecond: f64 = 1;
  burst: f64 = 1;
  keyHeader: string = "";

  onConfigure(configuration: string): bool {
    const config = parseJson(configuration);
    if (config === null) return false;
    this.requestsPerSecond = config.getNumber("requestsPerSecond", 0);
    this.burst = config.getNumber("burst", 0);
    this.keyHeader = config.getString("keyHeader");
    return this.requestsPerSecond > 0 && this.burst >= 1;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new RateLimit(contextId, this);
  }

  /** Takes one token from the client's bucket; false when it is empty. */
  take(client: string, now: u64): bool {
    const key = "rate-limit:" + client;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      let tokens = this.burst;
      let cas: u32 = 0;
      const stored = getSharedData(key);
      // The bucket is 16 bytes: tokens left (f64) and the time they were counted (u64 ms).
      if (stored !== null && stored.value.byteLength == 16) {
        const at = changetype<usize>(stored.value);
        const elapsed = <f64>(now - load<u64>(at, 8)) / 1000;
        tokens = Math.min(this.burst, load<f64>(at) + elapsed * this.requestsPerSecond);
        cas = stored.cas;
      }
      if (tokens < 1) return false;
      const bucket = new ArrayBuffer(16);
      store<f64>(changetype<usize>(bucket), tokens - 1);
      store<u64>(changetype<usize>(bucket), now, 8);
      if (setSharedData(key, bucket, cas) != Status.CasMismatch) return true;
    }
    // Contention this heavy means the bucket is hot anyway: refusing is the safe answer.
    return false;
  }
}

class RateLimit extends HttpContext {
  constructor(contextId: u32, public readonly config: LimitRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    let client = "*";
    if (this.config.keyHeader.length > 0) {
      const value = requestHeaders.get(this.config.keyHeader);
      if (value !== null) client = value;
    }
    if (this.config.take(client, currentTimeMilliseconds())) return Action.Continue;
    limited.increment();
    const retryAfter = <i32>Math.ceil(1 / this.config.requestsPerSecond);
    sendLocalResponse(429, "too many requests\n", [new HeaderPair("retry-after", retryAfter.toString())], "rate_limited");
    return Action.Pause;
  }
}

setRootContext((contextId: u32): RootContext => new LimitRoot(contextId));
