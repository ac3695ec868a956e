// Authorization policy documents (`kind: AuthorizationPolicy`): their shape and validation with paths (the schema, policy-schema.ts, checked by its generated validator).
import type { ErrorObject } from 'ajv';
import { describeSchemaErrors, isObject, toDottedPath } from '../config/schema-errors.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { parseSpiffeId, SEGMENT_PATTERN } from '../identity/spiffe.ts';
import { POLICY_KIND } from './policy-schema.ts';
import { validatePolicySchema } from './policy-validator.generated.js';

/** Who may call: every field given must match (AND); within a list, any entry. */
export interface PolicySource {
  /** SPIFFE IDs; `spiffe://td/ns/prod/*` matches by prefix, `*` any authenticated caller. */
  principals?: string[];
  /** Namespaces of the caller's SPIFFE ID (`*` suffix and `*` work as for principals). */
  namespaces?: string[];
}

/** What is called: every field given must match (AND); within a list, any entry. */
export interface PolicyTarget {
  /** Request paths without the query, normalized; `/api/*` matches by prefix. */
  paths?: string[];
  methods?: string[];
  /** Header name → accepted values (any of them, for any occurrence of the header); `*` alone: present with any value. */
  headers?: Record<string, string | string[]>;
}

export interface PolicyRule {
  /** Shows in metrics (`rule` label), the 403 and the audit log. */
  name: string;
  action: 'allow' | 'deny';
  from?: PolicySource;
  to?: PolicyTarget;
}

/** One per service; a validated policy has every default filled in (what the snapshot carries). */
export interface AuthorizationPolicy {
  kind: typeof POLICY_KIND;
  /** The service whose inbound side enforces it (the `sa` of its SPIFFE ID). */
  service: string;
  mode: 'enforce' | 'audit';
  /** What happens to a request no rule matches. */
  default: 'deny' | 'allow';
  rules: PolicyRule[];
}

/** One policy-specific wording: an empty matcher list is a mistake whose fix is to leave the field out. */
function emptyList(e: ErrorObject): string | undefined {
  return e.keyword === 'minItems' ? `${toDottedPath(e.instancePath)}: must not be empty (leave the field out to match anything)` : undefined;
}

/** A `*` anywhere but at the end would silently be a literal, which nobody means. */
function starProblem(value: string): string | undefined {
  const star = value.indexOf('*');
  return star >= 0 && star !== value.length - 1 ? 'a * may only end a value (prefix match) or stand alone (any)' : undefined;
}

function principalProblem(value: string, trustDomain: string | undefined): string | undefined {
  if (value === '*') return undefined;
  if (value.endsWith('*')) return value.startsWith('spiffe://') ? undefined : `"${value}" must start with spiffe:// (a prefix of SPIFFE IDs)`;
  const id = parseSpiffeId(value);
  if (!id) return `"${value}" is not a workload SPIFFE ID (spiffe://TRUST-DOMAIN/ns/NAMESPACE/sa/SERVICE)`;
  // A principal of another trust domain can never present a certificate this mesh trusts: almost surely a typo.
  if (trustDomain !== undefined && id.trustDomain !== trustDomain) return `trust domain "${id.trustDomain}" is not this mesh's ("${trustDomain}")`;
  return undefined;
}

