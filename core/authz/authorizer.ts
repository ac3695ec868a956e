// A policy compiled for the inbound request path: deny rules, then allow rules, then the default; no allocation per check.
import { policyPath } from './path.ts';
import type { AuthorizationPolicy, PolicyRule } from './policy.ts';

export type { AuthorizationPolicy, PolicyRule } from './policy.ts';

export interface AuthzDecision {
  allowed: boolean;
  /** 'audit': a deny that audit mode let pass. */
  decision: 'allow' | 'deny' | 'audit';
  /** The rule that decided, or 'default'. */
  rule: string;
  /** Stable code for the 403 body and logs (AUTHZ_REASONS). */
  reason: string;
}

/** Every reason a decision may carry. */
export const AUTHZ_REASONS = {
  /** An allow rule matched. */
  ALLOWED_BY_RULE: 'allowed_by_rule',
  /** No rule matched and the policy's default is allow. */
  DEFAULT_ALLOW: 'default_allow',
  /** A deny rule matched. */
  DENIED_BY_RULE: 'denied_by_rule',
  /** No allow rule matched an authenticated caller, and the default is deny. */
  NO_RULE_ALLOWS: 'no_rule_allows',
  /** As no_rule_allows, for a caller without a client certificate: the usual cause is a plaintext client. */
  UNAUTHENTICATED: 'unauthenticated',
} as const;

/** One list of values in the shared syntax (exact, `prefix*`, `*`), split so matching is a Set lookup and a few startsWith. */
class Matcher {
  readonly any: boolean;
  readonly exact: Set<string>;
  readonly exactList: string[];
  readonly prefixes: string[];

  constructor(values: readonly string[]) {
    this.any = values.includes('*');
    this.exactList = values.filter((v) => !v.endsWith('*'));
    this.exact = new Set(this.exactList);
    this.prefixes = values.filter((v) => v.endsWith('*') && v !== '*').map((v) => v.slice(0, -1));
  }

  matches(s: string): boolean {
    if (this.any || this.exact.has(s)) return true;
    for (let i = 0; i < this.prefixes.length; i++) if (s.startsWith(this.prefixes[i])) return true;
    return false;
  }

  /** Matches s[start, end) without cutting it out (a namespace inside a SPIFFE ID). */
  matchesWithin(s: string, start: number, end: number): boolean {
    if (this.any) return true;
    const len = end - start;
    for (let i = 0; i < this.exactList.length; i++) {
      const v = this.exactList[i];
      if (v.length === len && s.startsWith(v, start)) return true;
    }
    for (let i = 0; i < this.prefixes.length; i++) {
      const p = this.prefixes[i];
      if (p.length <= len && s.startsWith(p, start)) return true;
    }
    return false;
  }
}

const optional = (values: readonly string[] | undefined): Matcher | null => (values ? new Matcher(values) : null);

