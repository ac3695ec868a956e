// The JSON Schema of the ratelimit filter's configuration: published in the module's metadata and enforced in onConfigure.

export const configSchema = `{
  "type": "object",
  "additionalProperties": false,
  "required": ["limits"],
  "properties": {
    "dryRun": { "type": "boolean", "default": false, "description": "count and report, never reject" },
    "responseHeaders": { "type": "boolean", "default": true, "description": "add RateLimit-Policy and RateLimit to allowed responses" },
    "limits": {
      "type": "array",
      "minItems": 1,
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "requests", "perSeconds", "key"],
        "properties": {
          "name": { "type": "string", "minLength": 1, "description": "policy name in the RateLimit headers; unique" },
          "requests": { "type": "integer", "minimum": 1, "description": "tokens added every perSeconds" },
          "perSeconds": { "type": "integer", "minimum": 1 },
          "burst": { "type": "integer", "minimum": 1, "description": "bucket size; default requests" },
          "key": {
            "type": "object",
            "additionalProperties": false,
            "required": ["source"],
            "properties": {
              "source": { "enum": ["clientAddress", "principal", "header", "claim", "route", "global"], "description": "principal: the caller's SPIFFE ID (source.principal); callers without one share one bucket, anonymous" },
              "name": { "type": "string", "minLength": 1, "description": "header or claim name (source header or claim); not used by other sources" }
            }
          },
          "routes": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "proxy route names; default every route" },
          "prefix": { "type": "string", "minLength": 1, "description": "path prefix; default /" },
          "methods": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "default: every method" }
        }
      }
    }
  }
}`;