function pathProblem(value: string): string | undefined {
  if (value === '*') return undefined;
  const path = value.endsWith('*') ? value.slice(0, -1) : value;
  if (!path.startsWith('/')) return `"${value}" must start with /`;
  if (/[?#]/.test(path)) return `"${value}" must not hold a query or fragment (policies match the path alone)`;
  // Requests are matched in normalized, decoded form; a policy path that is not in that form could never match.
  if (path.includes('%') || path.includes('\\') || path.includes('//') || /\/\.\.?(\/|$)/.test(path)) {
    return `"${value}" must be a normalized path (no %-escapes, "//", "." or ".." segments): requests are matched decoded and normalized`;
  }
  return undefined;
}

export interface PolicyOptions {
  /** When given, exact principals must belong to it (the plane passes its CA's). */
  trustDomain?: string;
  /** The service speaks TCP: a rule may say who calls (`from`) but not what is called (`to`: HTTP fields). */
  tcp?: boolean;
}

/** The problems of a policy document beyond its schema, each `path: reason` (looked for even when the schema failed). */
function ruleProblems(rules: unknown, trustDomain: string | undefined, tcp: boolean): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  (Array.isArray(rules) ? rules : []).forEach((r: unknown, i) => {
    if (!isObject(r)) return;
    const at = `rules[${i}]`;
    if (r.name === 'default') problems.push(`${at}.name: "default" names the policy's default, pick another name`);
    else if (typeof r.name === 'string' && names.has(r.name)) problems.push(`${at}.name: duplicate rule "${r.name}"`);
    if (typeof r.name === 'string') names.add(r.name);
    const from = isObject(r.from) ? r.from : undefined;
    const to = isObject(r.to) ? r.to : undefined;
    if (from && !from.principals && !from.namespaces) problems.push(`${at}.from: give principals or namespaces (or leave from out to match every caller)`);
    if (to && tcp) problems.push(`${at}.to: the service is TCP (protocol: tcp), whose connections have no paths, methods or headers; only from (principals, namespaces) applies`);
    else if (to && !to.paths && !to.methods && !to.headers) problems.push(`${at}.to: give paths, methods or headers (or leave to out to match every request)`);
    const each = (list: unknown, field: string, check: (v: string) => string | undefined) => (Array.isArray(list) ? list : []).forEach((v: unknown, j) => {
      if (typeof v !== 'string') return;
      const problem = starProblem(v) ?? check(v);
      if (problem) problems.push(`${at}.${field}[${j}]: ${problem}`);
    });
    each(from?.principals, 'from.principals', (v) => principalProblem(v, trustDomain));
    each(from?.namespaces, 'from.namespaces', (v) => (v === '*' || SEGMENT_PATTERN.test(v.replace(/\*$/, '')) ? undefined : `"${v}" is not a namespace`));
    each(to?.paths, 'to.paths', pathProblem);
    each(to?.methods, 'to.methods', (v) => (/^(?:[A-Za-z]+|\*)$/.test(v) ? undefined : `"${v}" is not an HTTP method`));
    for (const [name, values] of Object.entries(isObject(to?.headers) ? to.headers : {})) {
      each(typeof values === 'string' ? [values] : values, `to.headers.${name}`, () => undefined);
    }
  });
  return problems;
}

function invalid(source: string, problems: string[]): WeftError {
  return new WeftError(ErrorCodes.CONFIG_INVALID, `invalid policy ${source}: ${problems.join('; ')}`, 2);
}

/**
 * Validates a policy document and returns it with every default filled in (mode enforce, default deny, action allow),
 * methods upper-cased and header names lower-cased; throws CONFIG_INVALID naming each bad path.
 */
export function validatePolicy(doc: unknown, source = 'policy', options: PolicyOptions = {}): AuthorizationPolicy {
  const problems = validatePolicySchema(doc) ? [] : describeSchemaErrors(validatePolicySchema.errors ?? [], 'weft', emptyList);
  problems.push(...ruleProblems(isObject(doc) ? doc.rules : undefined, options.trustDomain, options.tcp === true));
  if (problems.length) throw invalid(source, problems);
  const d = doc as Omit<AuthorizationPolicy, 'rules' | 'mode' | 'default'> & Partial<AuthorizationPolicy> & { rules?: (Omit<PolicyRule, 'action'> & { action?: PolicyRule['action'] })[] };
  const rules: PolicyRule[] = (d.rules ?? []).map((r) => {
    const rule: PolicyRule = { name: r.name, action: r.action ?? 'allow' };
    if (r.from) rule.from = { ...r.from };
    if (r.to) {
      const to: PolicyTarget = { ...r.to };
      if (r.to.methods) to.methods = r.to.methods.map((m) => m.toUpperCase());
      if (r.to.headers) to.headers = Object.fromEntries(Object.entries(r.to.headers).map(([k, v]) => [k.toLowerCase(), v]));
      rule.to = to;
    }
    return rule;
  });
  return { kind: POLICY_KIND, service: d.service, mode: d.mode ?? 'enforce', default: d.default ?? 'deny', rules };
}
