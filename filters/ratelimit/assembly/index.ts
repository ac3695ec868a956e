// The ratelimit filter: token buckets shared by all workers, keyed by client, calling workload, header, JWT claim or route; 429 with the IETF RateLimit fields.
import {
  Action, HeaderPair, HttpContext, JsonValue, RootContext, currentTimeMilliseconds, describeFilter, getPropertyString,
  logInfo, requestHeaders, responseHeaders, setRootContext,
} from "../../../sdk/assembly/index";
import { claimHeader } from "../../shared/assembly/claims";
import { readConfig, rejectConfig } from "../../shared/assembly/config";
import { CounterFamily, label } from "../../shared/assembly/metricFamily";
import { PrefixMatch } from "../../shared/assembly/prefixMatch";
import { sendJsonError } from "../../shared/assembly/reply";
import { callerPrincipal, clientAddress, pathOnly, requestMethod, requestPath, routeProperty } from "../../shared/assembly/request";
import { BucketPolicy, Take } from "./bucket";
import { configSchema } from "./configSchema";
export * from "../../../sdk/assembly/abi/exports";

describeFilter("ratelimit", "1.0.0", configSchema);

const rejected = new CounterFamily("weft_filter_ratelimit_rejected_total");
const dryRunRejected = new CounterFamily("weft_filter_ratelimit_dry_run_rejected_total");

/**
 * The bucket of callers without a verified identity under key source `principal`. They share one
 * bucket rather than escape the limit, so a permissive listener's plain-text callers cannot
 * bypass it; a SPIFFE ID always has a scheme, so no principal can be this key.
 */
const anonymousPrincipal = "anonymous";

/** What a limit's buckets are keyed by (`key.source`), resolved at configure time so a request compares no strings. */
enum KeySource { ClientAddress, Principal, Header, Route, Global }

function keySourceOf(source: string): KeySource {
  if (source == "clientAddress") return KeySource.ClientAddress;
  if (source == "principal") return KeySource.Principal;
  if (source == "route") return KeySource.Route;
  if (source == "global") return KeySource.Global;
  // A claim is read from the header auth forwards it in (keyName is that header).
  return KeySource.Header;
}

// The most digits an i64 takes in decimal, its sign included.
const maxDecimalChars = 20;

class Limit {
  /** The `RateLimit-Policy` member for this limit, e.g. `"per-client";q=100;w=60`. */
  readonly policyField: string;
  /** What every bucket key of this limit starts with, and what its `RateLimit` member starts with. */
  private readonly keyPrefix: string;
  private readonly stateFieldPrefix: string;
  /** Built once so that an identity-less caller costs no concatenation per request. */
  private readonly anonymousKey: string;
  private readonly source: KeySource;
  /**
   * The last key built and the value it was built from: requests of one client (or route, or
   * caller) come in runs, and each would otherwise concatenate the same key again.
   */
  private lastValue: string = "";
  private lastKey: string;
  /** UTF-16 room for a `RateLimit` member: the prefix, written once, then a request's two numbers. */
  private readonly stateScratch: ArrayBuffer;

  constructor(
    public readonly name: string,
    public readonly bucket: BucketPolicy,
    public readonly keySource: string,
    public readonly keyName: string,
    public readonly routes: string[],
    public readonly scope: PrefixMatch,
  ) {
    this.policyField = "\"" + name + "\";q=" + bucket.fill.toString() + ";w=" + (bucket.intervalMilliseconds / 1000).toString();
    const keyPrefix = "ratelimit:" + name + ":";
    this.keyPrefix = keyPrefix;
    const stateFieldPrefix = "\"" + name + "\";r=";
    this.stateFieldPrefix = stateFieldPrefix;
    this.anonymousKey = keyPrefix + anonymousPrincipal;
    this.source = keySourceOf(keySource);
    this.lastKey = keyPrefix;
    this.stateScratch = new ArrayBuffer((stateFieldPrefix.length + 2 * maxDecimalChars + 3) << 1);
    memory.copy(changetype<usize>(this.stateScratch), changetype<usize>(stateFieldPrefix), <usize>stateFieldPrefix.length << 1);
  }

