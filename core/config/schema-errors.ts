// ajv's errors as sentences, one per problem, each naming its path: what every Weft schema (config, policy, a filter's own) reports.
import type { ErrorObject } from 'ajv';
import { closestName } from '../closest.ts';

/**
 * Whose schema it is. `weft`: the documents users write in YAML (config, policy), paths dotted (`routes[1].cluster`,
 * the root `(root)`), and descriptions of patterns and alternatives that say the form ("a duration such as 5s").
 * `filter`: a filter's own config schema, paths as JSON pointers (`/rules/0`, the root `/`) as filters report them,
 * and descriptions that say what a field is for, so the pattern itself is what the message shows.
 */
export type SchemaSource = 'weft' | 'filter';

/**
 * Checks beyond the schema also run on a document the schema refused, so that one run names every problem: they
 * read only the parts that have the shape they need (this test), and leave the rest to the schema's errors.
 */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "/routes/1/cluster" → "routes[1].cluster", the form users read in their editor. */
export function toDottedPath(pointer: string, child?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let out = '';
  for (const p of parts) out += /^[0-9]+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

function pathOf(source: SchemaSource, pointer: string, child?: string): string {
  if (source === 'weft') return toDottedPath(pointer, child);
  const escaped = child === undefined ? '' : `/${child.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return `${pointer}${escaped}` || '/';
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', integer: 'a whole number', number: 'a number', object: 'an object', array: 'a list', boolean: 'true or false', null: 'null',
};

function typePhrase(type: unknown): string | undefined {
  if (typeof type === 'string') return TYPE_NAMES[type] ?? type;
  if (Array.isArray(type)) return type.map((t) => TYPE_NAMES[t] ?? String(t)).join(' or ');
  return undefined;
}

/** The value a user wrote, short enough for one line. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length ? 'a list' : 'an empty list';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What an alternative of an anyOf/oneOf accepts, in words. */
function alternative(schema: unknown, source: SchemaSource): string {
  if (!schema || typeof schema !== 'object') return 'another form';
  const s = schema as { description?: string; type?: unknown; const?: unknown; enum?: unknown[] };
  if (s.description && source === 'weft') return s.description;
  if (s.const !== undefined) return shown(s.const);
  if (s.enum) return s.enum.map(String).join(', ');
  return typePhrase(s.type) ?? 'another form';
}

/**
 * One problem. `form` is what an if/then/else as a whole accepts (its description), for a type error in the branch
 * taken: `endpoints[0]` given 5 must be "an origin or { url, weight, zone }", not just an object.
 */
function describeOne(e: ErrorObject, source: SchemaSource, form: string | undefined): string {
  const p = e.parentSchema as { description?: string; properties?: Record<string, unknown>; propertyNames?: { description?: string } } | undefined;
  const parent = { properties: p?.properties, ...(source === 'weft' ? { description: p?.description, names: p?.propertyNames?.description } : {}) };
  const params = e.params as Record<string, unknown>;
  const at = pathOf(source, e.instancePath);
  const alternatives = () => (e.schema as unknown[]).map((a) => alternative(a, source));
  const got = e.data === undefined ? '' : ` (got ${shown(e.data)})`;
  const limit = params.limit as number;
  switch (e.keyword) {
    case 'required': return `${pathOf(source, e.instancePath, String(params.missingProperty))}: is required`;
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys(parent.properties ?? {});
      const guess = closestName(field, known);
      if (guess) return `${at}: unknown field "${field}"; did you mean "${guess}"?`;
      if (!known.length) return `${at}: unknown field "${field}" (this object takes no fields)`;
      return `${at}: unknown field "${field}" (known fields: ${known.join(', ')})`;
    }
    case 'type': return `${at}: must be ${form ?? typePhrase(params.type) ?? String(params.type)}${got}`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closestName(e.data, allowed) : undefined;
      return `${at}: must be one of ${allowed.join(', ')}${got}${guess ? `; did you mean "${guess}"?` : ''}`;
    }
    case 'const': return `${at}: must be ${typeof params.allowedValue === 'string' ? params.allowedValue : shown(params.allowedValue)}${got}`;
    case 'pattern': return `${at}: must be ${parent.description ?? `a string matching ${String(params.pattern)}`}${got}`;
    case 'minimum': return `${at}: must be at least ${limit}${got}`;
    case 'maximum': return `${at}: must be at most ${limit}${got}`;
    case 'exclusiveMinimum': return `${at}: must be more than ${limit}${got}`;
    case 'exclusiveMaximum': return `${at}: must be less than ${limit}${got}`;
    case 'multipleOf': return `${at}: must be a multiple of ${String(params.multipleOf)}${got}`;
    case 'minLength': return limit === 1 ? `${at}: must not be empty` : `${at}: must be at least ${limit} characters long${got}`;
    case 'maxLength': return `${at}: must be at most ${limit} characters long${got}`;
    case 'minItems': return limit === 1 ? `${at}: must not be empty` : `${at}: must have at least ${limit} items`;
    case 'maxItems': case 'additionalItems': return `${at}: must have at most ${limit} items`;
    case 'minProperties': return limit === 1 ? `${at}: must not be empty` : `${at}: must have at least ${limit} fields`;
    case 'maxProperties': return `${at}: must have at most ${limit} fields`;
    case 'uniqueItems': return `${at}: items ${String(params.j)} and ${String(params.i)} are the same; each may appear once`;
    case 'contains': return `${at}: must contain an item that is ${alternative(e.schema, source)}`;
    case 'dependencies':
      return `${pathOf(source, e.instancePath, String(params.property))}: needs "${String(params.missingProperty)}" beside it`;
    case 'propertyNames':
      return `${pathOf(source, e.instancePath, String(params.propertyName))}: is not ${parent.names ?? 'an allowed field name'}`;
    case 'anyOf': case 'oneOf':
      if (params.passingSchemas) return `${at}: fits more than one of the allowed forms (${alternatives().join('; ')}); it must fit exactly one`;
      return `${at}: must be ${parent.description ?? alternatives().join(' or ')}${got}`;
    case 'not': return `${at}: must not be ${alternative(e.schema, source)}${got}`;
    case 'false schema': return `${at}: is not allowed here`;
    default: return `${at}: ${e.message ?? 'is invalid'}`;
  }
}

/** Keywords whose own error says what the errors of their subschemas would say piecemeal. */
const SUMMARIZING = new Set(['anyOf', 'oneOf', 'propertyNames', 'not', 'contains']);

/**
 * One sentence per problem. Errors inside an anyOf/oneOf/propertyNames are folded into that keyword's own, and
 * an if/then/else's "must match then" is dropped (the error from the branch taken says what is wrong); `override`
 * lets a validator word a keyword for its own documents.
 */
export function describeSchemaErrors(errors: ErrorObject[], source: SchemaSource, override?: (e: ErrorObject) => string | undefined): string[] {
  const folded = errors.filter((e) => SUMMARIZING.has(e.keyword)).map((e) => `${e.schemaPath}/`);
  // An if/then/else's description, by the schema path of its branches and the value it judged.
  const forms = new Map<string, string>();
  for (const e of errors) {
    const description = (e.parentSchema as { description?: string } | undefined)?.description;
    if (e.keyword === 'if' && description && source === 'weft') forms.set(`${e.instancePath} ${e.schemaPath.replace(/\/if$/, '')}`, description);
  }
  const formOf = (e: ErrorObject) => (e.keyword === 'type' ? forms.get(`${e.instancePath} ${e.schemaPath.replace(/\/(then|else)\/type$/, '')}`) : undefined);
  return errors
    .filter((e) => e.keyword !== 'if' && !folded.some((prefix) => e.schemaPath.startsWith(prefix)))
    .map((e) => override?.(e) ?? describeOne(e, source, formOf(e)));
}
