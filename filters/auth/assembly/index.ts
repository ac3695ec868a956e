// The auth filter: JWT bearer tokens and API keys, checked per path prefix and method; 401/403 with a JSON reason.
import {
  Action, Context, Counter, HeaderPair, HttpCallResponse, HttpContext, JsonKind, JsonValue, RootContext, Status,
  currentTimeMilliseconds, describeFilter, logInfo, logWarn, parseJson, requestHeaders, resumeHttpRequest, setRootContext, enterStream,
} from "../../../sdk/assembly/index";
import { claimHeader } from "../../shared/assembly/claims";
import { readConfig, rejectConfig } from "../../shared/assembly/config";
import { CounterFamily, label } from "../../shared/assembly/metricFamily";
import { sendJsonError } from "../../shared/assembly/reply";
import { pathOnly, queryParameter, requestMethod, requestPath, withoutQueryParameter } from "../../shared/assembly/request";
import { configSchema } from "./configSchema";
import { claimGrants, claimText, TokenCheck, TokenPolicy, TokenVerifier } from "./jwt";
import { KeySet } from "./keySet";
import { findRule, Rule } from "./rule";
import { sha256Hex } from "./sha256";
export * from "../../../sdk/assembly/abi/exports";

describeFilter("auth", "1.0.0", configSchema);

const allowed = new Counter("weft_filter_auth_allowed_total");
const denied = new CounterFamily("weft_filter_auth_denied_total");

// After a failed fetch, try again this soon rather than waiting a whole refresh period.
const retryMilliseconds: u64 = 5000;

class ClaimForward {
  constructor(public readonly claim: string, public readonly header: string) {}
}

class RemoteJwks {
  constructor(
    public readonly cluster: string,
    public readonly path: string,
    public readonly authority: string,
    public readonly refreshMilliseconds: u64,
    public readonly timeoutMilliseconds: u32,
    /** A token naming an unknown key triggers a refetch (key rotation), but not more often than this. */
    public readonly rotationCooldownMilliseconds: u64,
  ) {}
}

class AuthRoot extends RootContext {
  realm: string = "weft";
  verifier: TokenVerifier | null = null;
  /** Null until a remote JWKS has been fetched once. */
  keys: KeySet | null = null;
  remote: RemoteJwks | null = null;
  forwards: ClaimForward[] = [];
  stripToken: bool = false;
  apiKeyHeader: string = "";
  apiKeyQuery: string = "";
  apiKeyDigests: Set<string> | null = null;
  stripApiKey: bool = false;
  rules: Rule[] = [];
  /** Whether any rule is scoped to methods, so that the method is read only when needed. */
  rulesNeedMethod: bool = false;
  /** Streams paused until the JWKS arrives. */
  waiting: AuthStream[] = [];
  fetching: bool = false;
  lastFetchAt: u64 = 0;
  nextFetchAt: u64 = 0;

  onConfigure(configuration: string): bool {
    const config = readConfig("auth", configSchema, configuration);
    if (config === null) return false;
    this.realm = config.getString("realm", "weft");
    const jwt = config.get("jwt");
    if (jwt !== null && !this.configureJwt(jwt)) return false;
    if (jwt === null) this.verifier = null;
    const apiKeys = config.get("apiKeys");
    if (apiKeys !== null && !this.configureApiKeys(apiKeys)) return false;
    if (apiKeys === null) this.apiKeyDigests = null;
    this.rules = new Array<Rule>();
    this.rulesNeedMethod = false;
    const rules = config.get("rules");
    if (rules === null) {
      this.rules.push(Rule.fromJson(parseJson("{\"require\":\"any\"}")!));
      return true;
    }
    for (let i = 0; i < rules.items.length; i++) {
      const rule = Rule.fromJson(rules.items[i]);
      const path = "/rules/" + i.toString();
      if (rule.require == "jwt" && this.verifier === null) return rejectConfig("auth", path + "/require", "needs a jwt section");
      if (rule.require == "apiKey" && this.apiKeyDigests === null) return rejectConfig("auth", path + "/require", "needs an apiKeys section");
      this.rules.push(rule);
      this.rulesNeedMethod = this.rulesNeedMethod || rule.match.needsMethod;
    }
    return true;
  }

