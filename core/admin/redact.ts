// What /config shows of a filter's configuration: the value of every secret-named field, at any depth, replaced by "[redacted]".
import type { FilterOverride } from '../config/settings.ts';

export const REDACTED = '[redacted]';

/**
 * Field names whose values are secrets, compared lowercased with "_" and "-" removed (api_key, Api-Key, apiKey
 * alike): a JWK's private members (k, d, p, q, dp, dq, qi), and the names configs give keys, passwords and tokens.
 */
const SECRET_FIELDS = new Set([
  'k', 'd', 'p', 'q', 'dp', 'dq', 'qi',
  'key', 'privatekey', 'secret', 'clientsecret', 'password', 'passwd', 'token', 'accesstoken', 'refreshtoken',
  'apikey', 'apikeys', 'authorization', 'credentials',
]);

const isSecret = (field: string) => SECRET_FIELDS.has(field.toLowerCase().replace(/[-_]/g, ''));

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([field, v]) => [field, isSecret(field) ? REDACTED : redactValue(v)]));
}

/**
 * A filter configuration (the text its on_configure reads) as /config may show it: JSON with its secret fields
 * redacted, re-serialized. Text that is not JSON has no fields to tell apart, so all of it is redacted.
 */
export function redactConfig(config: string): string {
  if (config === '') return config;
  let parsed: unknown;
  try {
    parsed = JSON.parse(config);
  } catch {
    return REDACTED;
  }
  return JSON.stringify(redactValue(parsed));
}

/** A route's per-filter overrides, their configs redacted. */
export function redactOverrides(overrides: Record<string, FilterOverride>): Record<string, FilterOverride> {
  return Object.fromEntries(Object.entries(overrides).map(([name, o]) => [name, o.config === undefined ? o : { ...o, config: redactConfig(o.config) }]));
}