  static fromJson(config: JsonValue): Limit {
    const requests = <i64>config.getNumber("requests");
    const key = config.get("key")!;
    const source = key.getString("source");
    const name = key.getString("name");
    return new Limit(
      config.getString("name"),
      new BucketPolicy(requests, <u64>config.getNumber("perSeconds") * 1000, <i64>config.getNumber("burst", <f64>requests)),
      source,
      source == "claim" ? claimHeader(name) : name.toLowerCase(),
      config.getStringArray("routes"),
      PrefixMatch.fromJson(config),
    );
  }

  /**
   * The bucket key of this request, or null when the request lacks what the limit counts by (the
   * limit then does not apply); never null for source principal, whose identity-less callers share a bucket.
   */
  keyOf(route: string, principal: string | null): string | null {
    let value: string | null = "";
    switch (this.source) {
      case KeySource.Principal:
        if (principal === null) return this.anonymousKey;
        value = principal;
        break;
      case KeySource.ClientAddress:
        value = clientAddress();
        break;
      case KeySource.Header:
        value = requestHeaders.get(this.keyName);
        break;
      case KeySource.Route:
        value = route;
        break;
    }
    if (value === null || (value.length == 0 && this.source != KeySource.Global)) return null;
    if (value != this.lastValue) {
      this.lastKey = this.keyPrefix + value;
      this.lastValue = value;
    }
    return this.lastKey;
  }

  /**
   * The `RateLimit` member after a take, e.g. `"per-client";r=99;t=60`: remaining quota and seconds
   * until it grows. Made on every request, so its numbers are written after the prefix already in
   * place and the whole taken as one string, where concatenating would make five.
   */
  stateField(take: Take): string {
    const start = changetype<usize>(this.stateScratch);
    let at = writeDecimal(start + (<usize>this.stateFieldPrefix.length << 1), take.remaining);
    store<u16>(at, 0x3B); // ;
    store<u16>(at, 0x74, 2); // t
    store<u16>(at, 0x3D, 4); // =
    at = writeDecimal(at + 6, take.resetSeconds);
    return String.UTF16.decodeUnsafe(start, at - start);
  }
}

