// The JSON Schema of the telemetry filter's configuration: published in the module's metadata and enforced in onConfigure.

export const configSchema = `{
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "metrics": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "enabled": { "type": "boolean", "default": true },
        "prefix": { "type": "string", "minLength": 1, "default": "weft_filter_", "description": "prepended to every metric name" }
      }
    },
    "tracing": {
      "type": "object",
      "additionalProperties": false,
      "required": ["collectorCluster"],
      "properties": {
        "collectorCluster": { "type": "string", "minLength": 1, "description": "cluster of the OTLP/HTTP receiver" },
        "collectorPath": { "type": "string", "minLength": 1, "default": "/v1/traces" },
        "collectorAuthority": { "type": "string", "minLength": 1, "description": "default: the cluster name" },
        "serviceName": { "type": "string", "minLength": 1, "default": "weft" },
        "samplingRate": { "type": "number", "minimum": 0, "maximum": 1, "default": 1, "description": "share of new traces recorded; continued traces follow their sampled flag" },
        "exportIntervalMs": { "type": "integer", "minimum": 10, "default": 1000 },
        "maxBatch": { "type": "integer", "minimum": 1, "default": 512 },
        "maxQueue": { "type": "integer", "minimum": 1, "default": 4096, "description": "spans waiting beyond this are dropped and counted" },
        "b3": { "type": "boolean", "default": true, "description": "read B3 headers when there is no traceparent" }
      }
    },
    "accessLog": {
      "type": "object",
      "additionalProperties": false,
      "required": ["fields"],
      "properties": {
        "fields": {
          "type": "array",
          "minItems": 1,
          "items": { "type": "string", "minLength": 1 },
          "description": "start_time, method, path, authority, status, duration_ms, route, cluster, client_address, principal, request_bytes, response_bytes, user_agent, request_id, trace_id, span_id, request_header:NAME, response_header:NAME"
        }
      }
    }
  }
}`;
