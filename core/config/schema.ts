// The JSON Schema of the proxy config file (`weft schema` prints it); ajv validates every file against it.
import { DURATION_PATTERN } from './duration.ts';

const duration = { type: 'string', pattern: DURATION_PATTERN, description: 'a duration such as 250ms, 5s, 2m' } as const;
const hostPort = { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$', description: 'HOST:PORT' } as const;

// Status conditions may be written as numbers (YAML reads 503 as one) or strings.
const filterConfig = {
  type: ['string', 'object'],
  description: 'a string reaches the filter as is, an object as JSON text',
} as const;

const failPolicy = { type: 'string', enum: ['closed', 'open', 'reload'] } as const;

const retryOn = {
  type: ['string', 'integer'],
  enum: ['connect-failure', 'reset', 'timeout', '5xx', 'gateway-error', '502', '503', '504', 502, 503, 504],
} as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://weft.dev/schema/proxy-config.json',
  title: 'Weft proxy config',
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: hostPort,
    admin: { ...hostPort, description: 'HOST:PORT of the admin server (/ready /metrics /config), or "off"' },
    workers: { type: 'integer', minimum: 1, maximum: 256 },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    accessLog: { type: 'string', minLength: 1, description: 'off | stdout | a file path' },
    drainTimeout: duration,
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxHeaderSize: { type: 'integer', minimum: 1024, maximum: 1048576, description: 'bytes of request line and headers; more gets a 431' },
        headersTimeout: { ...duration, description: 'a client must send its whole header block within this' },
        requestTimeout: { ...duration, description: 'a client must send its whole request within this' },
        keepAliveTimeout: { ...duration, description: 'an idle downstream keep-alive connection is closed after this' },
      },
    },
    filterLimits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        fuel: { type: 'integer', minimum: 1000, description: 'fuel each filter callback may spend before it traps' },
        memory: { type: 'string', pattern: '^[0-9]+(KiB|MiB|GiB)$', description: 'a size such as 64MiB: the cap on each filter instance\'s memory' },
      },
    },
    filters: {
      type: 'array',
      description: 'the filter chain, in order',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
          module: { type: 'string', minLength: 1, description: 'path to the .wasm file (relative to this file), or a built-in filter name; default: the built-in named `name`' },
          root: { type: 'string', description: 'root id the module dispatches on (default: name)' },
          vmId: { type: 'string', description: 'filters with the same vmId and module share one instance (default: name)' },
          config: filterConfig,
          fail: failPolicy,
        },
      },
    },
    clusters: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'endpoints'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
          endpoints: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^http://[^/\\s]+/?$' } },
          lb: { type: 'string', enum: ['round_robin', 'least_request', 'random'] },
          connectTimeout: duration,
          maxConnectionsPerEndpoint: { type: 'integer', minimum: 1 },
        },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cluster'],
        properties: {
          name: { type: 'string' },
          match: {
            type: 'object',
            additionalProperties: false,
            properties: {
              prefix: { type: 'string', pattern: '^/' },
              path: { type: 'string', pattern: '^/' },
              method: { type: 'string', pattern: '^[A-Z]+$' },
              headers: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
          cluster: { type: 'string' },
          filters: {
            type: 'object',
            description: 'per-filter overrides on this route, by filter name',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              properties: { disabled: { type: 'boolean' }, config: filterConfig },
            },
          },
          timeout: duration,
          retries: {
            type: 'object',
            additionalProperties: false,
            properties: {
              attempts: { type: 'integer', minimum: 0, maximum: 10 },
              on: { type: 'array', items: retryOn },
              perTryTimeout: duration,
              nonIdempotent: { type: 'boolean', description: 'also retry POST, PATCH and other non-idempotent methods' },
            },
          },
        },
      },
    },
  },
} as const;