/** ASCII case-insensitive equality against an already lower-case name, without lower-casing the wire name. */
function sameName(wire: string, lower: string): boolean {
  if (wire.length !== lower.length) return false;
  for (let i = 0; i < wire.length; i++) {
    let c = wire.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

class CompiledRule {
  readonly principals: Matcher | null;
  readonly namespaces: Matcher | null;
  readonly paths: Matcher | null;
  readonly methods: Matcher | null;
  readonly headerNames: string[];
  readonly headerValues: Matcher[];
  /** Whether the rule says what is called (`to`): HTTP fields a TCP connection does not have. */
  readonly targeted: boolean;
  /** Decisions are built once per rule, so check() hands out the same object every time. */
  readonly decision: AuthzDecision;

  constructor(rule: PolicyRule, audit: boolean) {
    this.principals = optional(rule.from?.principals);
    this.namespaces = optional(rule.from?.namespaces);
    this.paths = optional(rule.to?.paths);
    this.methods = optional(rule.to?.methods);
    const headers = Object.entries(rule.to?.headers ?? {});
    this.headerNames = headers.map(([name]) => name.toLowerCase());
    this.headerValues = headers.map(([, v]) => new Matcher(typeof v === 'string' ? [v] : v));
    this.targeted = rule.to !== undefined;
    this.decision = Object.freeze(rule.action === 'deny'
      ? { allowed: audit, decision: audit ? 'audit' : 'deny', rule: rule.name, reason: AUTHZ_REASONS.DENIED_BY_RULE }
      : { allowed: true, decision: 'allow', rule: rule.name, reason: AUTHZ_REASONS.ALLOWED_BY_RULE });
  }

  /** The `from` half: who the caller is. */
  matchesCaller(principal: string | undefined): boolean {
    if (this.principals || this.namespaces) {
      // A `from` condition says who the caller is; a caller without a certificate is nobody.
      if (principal === undefined) return false;
      if (this.principals && !this.principals.matches(principal)) return false;
      if (this.namespaces && !namespaceMatches(this.namespaces, principal)) return false;
    }
    return true;
  }

  matches(principal: string | undefined, method: string, path: string, rawHeaders: string[]): boolean {
    if (!this.matchesCaller(principal)) return false;
    if (this.methods && !this.methods.matches(method)) return false;
    if (this.paths && !this.paths.matches(path)) return false;
    for (let h = 0; h < this.headerNames.length; h++) {
      if (!headerMatches(rawHeaders, this.headerNames[h], this.headerValues[h])) return false;
    }
    return true;
  }
}

/** spiffe://TD/ns/NS/sa/SVC: the NS part is matched where it lies. */
function namespaceMatches(m: Matcher, principal: string): boolean {
  const start = principal.indexOf('/ns/', 9);
  if (start < 0) return false;
  const end = principal.indexOf('/', start + 4);
  return m.matchesWithin(principal, start + 4, end < 0 ? principal.length : end);
}

function headerMatches(raw: string[], name: string, values: Matcher): boolean {
  for (let i = 0; i < raw.length; i += 2) if (sameName(raw[i], name) && values.matches(raw[i + 1])) return true;
  return false;
}

function frozen(d: AuthzDecision): AuthzDecision {
  return Object.freeze(d);
}

export class Authorizer {
  readonly service: string;
  readonly mode: 'enforce' | 'audit';
  readonly policy: AuthorizationPolicy;
  readonly #deny: CompiledRule[];
  readonly #allow: CompiledRule[];
  readonly #noMatch: AuthzDecision;
  readonly #noMatchAnonymous: AuthzDecision;

  private constructor(policy: AuthorizationPolicy) {
    this.policy = policy;
    this.service = policy.service;
    this.mode = policy.mode;
    const audit = policy.mode === 'audit';
    const rules = policy.rules.map((r) => ({ r, c: new CompiledRule(r, audit) }));
    this.#deny = rules.filter(({ r }) => r.action === 'deny').map(({ c }) => c);
    this.#allow = rules.filter(({ r }) => r.action === 'allow').map(({ c }) => c);
    const denied = (reason: string) => frozen({ allowed: audit, decision: audit ? 'audit' : 'deny', rule: 'default', reason });
    this.#noMatch = policy.default === 'allow'
      ? frozen({ allowed: true, decision: 'allow', rule: 'default', reason: AUTHZ_REASONS.DEFAULT_ALLOW })
      : denied(AUTHZ_REASONS.NO_RULE_ALLOWS);
    this.#noMatchAnonymous = policy.default === 'allow' ? this.#noMatch : denied(AUTHZ_REASONS.UNAUTHENTICATED);
  }

  /**
   * Compiles a policy validatePolicy returned (defaults filled in): the proxy validates on its main thread when a
   * snapshot arrives (core/proxy/plane-feed.ts), so a worker loads no schema validator.
   */
  static compile(policy: AuthorizationPolicy): Authorizer {
    return new Authorizer(policy);
  }

  /**
   * principal: the caller's SPIFFE ID from its client certificate, or undefined (plaintext in permissive mode).
   * path: the request target as received (query and all). rawHeaders: Node's flat rawHeaders list.
   * The returned objects are shared and frozen: compare them, read them, never change them.
   */
  check(principal: string | undefined, method: string, path: string, rawHeaders: string[]): AuthzDecision {
    const p = policyPath(path);
    for (let i = 0; i < this.#deny.length; i++) if (this.#deny[i].matches(principal, method, p, rawHeaders)) return this.#deny[i].decision;
    for (let i = 0; i < this.#allow.length; i++) if (this.#allow[i].matches(principal, method, p, rawHeaders)) return this.#allow[i].decision;
    return principal === undefined ? this.#noMatchAnonymous : this.#noMatch;
  }

  /**
   * A TCP connection (L4): only the caller decides. A rule's `to` cannot be known, so it is read the safe way, as
   * Istio does: a deny rule denies by its `from` alone, and an allow rule with a `to` never allows. The plane refuses
   * such rules for a TCP service at `weft apply`; this covers a service that became TCP after its policy was applied.
   */
  checkConnection(principal: string | undefined): AuthzDecision {
    for (let i = 0; i < this.#deny.length; i++) if (this.#deny[i].matchesCaller(principal)) return this.#deny[i].decision;
    for (let i = 0; i < this.#allow.length; i++) {
      const r = this.#allow[i];
      if (!r.targeted && r.matchesCaller(principal)) return r.decision;
    }
    return principal === undefined ? this.#noMatchAnonymous : this.#noMatch;
  }
}

/** The fields of the warn line a caller logs for an 'audit' decision (and may log for a 'deny'). */
export function authzLogFields(service: string, d: AuthzDecision, principal: string | undefined, method: string, path: string) {
  return { authz: d.decision, service, rule: d.rule, reason: d.reason, principal: principal ?? null, method, path };
}
