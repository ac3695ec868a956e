// The JSON Schema of the proxy config file (`weft schema` prints it); its generated validator (schema-validator.generated.js, `npm run generate:validators`) checks every file.
import { DURATION_PATTERN } from './duration.ts';

const duration = { type: 'string', pattern: DURATION_PATTERN, description: 'a duration such as 250ms, 5s, 2m' } as const;
const hostPort = { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$', description: 'HOST:PORT' } as const;

// Status conditions may be written as numbers (YAML reads 503 as one) or strings.
const filterConfig = {
  type: ['string', 'object'],
  description: 'a string reaches the filter as is, an object as JSON text',
} as const;

/** pino's levels; `--log-level` of every long-running command takes the same. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const failPolicy = { type: 'string', enum: ['closed', 'open', 'reload'] } as const;

const retryOn = {
  type: ['string', 'integer'],
  enum: ['connect-failure', 'reset', 'timeout', '5xx', 'gateway-error', 'grpc-unavailable', '502', '503', '504', 502, 503, 504],
} as const;

const origin = { type: 'string', pattern: '^https?://[^/\\s]+/?$', description: 'an origin such as http://127.0.0.1:3000 or https://api.example.com' } as const;
const pemFile = (what: string) => ({ type: 'string', minLength: 1, description: `${what}, read at load (a relative path is from this file's folder)` }) as const;

// How a cluster's https:// endpoints are dialled, beyond the defaults (SNI from the endpoint's host, the system's CAs).
const upstreamTls = {
  type: 'object',
  additionalProperties: false,
  description: 'TLS to https:// endpoints: the name sent and verified, the CAs trusted, a client certificate',
  properties: {
    sni: {
      type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$',
      // The description completes "must be …" in a pattern error; SNI and verification are README's to explain.
      description: 'a host name such as api.example.com',
    },
    caFile: pemFile('a PEM file of the CAs that vouch for the endpoints (default: the system trust store)'),
    certFile: pemFile('a PEM client certificate (chain) presented to the endpoints, with keyFile'),
    keyFile: pemFile('the PEM private key of certFile'),
    insecureSkipVerify: { type: 'boolean', description: 'true: the endpoints\' certificates are not verified (logged at warn)' },
  },
  dependencies: { certFile: ['keyFile'], keyFile: ['certFile'] },
} as const;
const count = { type: 'integer', minimum: 1 } as const;

// An endpoint is an origin, or an object when it has a weight or a zone.
const endpoint = {
  description: 'an origin such as http://127.0.0.1:3000, or { url, weight, zone }',
  if: { type: 'string' },
  then: origin,
  else: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: origin,
      weight: { type: 'integer', minimum: 1, maximum: 1000, description: 'share of traffic relative to the other endpoints (default 1)' },
      zone: { type: 'string', minLength: 1, description: 'the locality this endpoint runs in' },
    },
  },
} as const;

const clusterResilience = {
  hashOn: {
    type: 'object',
    additionalProperties: false,
    description: 'ring_hash: the request header or cookie whose value picks the endpoint',
    properties: { header: { type: 'string', minLength: 1 }, cookie: { type: 'string', minLength: 1 } },
  },
  localZone: { type: 'string', minLength: 1, description: 'prefer endpoints of this zone while any of them is available' },
  panicThreshold: { type: 'number', minimum: 0, maximum: 100, description: 'percent of available endpoints below which all are used (default 50)' },
  healthCheck: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', pattern: '^/', description: 'the path probed with GET; a 2xx answer is healthy' },
      interval: duration,
      timeout: duration,
      healthyThreshold: { ...count, description: 'passing probes in a row before an unhealthy endpoint is used again (default 2)' },
      unhealthyThreshold: { ...count, description: 'failing probes in a row before an endpoint is taken out (default 3)' },
    },
  },
  outlierDetection: {
    type: 'object',
    additionalProperties: false,
    properties: {
      consecutiveFailures: { ...count, description: '5xx answers or failed attempts in a row that eject an endpoint (default 5)' },
      baseEjectionTime: duration,
      maxEjectionTime: duration,
      maxEjectionPercent: { type: 'number', minimum: 0, maximum: 100, description: 'most of the cluster ejected at once, in percent (default 10; one endpoint always may be)' },
    },
  },
  circuitBreakers: {
    type: 'object',
    additionalProperties: false,
    description: 'limits per worker; beyond one, a request is answered 503 at once',
    properties: {
      maxConnections: { ...count, description: 'connections to the whole cluster' },
      maxPending: { ...count, description: 'requests waiting for a connection' },
      maxRequests: { ...count, description: 'requests in flight to the cluster' },
      maxRetries: { ...count, description: 'retries in flight to the cluster' },
    },
  },
  retryBudget: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ratio: { type: 'number', minimum: 0, maximum: 100, description: 'retries allowed per request over the window (default 0.2)' },
      minPerSecond: { type: 'number', minimum: 0, description: 'retries allowed each second whatever the traffic (default 10)' },
      window: duration,
    },
  },
} as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://weft.dev/schema/proxy-config.json',
  title: 'Weft proxy config',
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: hostPort,
    admin: { type: 'string', pattern: '^(off|(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5})$', description: 'HOST:PORT of the admin server (/ready /metrics /config), or off' },
    workers: { type: 'integer', minimum: 1, maximum: 256 },
    logLevel: { type: 'string', enum: LOG_LEVELS },
    accessLog: { type: 'string', minLength: 1, description: 'off | stdout | a file path' },
    drainTimeout: duration,
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['cert', 'key'],
      description: 'the listener\'s certificate: the port then speaks TLS, and ALPN chooses HTTP/2 or HTTP/1.1',
      properties: {
        cert: { type: 'string', minLength: 1, description: 'a PEM certificate (chain) file, relative to this file' },
        key: { type: 'string', minLength: 1, description: 'its PEM private key file, relative to this file' },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxHeaderSize: { type: 'integer', minimum: 1024, maximum: 1048576, description: 'bytes of request line and headers; more gets a 431' },
        maxHeaderCount: { type: 'integer', minimum: 1, maximum: 10000, description: 'header fields per request (default 100); more gets a 431' },
        maxRequestsPerConnection: { type: 'integer', minimum: 0, description: 'requests one connection may carry before it is closed (default 0: no limit)' },
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
          endpoints: { type: 'array', minItems: 1, items: endpoint },
          lb: {
            type: 'string',
            enum: ['round_robin', 'least_request', 'random', 'peak_ewma', 'ring_hash'],
            description: 'how an endpoint is picked: in turn, fewest in flight of two, at random, lowest latency x load of two, or by hashOn',
          },
          connectTimeout: duration,
          maxConnectionsPerEndpoint: { type: 'integer', minimum: 1 },
          protocol: { type: 'string', enum: ['http1', 'http2', 'tcp'], description: 'what the endpoints speak: http1 (default), http2 (h2c with prior knowledge; ALPN h2 over https) or tcp (opaque bytes: a service reached through a sidecar\'s --bind port)' },
          idleTimeout: duration,
          tls: upstreamTls,
          ...clusterResilience,
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
              host: { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:/\\[\\]]+)$', description: 'the Host (or :authority) without its port, case-insensitive; an IPv6 literal in brackets' },
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
          idleTimeout: { ...duration, description: 'a response body that stalls this long is cut (default: the route timeout)' },
          retries: {
            type: 'object',
            additionalProperties: false,
            properties: {
              attempts: { type: 'integer', minimum: 0, maximum: 10 },
              on: { type: 'array', items: retryOn },
              perTryTimeout: duration,
              nonIdempotent: { type: 'boolean', description: 'also retry POST, PATCH and other non-idempotent methods' },
              backoff: {
                type: 'object',
                additionalProperties: false,
                description: 'the wait before retry n is random in [0, min(max, base * 2^n)]',
                properties: { base: duration, max: duration },
              },
            },
          },
        },
      },
    },
  },
} as const;
