// Authorization policy documents (`kind: AuthorizationPolicy`): their shape, JSON Schema and validation with paths.
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { describeSchemaError, toDottedPath } from '../config/validate.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { parseSpiffeId, SEGMENT_PATTERN } from '../identity/spiffe.ts';

export const POLICY_KIND = 'AuthorizationPolicy';

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

/** Every matcher list shares one syntax, so users learn one rule: exact, `prefix*`, or `*`. */
const matchList = (description: string) => ({
  type: 'array', minItems: 1, description,
  items: { type: 'string', minLength: 1 },
});

const headerValues = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] };

const policySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'service'],
  properties: {
    kind: { const: POLICY_KIND },
    service: { type: 'string', pattern: SEGMENT_PATTERN.source, description: 'a service name (letters, digits, ".", "-", "_")' },
    mode: { enum: ['enforce', 'audit'] },
    default: { enum: ['deny', 'allow'] },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'a rule name (letters, digits, ".", "-", "_")' },
          action: { enum: ['allow', 'deny'] },
          from: {
            type: 'object', additionalProperties: false,
            properties: { principals: matchList('SPIFFE IDs'), namespaces: matchList('namespaces') },
          },
          to: {
            type: 'object', additionalProperties: false,
            properties: {
              paths: matchList('paths'),
              methods: matchList('methods'),
              headers: {
                type: 'object',
                propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" },
                additionalProperties: headerValues,
              },
            },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const validateSchema = ajv.compile(policySchema);

function describe(e: ErrorObject): string {
  const common = describeSchemaError(e);
  if (common !== undefined) return common;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'const': return `${toDottedPath(e.instancePath)}: must be ${String(p.allowedValue)}`;
    case 'propertyNames': return `${toDottedPath(e.instancePath, String(p.propertyName))}: is not a header name`;
    case 'minItems': return `${toDottedPath(e.instancePath)}: must not be empty (leave the field out to match anything)`;
    case 'pattern': {
      const d = (e.parentSchema as { description?: string } | undefined)?.description;
      return `${toDottedPath(e.instancePath)}: must be ${d ?? `like ${String(p.pattern)}`}`;
    }
    default: return `${toDottedPath(e.instancePath)}: ${e.message ?? 'is invalid'}`;
  }
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
}

/** The problems of a policy document beyond its schema, each `path: reason`. */
function ruleProblems(rules: PolicyRule[], trustDomain: string | undefined): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (r.name === 'default') problems.push(`${at}.name: "default" names the policy's default, pick another name`);
    else if (names.has(r.name)) problems.push(`${at}.name: duplicate rule "${r.name}"`);
    names.add(r.name);
    if (r.from && !r.from.principals && !r.from.namespaces) problems.push(`${at}.from: give principals or namespaces (or leave from out to match every caller)`);
    if (r.to && !r.to.paths && !r.to.methods && !r.to.headers) problems.push(`${at}.to: give paths, methods or headers (or leave to out to match every request)`);
    const each = (list: string[] | undefined, field: string, check: (v: string) => string | undefined) => list?.forEach((v, j) => {
      const problem = starProblem(v) ?? check(v);
      if (problem) problems.push(`${at}.${field}[${j}]: ${problem}`);
    });
    each(r.from?.principals, 'from.principals', (v) => principalProblem(v, trustDomain));
    each(r.from?.namespaces, 'from.namespaces', (v) => (v === '*' || SEGMENT_PATTERN.test(v.replace(/\*$/, '')) ? undefined : `"${v}" is not a namespace`));
    each(r.to?.paths, 'to.paths', pathProblem);
    each(r.to?.methods, 'to.methods', (v) => (/^(?:[A-Za-z]+|\*)$/.test(v) ? undefined : `"${v}" is not an HTTP method`));
    for (const [name, values] of Object.entries(r.to?.headers ?? {})) {
      const list = typeof values === 'string' ? [values] : values;
      each(list, `to.headers.${name}`, () => undefined);
    }
  });
  return problems;
}

function invalid(source: string, problems: string[]): WeftError {
  return new WeftError(ErrorCodes.CONFIG_INVALID, `invalid policy ${source}:\n  ${problems.join('\n  ')}`, 2);
}

/**
 * Validates a policy document and returns it with every default filled in (mode enforce, default deny, action allow),
 * methods upper-cased and header names lower-cased; throws CONFIG_INVALID naming each bad path.
 */
export function validatePolicy(doc: unknown, source = 'policy', options: PolicyOptions = {}): AuthorizationPolicy {
  if (!validateSchema(doc)) throw invalid(source, (validateSchema.errors ?? []).map(describe));
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
  const problems = ruleProblems(rules, options.trustDomain);
  if (problems.length) throw invalid(source, problems);
  return { kind: POLICY_KIND, service: d.service, mode: d.mode ?? 'enforce', default: d.default ?? 'deny', rules };
}

/** The JSON Schema of a policy document (for editors and docs). */
export const authorizationPolicySchema = policySchema;
