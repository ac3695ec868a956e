// A small JSON reader and writer for filter configurations and metadata: parse, typed lookups, serialize.

/** The kind of a JSON value. */
export enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

/**
 * A parsed JSON value. Read it with the typed getters, which take a fallback so that a missing or
 * mistyped optional field needs no extra checks; use `kind` and `get` when presence matters.
 */
export class JsonValue {
  boolValue: bool = false;
  numberValue: f64 = 0;
  stringValue: string = "";
  /** Array elements, in order. */
  items: JsonValue[] = [];
  /** Object keys, in document order (the last duplicate wins in `get`). */
  keys: string[] = [];
  private fields: Map<string, JsonValue> = new Map<string, JsonValue>();

  constructor(public readonly kind: JsonKind) {}

  /** The member `key` of an object, or null when absent or when this is not an object. */
  get(key: string): JsonValue | null {
    return this.fields.has(key) ? this.fields.get(key) : null;
  }

  /** The string member `key`, or `fallback` when absent or not a string. */
  getString(key: string, fallback: string = ""): string {
    const value = this.get(key);
    return value !== null && value.kind == JsonKind.String ? value.stringValue : fallback;
  }

  /** The number member `key`, or `fallback` when absent or not a number. */
  getNumber(key: string, fallback: f64 = 0): f64 {
    const value = this.get(key);
    return value !== null && value.kind == JsonKind.Number ? value.numberValue : fallback;
  }

  /** The boolean member `key`, or `fallback` when absent or not a boolean. */
  getBool(key: string, fallback: bool = false): bool {
    const value = this.get(key);
    return value !== null && value.kind == JsonKind.Bool ? value.boolValue : fallback;
  }

  /** The strings of the array member `key`; absent, non-array and non-string entries are skipped. */
  getStringArray(key: string): string[] {
    const result = new Array<string>();
    const value = this.get(key);
    if (value === null) return result;
    for (let i = 0; i < value.items.length; i++) {
      if (value.items[i].kind == JsonKind.String) result.push(value.items[i].stringValue);
    }
    return result;
  }

  /** Sets the member `key` of an object value, keeping the position of an existing key. */
  set(key: string, value: JsonValue): void {
    if (!this.fields.has(key)) this.keys.push(key);
    this.fields.set(key, value);
  }

  /** The value as compact JSON text. */
  toString(): string {
    switch (this.kind) {
      case JsonKind.Null: return "null";
      case JsonKind.Bool: return this.boolValue ? "true" : "false";
      case JsonKind.Number: return formatNumber(this.numberValue);
      case JsonKind.String: return jsonQuote(this.stringValue);
      case JsonKind.Array: {
        const parts = new Array<string>(this.items.length);
        for (let i = 0; i < this.items.length; i++) parts[i] = this.items[i].toString();
        return "[" + parts.join(",") + "]";
      }
      default: {
        const parts = new Array<string>(this.keys.length);
        for (let i = 0; i < this.keys.length; i++) {
          parts[i] = jsonQuote(this.keys[i]) + ":" + this.fields.get(this.keys[i]).toString();
        }
        return "{" + parts.join(",") + "}";
      }
    }
  }
}

function jsonBool(value: bool): JsonValue {
  const result = new JsonValue(JsonKind.Bool);
  result.boolValue = value;
  return result;
}

function formatNumber(value: f64): string {
  // Integers print without AssemblyScript's trailing ".0"; NaN and infinities have no JSON form.
  if (!isFinite(value)) return "null";
  if (value == Math.trunc(value) && Math.abs(value) < 9007199254740992) return (<i64>value).toString();
  return value.toString();
}

/** A string as a JSON string literal, quoted and escaped. */
export function jsonQuote(text: string): string {
  let out = "\"";
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code != 0x22 && code != 0x5c) continue;
    out += text.substring(runStart, i);
    runStart = i + 1;
    if (code == 0x22) out += "\\\"";
    else if (code == 0x5c) out += "\\\\";
    else if (code == 0x0a) out += "\\n";
    else if (code == 0x0d) out += "\\r";
    else if (code == 0x09) out += "\\t";
    else out += "\\u00" + (code < 0x10 ? "0" : "") + code.toString(16);
  }
  return out + text.substring(runStart) + "\"";
}

// Deeper documents are refused rather than risking the wasm stack on hostile input.
const maxDepth = 64;

class JsonParser {
  position: i32 = 0;
  failed: bool = false;

  constructor(public readonly text: string) {}

