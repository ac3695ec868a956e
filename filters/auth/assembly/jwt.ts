// JSON Web Tokens (RFC 7519): decoding, signature and claim checks, and a cache of tokens whose signature was verified.
import { JsonKind, JsonValue, currentTimeMilliseconds, parseJson } from "../../../sdk/assembly/index";
import { base64Decode, base64DecodeString } from "./base64";
import { KeySet, SignatureCheck } from "./keySet";

/** What the issuer and audience of a token must be, and how much clock drift to forgive. */
export class TokenPolicy {
  constructor(
    public readonly issuer: string,
    public readonly audiences: string[],
    public readonly clockSkewSeconds: f64,
  ) {}
}

/** The outcome of checking a token: its claims when valid, else why not (for `error_description`). */
export class TokenCheck {
  constructor(public readonly claims: JsonValue | null, public readonly problem: string, public readonly unknownKey: bool = false) {}

  get valid(): bool {
    return this.claims !== null;
  }
}

function invalid(problem: string): TokenCheck {
  return new TokenCheck(null, problem);
}

// Tokens are reused for their whole lifetime, and an RSA check costs far more than a map lookup.
const cacheCapacity = 1024;

/**
 * A token whose signature verified, with its claims digested once against the verifier's policy:
 * only the time window (`exp`, `nbf`) is checked again on each use, as Envoy's jwt_authn does.
 */
class VerifiedToken {
  /** When it expires and when it becomes valid, in seconds; an absent claim is an open bound, a non-numeric one a closed one. */
  readonly expiresAt: f64;
  readonly notBefore: f64;
  /** Whether checking needs the clock at all: a token without `exp` and `nbf` does not. */
  readonly timed: bool;
  /** Why `iss` or `aud` do not fit the policy, "" when they do. */
  readonly policyProblem: string;
  /** The answer for every use that passes: one object, not one per request. */
  readonly accepted: TokenCheck;

  constructor(claims: JsonValue, policy: TokenPolicy) {
    const exp = claims.get("exp");
    const nbf = claims.get("nbf");
    this.expiresAt = exp === null ? Infinity : exp.kind == JsonKind.Number ? exp.numberValue : -Infinity;
    this.notBefore = nbf === null ? -Infinity : nbf.kind == JsonKind.Number ? nbf.numberValue : Infinity;
    this.timed = exp !== null || nbf !== null;
    let problem = "";
    if (policy.issuer.length > 0 && claims.getString("iss") != policy.issuer) problem = "wrong issuer";
    else if (policy.audiences.length > 0 && !hasAudience(claims.get("aud"), policy.audiences)) problem = "wrong audience";
    this.policyProblem = problem;
    this.accepted = new TokenCheck(claims, "");
  }
}

/** Checks JWTs against a key set, caching those whose signature verified. */
export class TokenVerifier {
  private verified: Map<string, VerifiedToken> = new Map<string, VerifiedToken>();

  constructor(public readonly policy: TokenPolicy) {}

  /** Forgets verified signatures: the keys changed. */
  clear(): void {
    this.verified.clear();
  }

  /** Checks signature (with `keys`), then `exp` and `nbf` against the host's clock, then `iss` and `aud`. */
  check(token: string, keys: KeySet): TokenCheck {
    let verified: VerifiedToken;
    if (this.verified.has(token)) {
      verified = this.verified.get(token);
    } else {
      const decoded = this.verifySignature(token, keys);
      if (!decoded.valid) return decoded;
      verified = new VerifiedToken(decoded.claims!, this.policy);
      if (this.verified.size >= cacheCapacity) this.verified.clear();
      this.verified.set(token, verified);
    }
    return this.checkClaims(verified);
  }

  private verifySignature(token: string, keys: KeySet): TokenCheck {
    const firstDot = token.indexOf(".");
    const secondDot = firstDot < 0 ? -1 : token.indexOf(".", firstDot + 1);
    if (secondDot < 0 || token.indexOf(".", secondDot + 1) >= 0) return invalid("malformed token");
    const headerText = base64DecodeString(token.substring(0, firstDot));
    const payloadText = base64DecodeString(token.substring(firstDot + 1, secondDot));
    const signature = base64Decode(token.substring(secondDot + 1));
    if (headerText === null || payloadText === null || signature === null) return invalid("malformed token");
    const header = parseJson(headerText);
    const claims = parseJson(payloadText);
    if (header === null || header.kind != JsonKind.Object || claims === null || claims.kind != JsonKind.Object) {
      return invalid("malformed token");
    }
    const alg = header.getString("alg");
    // "none" and unknown algorithms find no key; an unsigned token is never accepted.
    const result = keys.verify(alg, header.getString("kid"), token.substring(0, secondDot), signature);
    if (result == SignatureCheck.NoKey) return new TokenCheck(null, "no key for this token", true);
    if (result == SignatureCheck.Invalid) return invalid("bad signature");
    return new TokenCheck(claims, "");
  }

  private checkClaims(token: VerifiedToken): TokenCheck {
    if (token.timed) {
      const skew = this.policy.clockSkewSeconds;
      const now = <f64>currentTimeMilliseconds() / 1000;
      if (now > token.expiresAt + skew) return invalid("token expired");
      if (now + skew < token.notBefore) return invalid("token not yet valid");
    }
    if (token.policyProblem.length > 0) return invalid(token.policyProblem);
    return token.accepted;
  }
}

/** `aud` is one string or an array of them (RFC 7519 §4.1.3); one match is enough. */
function hasAudience(aud: JsonValue | null, audiences: string[]): bool {
  if (aud === null) return false;
  if (aud.kind == JsonKind.String) return audiences.includes(aud.stringValue);
  if (aud.kind != JsonKind.Array) return false;
  for (let i = 0; i < aud.items.length; i++) {
    if (aud.items[i].kind == JsonKind.String && audiences.includes(aud.items[i].stringValue)) return true;
  }
  return false;
}

/** A claim as header text: strings as they are, arrays of strings comma-joined, anything else as JSON. */
export function claimText(value: JsonValue): string {
  if (value.kind == JsonKind.String) return value.stringValue;
  if (value.kind == JsonKind.Array) {
    const parts = new Array<string>();
    for (let i = 0; i < value.items.length; i++) {
      const item = value.items[i];
      parts.push(item.kind == JsonKind.String ? item.stringValue : item.toString());
    }
    return parts.join(",");
  }
  return value.toString();
}

/** Whether a claim grants `wanted`: equal to it, one of a space-separated list (`scope`), or an element of an array. */
export function claimGrants(value: JsonValue | null, wanted: string): bool {
  if (value === null) return false;
  if (value.kind == JsonKind.String) return value.stringValue == wanted || value.stringValue.split(" ").includes(wanted);
  if (value.kind == JsonKind.Array) {
    for (let i = 0; i < value.items.length; i++) if (claimText(value.items[i]) == wanted) return true;
    return false;
  }
  return value.toString() == wanted;
}
