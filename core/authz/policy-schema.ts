// The JSON Schema of a policy document (`kind: AuthorizationPolicy`); policy-validator.generated.js is its validator, precompiled (release/generate-validators.ts).
import { SEGMENT_PATTERN } from '../identity/spiffe.ts';

export const POLICY_KIND = 'AuthorizationPolicy';

/** Every matcher list shares one syntax, so users learn one rule: exact, `prefix*`, or `*`. */
const matchList = (description: string) => ({
  type: 'array', minItems: 1, description,
  items: { type: 'string', minLength: 1 },
});

const headerValues = { description: 'a header value or a list of them', anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] };

export const policySchema = {
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
                propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", description: 'a header name' },
                additionalProperties: headerValues,
              },
            },
          },
        },
      },
    },
  },
} as const;