/** Writes `value` in decimal as UTF-16 at `at` (room for `maxDecimalChars`); returns where it ends. */
function writeDecimal(at: usize, value: i64): usize {
  // As u64, the negation of i64's minimum is its magnitude.
  let magnitude = <u64>value;
  if (value < 0) {
    store<u16>(at, 0x2D); // -
    at += 2;
    magnitude = <u64>(-value);
  }
  let digits: usize = 1;
  for (let rest = magnitude / 10; rest != 0; rest /= 10) digits++;
  const end = at + (digits << 1);
  let cursor = end;
  do {
    cursor -= 2;
    store<u16>(cursor, <u16>(0x30 + magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  return end;
}

class LimitRoot extends RootContext {
  limits: Limit[] = [];
  dryRun: bool = false;
  responseHeaders: bool = true;
  /** Whether any limit is scoped to routes, so that the route property is read only when needed. */
  needsRoute: bool = false;
  /** Whether any limit is scoped to methods, so that the method is read only when needed. */
  needsMethod: bool = false;
  /** Whether any limit is keyed by the caller's identity, so that `source.principal` is read only when needed. */
  needsPrincipal: bool = false;

  onConfigure(configuration: string): bool {
    const config = readConfig("ratelimit", configSchema, configuration);
    if (config === null) return false;
    const limits = config.get("limits")!;
    const parsed = new Array<Limit>();
    const names = new Set<string>();
    let needsRoute = false;
    let needsMethod = false;
    let needsPrincipal = false;
    for (let i = 0; i < limits.items.length; i++) {
      const limit = Limit.fromJson(limits.items[i]);
      const path = "/limits/" + i.toString();
      if (names.has(limit.name)) return rejectConfig("ratelimit", path + "/name", "repeats the name of an earlier limit");
      if ((limit.keySource == "header" || limit.keySource == "claim") && limit.keyName.length == 0) {
        return rejectConfig("ratelimit", path + "/key", "needs a name for source " + limit.keySource);
      }
      // The identity is the certificate's whole SPIFFE ID; a name would suggest picking a part of it, which this does not do.
      if (limit.keySource == "principal" && limit.keyName.length > 0) {
        return rejectConfig("ratelimit", path + "/key/name", "is not used by source principal (the bucket is per SPIFFE ID)");
      }
      if (limit.bucket.burst < limit.bucket.fill) return rejectConfig("ratelimit", path + "/burst", "must be >= requests");
      names.add(limit.name);
      needsRoute = needsRoute || limit.routes.length > 0 || limit.keySource == "route";
      needsMethod = needsMethod || limit.scope.needsMethod;
      needsPrincipal = needsPrincipal || limit.keySource == "principal";
      parsed.push(limit);
    }
    this.limits = parsed;
    this.needsRoute = needsRoute;
    this.needsMethod = needsMethod;
    this.needsPrincipal = needsPrincipal;
    this.dryRun = config.getBool("dryRun");
    this.responseHeaders = config.getBool("responseHeaders", true);
    return true;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new LimitStream(contextId, this);
  }
}

class LimitStream extends HttpContext {
  /** The RateLimit-Policy and RateLimit values: the fields of the limits this request was counted against, comma-joined. */
  policies: string = "";
  states: string = "";

  constructor(contextId: u32, public readonly config: LimitRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    const root = this.config;
    let route = "";
    if (root.needsRoute) {
      const property = getPropertyString(routeProperty);
      if (property !== null) route = property;
    }
    const principal = root.needsPrincipal ? callerPrincipal() : null;
    const path = pathOnly(requestPath());
    let method = root.needsMethod ? requestMethod() : "";
    const now = currentTimeMilliseconds();
    for (let i = 0; i < root.limits.length; i++) {
      const limit = root.limits[i];
      if (limit.routes.length > 0 && !limit.routes.includes(route)) continue;
      if (!limit.scope.matches(path, method)) continue;
      const key = limit.keyOf(route, principal);
      if (key === null) continue;
      const take = limit.bucket.take(key, now);
      // The fields are only ever sent on a response, when responseHeaders is on, or in a 429.
      if (root.responseHeaders) {
        this.policies = joinField(this.policies, limit.policyField);
        this.states = joinField(this.states, limit.stateField(take));
      }
      if (take.allowed) continue;
      if (root.dryRun) {
        dryRunRejected.with(label("limit", limit.name)).increment();
        if (method.length == 0) method = requestMethod();
        logInfo("ratelimit: dry run: would reject " + method + " " + path + " (limit " + limit.name + ", key " + key + ")");
        continue;
      }
      rejected.with(label("limit", limit.name)).increment();
      sendJsonError(429, "rate_limited", "limit " + limit.name + " allows " + limit.bucket.fill.toString() + " requests per " +
        (limit.bucket.intervalMilliseconds / 1000).toString() + " s", [
        new HeaderPair("retry-after", max<i64>(take.resetSeconds, 1).toString()),
        new HeaderPair("ratelimit-policy", limit.policyField),
        new HeaderPair("ratelimit", limit.stateField(take)),
      ]);
      return Action.Pause;
    }
    return Action.Continue;
  }

  onResponseHeaders(_headerCount: u32, _endOfStream: bool): Action {
    if (this.config.responseHeaders && this.policies.length > 0 && responseHeaders.get("ratelimit") === null) {
      responseHeaders.set("ratelimit-policy", this.policies);
      responseHeaders.set("ratelimit", this.states);
    }
    return Action.Continue;
  }
}

/** `field` appended to a comma-separated header value; one limit, the usual case, needs no concatenation. */
function joinField(value: string, field: string): string {
  return value.length == 0 ? field : value + ", " + field;
}

setRootContext((contextId: u32): RootContext => new LimitRoot(contextId));