  parseDocument(): JsonValue | null {
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.failed || this.position != this.text.length) return null;
    return value;
  }

  private fail(): JsonValue {
    this.failed = true;
    return new JsonValue(JsonKind.Null);
  }

  private skipWhitespace(): void {
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code != 0x20 && code != 0x0a && code != 0x0d && code != 0x09) break;
      this.position++;
    }
  }

  private consume(literal: string): bool {
    if (this.text.substr(this.position, literal.length) != literal) return false;
    this.position += literal.length;
    return true;
  }

  private parseValue(depth: i32): JsonValue {
    if (depth > maxDepth) return this.fail();
    this.skipWhitespace();
    if (this.position >= this.text.length) return this.fail();
    const code = this.text.charCodeAt(this.position);
    if (code == 0x7b) return this.parseObject(depth);
    if (code == 0x5b) return this.parseArray(depth);
    if (code == 0x22) {
      const value = new JsonValue(JsonKind.String);
      value.stringValue = this.parseString();
      return value;
    }
    if (this.consume("true")) return jsonBool(true);
    if (this.consume("false")) return jsonBool(false);
    if (this.consume("null")) return new JsonValue(JsonKind.Null);
    return this.parseNumber();
  }

  private parseObject(depth: i32): JsonValue {
    const object = new JsonValue(JsonKind.Object);
    this.position++;
    this.skipWhitespace();
    if (this.consume("}")) return object;
    while (!this.failed) {
      this.skipWhitespace();
      if (this.position >= this.text.length || this.text.charCodeAt(this.position) != 0x22) return this.fail();
      const key = this.parseString();
      this.skipWhitespace();
      if (!this.consume(":")) return this.fail();
      object.set(key, this.parseValue(depth + 1));
      this.skipWhitespace();
      if (this.consume("}")) return object;
      if (!this.consume(",")) return this.fail();
    }
    return object;
  }

  private parseArray(depth: i32): JsonValue {
    const array = new JsonValue(JsonKind.Array);
    this.position++;
    this.skipWhitespace();
    if (this.consume("]")) return array;
    while (!this.failed) {
      array.items.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      if (this.consume("]")) return array;
      if (!this.consume(",")) return this.fail();
    }
    return array;
  }

  private parseString(): string {
    this.position++;
    let out = "";
    let runStart = this.position;
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code == 0x22) {
        out += this.text.substring(runStart, this.position);
        this.position++;
        return out;
      }
      if (code < 0x20) break;
      if (code != 0x5c) {
        this.position++;
        continue;
      }
      out += this.text.substring(runStart, this.position);
      const escape = this.position + 1 < this.text.length ? this.text.charCodeAt(this.position + 1) : 0;
      this.position += 2;
      if (escape == 0x75) {
        const unit = this.parseHex4();
        if (unit < 0) break;
        // Surrogate pairs arrive as two \u escapes; AssemblyScript strings are UTF-16, so each unit is kept as is.
        out += String.fromCharCode(unit);
      } else if (escape == 0x22) out += "\"";
      else if (escape == 0x5c) out += "\\";
      else if (escape == 0x2f) out += "/";
      else if (escape == 0x62) out += "\b";
      else if (escape == 0x66) out += "\f";
      else if (escape == 0x6e) out += "\n";
      else if (escape == 0x72) out += "\r";
      else if (escape == 0x74) out += "\t";
      else break;
      runStart = this.position;
    }
    this.failed = true;
    return "";
  }

  private parseHex4(): i32 {
    if (this.position + 4 > this.text.length) return -1;
    let unit = 0;
    for (let i = 0; i < 4; i++) {
      const code = this.text.charCodeAt(this.position + i);
      let digit = -1;
      if (code >= 0x30 && code <= 0x39) digit = code - 0x30;
      else if (code >= 0x61 && code <= 0x66) digit = code - 0x57;
      else if (code >= 0x41 && code <= 0x46) digit = code - 0x37;
      if (digit < 0) return -1;
      unit = (unit << 4) | digit;
    }
    this.position += 4;
    return unit;
  }

  private parseNumber(): JsonValue {
    const start = this.position;
    if (this.position < this.text.length && this.text.charCodeAt(this.position) == 0x2d) this.position++;
    const integerDigits = this.skipDigits();
    if (integerDigits == 0) return this.fail();
    if (integerDigits > 1 && this.text.charCodeAt(this.position - integerDigits) == 0x30) return this.fail();
    if (this.position < this.text.length && this.text.charCodeAt(this.position) == 0x2e) {
      this.position++;
      if (this.skipDigits() == 0) return this.fail();
    }
    if (this.position < this.text.length && (this.text.charCodeAt(this.position) | 0x20) == 0x65) {
      this.position++;
      const sign = this.position < this.text.length ? this.text.charCodeAt(this.position) : 0;
      if (sign == 0x2b || sign == 0x2d) this.position++;
      if (this.skipDigits() == 0) return this.fail();
    }
    const value = new JsonValue(JsonKind.Number);
    value.numberValue = parseFloat(this.text.substring(start, this.position));
    return value;
  }

  private skipDigits(): i32 {
    const start = this.position;
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code < 0x30 || code > 0x39) break;
      this.position++;
    }
    return this.position - start;
  }
}

/** Parses JSON text; null when it is not exactly one well-formed JSON value. */
export function parseJson(text: string): JsonValue | null {
  return new JsonParser(text).parseDocument();
}