  private configureJwt(jwt: JsonValue): bool {
    const inline = jwt.get("jwks");
    const remote = jwt.get("remoteJwks");
    if ((inline === null) == (remote === null)) return rejectConfig("auth", "/jwt", "needs exactly one of jwks and remoteJwks");
    this.verifier = new TokenVerifier(new TokenPolicy(
      jwt.getString("issuer"), jwt.getStringArray("audiences"), jwt.getNumber("clockSkewSeconds", 60),
    ));
    this.forwards = new Array<ClaimForward>();
    const forwards = jwt.get("forwardClaims");
    if (forwards !== null) {
      for (let i = 0; i < forwards.items.length; i++) {
        const claim = forwards.items[i].getString("claim");
        this.forwards.push(new ClaimForward(claim, forwards.items[i].getString("header", claimHeader(claim)).toLowerCase()));
      }
    }
    this.stripToken = jwt.getBool("stripToken");
    this.waiting = new Array<AuthStream>();
    if (inline !== null) {
      this.remote = null;
      this.keys = KeySet.fromJson(inline);
      if (this.keys!.keys.length == 0) return rejectConfig("auth", "/jwt/jwks/keys", "holds no usable signing key");
      this.setTickPeriod(0);
      return true;
    }
    const cluster = remote!.getString("cluster");
    this.remote = new RemoteJwks(
      cluster, remote!.getString("path"), remote!.getString("authority", cluster),
      <u64>remote!.getNumber("refreshSeconds", 300) * 1000, <u32>remote!.getNumber("timeoutMs", 2000),
      <u64>remote!.getNumber("rotationCooldownSeconds", 30) * 1000,
    );
    this.keys = null;
    this.nextFetchAt = 0;
    this.setTickPeriod(1000);
    this.fetchKeys();
    return true;
  }

  private configureApiKeys(apiKeys: JsonValue): bool {
    const digests = apiKeys.getStringArray("sha256");
    const set = new Set<string>();
    for (let i = 0; i < digests.length; i++) {
      if (!isSha256Hex(digests[i])) return rejectConfig("auth", "/apiKeys/sha256/" + i.toString(), "must match pattern \"^[0-9a-f]{64}$\"");
      set.add(digests[i]);
    }
    this.apiKeyDigests = set;
    this.apiKeyQuery = apiKeys.getString("query");
    this.apiKeyHeader = apiKeys.getString("header", this.apiKeyQuery.length > 0 ? "" : "x-api-key").toLowerCase();
    this.stripApiKey = apiKeys.getBool("strip");
    return true;
  }

  onTick(): void {
    if (this.remote !== null && !this.fetching && currentTimeMilliseconds() >= this.nextFetchAt) this.fetchKeys();
  }

  /** Starts fetching the remote JWKS; false when the call could not even be sent. */
  fetchKeys(): bool {
    const remote = this.remote!;
    const now = currentTimeMilliseconds();
    this.lastFetchAt = now;
    const status = this.httpCall(remote.cluster, [
      new HeaderPair(":method", "GET"), new HeaderPair(":path", remote.path),
      new HeaderPair(":authority", remote.authority), new HeaderPair("accept", "application/json"),
    ], "", remote.timeoutMilliseconds, onJwksResponse);
    this.fetching = status == Status.Ok;
    if (!this.fetching) {
      logWarn("auth: cannot fetch the JWKS from cluster " + remote.cluster + " (status " + status.toString() + ")");
      this.nextFetchAt = now + retryMilliseconds;
    }
    return this.fetching;
  }

