// The JSON Schema of the router filter's configuration: published in the module's metadata and enforced in onConfigure.

export const configSchema = `{
  "$defs": {
    "valueMatch": {
      "type": "object",
      "additionalProperties": false,
      "required": ["name"],
      "description": "exactly one of exact, prefix, regex (whole value), present",
      "properties": {
        "name": { "type": "string", "minLength": 1 },
        "exact": { "type": "string" },
        "prefix": { "type": "string" },
        "regex": { "type": "string" },
        "present": { "type": "boolean" }
      }
    },
    "headerEdits": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "set": { "type": "object", "additionalProperties": { "type": "string" } },
        "remove": { "type": "array", "items": { "type": "string", "minLength": 1 } }
      }
    },
    "percent": { "type": "number", "minimum": 0, "maximum": 100 }
  },
  "type": "object",
  "additionalProperties": false,
  "required": ["routes"],
  "properties": {
    "routes": {
      "type": "array",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "name": { "type": "string", "minLength": 1 },
          "match": {
            "type": "object",
            "additionalProperties": false,
            "description": "at most one of path, prefix, regex; none matches every path",
            "properties": {
              "path": { "type": "string", "minLength": 1 },
              "prefix": { "type": "string", "minLength": 1 },
              "regex": { "type": "string", "minLength": 1 },
              "methods": { "type": "array", "items": { "type": "string", "minLength": 1 } },
              "headers": { "type": "array", "items": { "$ref": "#/$defs/valueMatch" } },
              "query": { "type": "array", "items": { "$ref": "#/$defs/valueMatch" } }
            }
          },
          "cluster": { "type": "string", "minLength": 1 },
          "weightedClusters": {
            "type": "array",
            "minItems": 1,
            "items": {
              "type": "object",
              "additionalProperties": false,
              "required": ["cluster", "weight"],
              "properties": {
                "cluster": { "type": "string", "minLength": 1 },
                "weight": { "type": "integer", "minimum": 0 }
              }
            }
          },
          "overrides": {
            "type": "array",
            "items": {
              "type": "object",
              "additionalProperties": false,
              "required": ["header", "value", "cluster"],
              "properties": {
                "header": { "type": "string", "minLength": 1 },
                "value": { "type": "string" },
                "cluster": { "type": "string", "minLength": 1 }
              }
            }
          },
          "prefixRewrite": { "type": "string", "minLength": 1 },
          "hostRewrite": { "type": "string", "minLength": 1 },
          "requestHeaders": { "$ref": "#/$defs/headerEdits" },
          "responseHeaders": { "$ref": "#/$defs/headerEdits" },
          "mirror": {
            "type": "object",
            "additionalProperties": false,
            "required": ["cluster"],
            "properties": {
              "cluster": { "type": "string", "minLength": 1 },
              "percent": { "$ref": "#/$defs/percent", "default": 100 }
            }
          },
          "fault": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "delay": {
                "type": "object",
                "additionalProperties": false,
                "required": ["milliseconds", "percent"],
                "properties": {
                  "milliseconds": { "type": "integer", "minimum": 1, "maximum": 60000 },
                  "percent": { "$ref": "#/$defs/percent" }
                }
              },
              "abort": {
                "type": "object",
                "additionalProperties": false,
                "required": ["status", "percent"],
                "properties": {
                  "status": { "type": "integer", "minimum": 200, "maximum": 599 },
                  "percent": { "$ref": "#/$defs/percent" }
                }
              }
            }
          }
        }
      }
    }
  }
}`;
