// The JSON Schema of the auth filter's configuration: published in the module's metadata and enforced in onConfigure.

export const configSchema = `{
  "$defs": {
    "jwk": {
      "type": "object",
      "required": ["kty"],
      "properties": {
        "kty": { "enum": ["RSA", "EC", "oct", "OKP"] },
        "kid": { "type": "string" },
        "alg": { "type": "string" },
        "k": { "type": "string", "description": "oct keys: the HMAC secret, base64url" }
      }
    },
    "rule": {
      "type": "object",
      "additionalProperties": false,
      "required": ["require"],
      "properties": {
        "prefix": { "type": "string", "minLength": 1, "description": "path prefix; default /" },
        "methods": { "type": "array", "items": { "type": "string", "minLength": 1 }, "description": "default: every method" },
        "require": { "enum": ["anonymous", "jwt", "apiKey", "any"] },
        "claims": {
          "type": "object",
          "additionalProperties": { "type": "string" },
          "description": "claim name -> value the claim must equal or contain (space-separated list or array)"
        }
      }
    }
  },
  "type": "object",
  "additionalProperties": false,
  "minProperties": 1,
  "properties": {
    "realm": { "type": "string", "minLength": 1, "description": "realm of the WWW-Authenticate challenges; default weft" },
    "jwt": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "issuer": { "type": "string", "minLength": 1 },
        "audiences": { "type": "array", "minItems": 1, "items": { "type": "string", "minLength": 1 } },
        "clockSkewSeconds": { "type": "integer", "minimum": 0, "default": 60 },
        "jwks": {
          "type": "object",
          "required": ["keys"],
          "properties": { "keys": { "type": "array", "items": { "$ref": "#/$defs/jwk" } } }
        },
        "remoteJwks": {
          "type": "object",
          "additionalProperties": false,
          "required": ["cluster", "path"],
          "properties": {
            "cluster": { "type": "string", "minLength": 1 },
            "path": { "type": "string", "minLength": 1 },
            "authority": { "type": "string", "minLength": 1, "description": "default: the cluster name" },
            "refreshSeconds": { "type": "integer", "minimum": 1, "default": 300 },
            "timeoutMs": { "type": "integer", "minimum": 1, "default": 2000 },
            "rotationCooldownSeconds": {
              "type": "integer", "minimum": 0, "default": 30,
              "description": "a token with an unknown kid refetches the set at most this often"
            }
          }
        },
        "forwardClaims": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["claim"],
            "properties": {
              "claim": { "type": "string", "minLength": 1 },
              "header": { "type": "string", "minLength": 1, "description": "default x-weft-claim-<claim>" }
            }
          }
        },
        "stripToken": { "type": "boolean", "default": false }
      }
    },
    "apiKeys": {
      "type": "object",
      "additionalProperties": false,
      "required": ["sha256"],
      "properties": {
        "header": { "type": "string", "minLength": 1, "description": "default x-api-key (unless query is set)" },
        "query": { "type": "string", "minLength": 1 },
        "sha256": { "type": "array", "items": { "type": "string", "pattern": "^[0-9a-f]{64}$" } },
        "strip": { "type": "boolean", "default": false }
      }
    },
    "rules": { "type": "array", "items": { "$ref": "#/$defs/rule" } }
  }
}`;