  /** Called with the fetched key set, or null when the fetch failed; then decides every paused stream. */
  keysFetched(keys: KeySet | null): void {
    this.fetching = false;
    const now = currentTimeMilliseconds();
    if (keys !== null) {
      this.keys = keys;
      this.verifier!.clear();
      this.nextFetchAt = now + this.remote!.refreshMilliseconds;
      logInfo("auth: loaded " + keys.keys.length.toString() + " keys from cluster " + this.remote!.cluster);
    } else {
      this.nextFetchAt = now + retryMilliseconds;
    }
    const waiting = this.waiting;
    this.waiting = new Array<AuthStream>();
    for (let i = 0; i < waiting.length; i++) {
      if (!enterStream(waiting[i].contextId)) continue;
      if (waiting[i].decide(true) == Action.Continue) resumeHttpRequest();
    }
  }

  forget(stream: AuthStream): void {
    const at = this.waiting.indexOf(stream);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  createHttpContext(contextId: u32): HttpContext {
    return new AuthStream(contextId, this);
  }
}

function onJwksResponse(origin: Context, response: HttpCallResponse): void {
  const root = changetype<AuthRoot>(origin);
  let keys: KeySet | null = null;
  if (response.failed || response.statusCode != 200) {
    logWarn("auth: JWKS fetch from cluster " + root.remote!.cluster + " failed (status " + response.statusCode.toString() + ")");
  } else {
    const document = parseJson(response.bodyString());
    if (document !== null && document.kind == JsonKind.Object) keys = KeySet.fromJson(document);
    else logWarn("auth: the JWKS from cluster " + root.remote!.cluster + " is not a JSON object");
  }
  root.keysFetched(keys);
}

function isSha256Hex(text: string): bool {
  if (text.length != 64) return false;
  for (let i = 0; i < 64; i++) {
    const code = text.charCodeAt(i);
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}

/** Whether `text` starts with "bearer " in any letter case (the scheme is case-insensitive, RFC 7235). */
function startsWithBearer(text: string): bool {
  const scheme = "bearer ";
  for (let i = 0; i < scheme.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code != scheme.charCodeAt(i)) return false;
  }
  return true;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
function bearerToken(): string | null {
  const authorization = requestHeaders.get("authorization");
  if (authorization === null || authorization.length < 8) return null;
  if (!startsWithBearer(authorization)) return null;
  const token = authorization.substring(7).trim();
  return token.length > 0 ? token : null;
}

class AuthStream extends HttpContext {
  constructor(contextId: u32, public readonly config: AuthRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    // Only this filter may say who the caller is: claim headers sent by the client are dropped.
    const forwards = this.config.forwards;
    for (let i = 0; i < forwards.length; i++) requestHeaders.remove(forwards[i].header);
    return this.decide(false);
  }

  onDelete(): void {
    this.config.forget(this);
  }

  /**
   * Applies the first matching rule. Returns Continue to let the request through, Pause after a
   * local reply or while the stream waits for the JWKS. `afterFetch` is true when called again
   * once keys arrived, so a still-unknown key is final.
   */
  decide(afterFetch: bool): Action {
    const root = this.config;
    const path = requestPath();
    const rule = findRule(root.rules, pathOnly(path), root.rulesNeedMethod ? requestMethod() : "");
    if (rule === null) return this.deny(403, "no_matching_rule", "no auth rule covers this request", false);
    if (rule.require == "anonymous") return this.allow(path, null);
    const wantsJwt = rule.require == "jwt" || (rule.require == "any" && root.verifier !== null);
    const wantsKey = rule.require == "apiKey" || (rule.require == "any" && root.apiKeyDigests !== null);
    const token = wantsJwt ? bearerToken() : null;
    if (token !== null) return this.checkToken(token, rule, path, afterFetch);
    const key = wantsKey ? this.apiKey(path) : null;
    if (key !== null) {
      if (!root.apiKeyDigests!.has(sha256Hex(key))) return this.deny(401, "invalid_api_key", "the API key is not valid", false);
      if (rule.claimNames.length > 0) return this.deny(403, "insufficient_scope", "this request needs a token with claims", false);
      return this.allow(path, null);
    }
    return this.deny(401, "missing_credentials", wantsJwt ? "a bearer token is required" : "an API key is required", wantsJwt);
  }

  private checkToken(token: string, rule: Rule, path: string, afterFetch: bool): Action {
    const root = this.config;
    if (root.keys === null) {
      return afterFetch ? this.deny(503, "jwks_unavailable", "the signing keys cannot be fetched", false) : this.waitForKeys();
    }
    const check: TokenCheck = root.verifier!.check(token, root.keys!);
    if (check.unknownKey && root.remote !== null && !afterFetch &&
        (root.fetching || currentTimeMilliseconds() - root.lastFetchAt >= root.remote!.rotationCooldownMilliseconds)) {
      return this.waitForKeys();
    }
    if (!check.valid) return this.deny(401, "invalid_token", check.problem, true);
    const claims = check.claims!;
    for (let i = 0; i < rule.claimNames.length; i++) {
      if (!claimGrants(claims.get(rule.claimNames[i]), rule.claimValues[i])) {
        return this.deny(403, "insufficient_scope", "claim " + rule.claimNames[i] + " does not grant " + rule.claimValues[i], true);
      }
    }
    return this.allow(path, claims);
  }

  private waitForKeys(): Action {
    const root = this.config;
    if (!root.fetching && !root.fetchKeys()) return this.deny(503, "jwks_unavailable", "the signing keys cannot be fetched", false);
    root.waiting.push(this);
    return Action.Pause;
  }

  /** The API key from the configured header or query parameter, or null. */
  private apiKey(path: string): string | null {
    const root = this.config;
    if (root.apiKeyHeader.length > 0) {
      const value = requestHeaders.get(root.apiKeyHeader);
      if (value !== null && value.length > 0) return value;
    }
    if (root.apiKeyQuery.length > 0) {
      const value = queryParameter(path, root.apiKeyQuery);
      if (value !== null && value.length > 0) return value;
    }
    return null;
  }

  private allow(path: string, claims: JsonValue | null): Action {
    const root = this.config;
    if (claims !== null) {
      for (let i = 0; i < root.forwards.length; i++) {
        const value = claims.get(root.forwards[i].claim);
        if (value !== null) requestHeaders.set(root.forwards[i].header, claimText(value));
      }
    }
    if (root.stripToken) requestHeaders.remove("authorization");
    if (root.stripApiKey) {
      if (root.apiKeyHeader.length > 0) requestHeaders.remove(root.apiKeyHeader);
      if (root.apiKeyQuery.length > 0 && queryParameter(path, root.apiKeyQuery) !== null) {
        requestHeaders.set(":path", withoutQueryParameter(path, root.apiKeyQuery));
      }
    }
    allowed.increment();
    return Action.Continue;
  }

  private deny(status: u32, reason: string, message: string, bearerError: bool): Action {
    denied.with(label("reason", reason)).increment();
    const headers = new Array<HeaderPair>();
    if (status == 401 || (status == 403 && bearerError)) headers.push(new HeaderPair("www-authenticate", this.challenge(reason, message, bearerError)));
    sendJsonError(status, reason, message, headers);
    return Action.Pause;
  }

  /** RFC 6750 challenges: Bearer when tokens are accepted (with the error when one was presented), ApiKey when keys are. */
  private challenge(reason: string, message: string, bearerError: bool): string {
    const root = this.config;
    const realm = "realm=\"" + root.realm + "\"";
    const challenges = new Array<string>();
    if (root.verifier !== null) {
      challenges.push(bearerError && reason != "missing_credentials"
        ? "Bearer " + realm + ", error=\"" + reason + "\", error_description=\"" + message.replaceAll("\"", "'") + "\""
        : "Bearer " + realm);
    }
    if (root.apiKeyDigests !== null) challenges.push("ApiKey " + realm);
    return challenges.join(", ");
  }
}

setRootContext((contextId: u32): RootContext => new AuthRoot(contextId));
