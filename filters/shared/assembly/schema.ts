// Checks a configuration against the JSON Schema subset the built-in filters use, naming the path of the first error.
import { JsonKind, JsonValue, jsonQuote } from "../../../sdk/assembly/index";

// Keywords understood: type, properties, required, additionalProperties, items, enum, minimum,
// maximum, exclusiveMinimum, minLength, minItems, maxItems, minProperties, $ref to "#/$defs/NAME".
// Anything else (description, default, examples) is documentation and ignored.

function kindName(value: JsonValue): string {
  switch (value.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "boolean";
    case JsonKind.Number: return "number";
    case JsonKind.String: return "string";
    case JsonKind.Array: return "array";
    default: return "object";
  }
}

function hasType(value: JsonValue, type: string): bool {
  if (type == "integer") return value.kind == JsonKind.Number && value.numberValue == Math.trunc(value.numberValue);
  return kindName(value) == type;
}

function typeError(schema: JsonValue, value: JsonValue): string {
  const type = schema.get("type");
  if (type === null) return "";
  if (type.kind == JsonKind.String) return hasType(value, type.stringValue) ? "" : "must be " + type.stringValue;
  const names = new Array<string>();
  for (let i = 0; i < type.items.length; i++) {
    if (hasType(value, type.items[i].stringValue)) return "";
    names.push(type.items[i].stringValue);
  }
  return "must be " + names.join(" or ");
}

function sameValue(a: JsonValue, b: JsonValue): bool {
  return a.toString() == b.toString();
}

function pointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Validates JSON values against one schema document (whose `$defs` its `$ref`s point into). */
export class SchemaValidator {
  constructor(public readonly root: JsonValue) {}

  /** "" when `value` fits, else the first problem as `/json/pointer message`, like ajv's. */
  check(value: JsonValue): string {
    return this.checkAt(this.root, value, "");
  }

  private resolve(schema: JsonValue): JsonValue {
    const ref = schema.getString("$ref");
    if (ref.length == 0) return schema;
    const defs = this.root.get("$defs");
    const name = ref.startsWith("#/$defs/") ? ref.substring(8) : "";
    const target: JsonValue | null = defs !== null ? defs.get(name) : null;
    if (target === null) throw new Error("schema: unresolvable $ref " + ref);
    return target;
  }

  private checkAt(unresolved: JsonValue, value: JsonValue, path: string): string {
    const schema = this.resolve(unresolved);
    const where = path.length > 0 ? path : "/";
    const wrongType = typeError(schema, value);
    if (wrongType.length > 0) return where + " " + wrongType;
    const allowed = schema.get("enum");
    if (allowed !== null) {
      let found = false;
      for (let i = 0; i < allowed.items.length && !found; i++) found = sameValue(allowed.items[i], value);
      if (!found) {
        const options = new Array<string>();
        for (let i = 0; i < allowed.items.length; i++) options.push(allowed.items[i].toString());
        return where + " must be one of " + options.join(", ");
      }
    }
    if (value.kind == JsonKind.Number) return this.checkNumber(schema, value.numberValue, where);
    if (value.kind == JsonKind.String) {
      const minLength = schema.get("minLength");
      if (minLength !== null && value.stringValue.length < <i32>minLength.numberValue) {
        return where + " must NOT have fewer than " + minLength.toString() + " characters";
      }
      return "";
    }
    if (value.kind == JsonKind.Array) return this.checkArray(schema, value, path, where);
    if (value.kind == JsonKind.Object) return this.checkObject(schema, value, path, where);
    return "";
  }

  private checkNumber(schema: JsonValue, n: f64, where: string): string {
    const minimum = schema.get("minimum");
    if (minimum !== null && n < minimum.numberValue) return where + " must be >= " + minimum.toString();
    const maximum = schema.get("maximum");
    if (maximum !== null && n > maximum.numberValue) return where + " must be <= " + maximum.toString();
    const exclusive = schema.get("exclusiveMinimum");
    if (exclusive !== null && n <= exclusive.numberValue) return where + " must be > " + exclusive.toString();
    return "";
  }

  private checkArray(schema: JsonValue, value: JsonValue, path: string, where: string): string {
    const minItems = schema.get("minItems");
    if (minItems !== null && value.items.length < <i32>minItems.numberValue) {
      return where + " must NOT have fewer than " + minItems.toString() + " items";
    }
    const maxItems = schema.get("maxItems");
    if (maxItems !== null && value.items.length > <i32>maxItems.numberValue) {
      return where + " must NOT have more than " + maxItems.toString() + " items";
    }
    const items = schema.get("items");
    if (items === null) return "";
    for (let i = 0; i < value.items.length; i++) {
      const error = this.checkAt(items, value.items[i], path + "/" + i.toString());
      if (error.length > 0) return error;
    }
    return "";
  }

  private checkObject(schema: JsonValue, value: JsonValue, path: string, where: string): string {
    const required = schema.getStringArray("required");
    for (let i = 0; i < required.length; i++) {
      if (value.get(required[i]) === null) return where + " must have required property " + jsonQuote(required[i]);
    }
    const minProperties = schema.get("minProperties");
    if (minProperties !== null && value.keys.length < <i32>minProperties.numberValue) {
      return where + " must NOT have fewer than " + minProperties.toString() + " properties";
    }
    const properties = schema.get("properties");
    const additional = schema.get("additionalProperties");
    for (let i = 0; i < value.keys.length; i++) {
      const key = value.keys[i];
      const member = value.get(key)!;
      const known: JsonValue | null = properties !== null ? properties.get(key) : null;
      const memberSchema: JsonValue | null = known !== null ? known : additional;
      if (memberSchema === null) continue;
      if (memberSchema.kind == JsonKind.Bool) {
        if (!memberSchema.boolValue) return where + " must NOT have additional property " + jsonQuote(key);
        continue;
      }
      const error = this.checkAt(memberSchema, member, path + "/" + pointerSegment(key));
      if (error.length > 0) return error;
    }
    return "";
  }
}
