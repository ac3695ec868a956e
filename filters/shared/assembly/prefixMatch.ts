// The "path prefix and methods" scope that auth rules and ratelimit limits share.
import { JsonValue } from "../../../sdk/assembly/index";

/** Matches requests whose path starts with `prefix` and whose method is one of `methods` (any when empty). */
export class PrefixMatch {
  constructor(public readonly prefix: string, public readonly methods: string[]) {}

  /** Reads `prefix` (default "/") and `methods` from a config object. */
  static fromJson(config: JsonValue): PrefixMatch {
    return new PrefixMatch(config.getString("prefix", "/"), config.getStringArray("methods"));
  }

  /** Whether `matches` looks at the method: without methods the caller need not ask the host for it. */
  get needsMethod(): bool {
    return this.methods.length > 0;
  }

  matches(path: string, method: string): bool {
    if (!path.startsWith(this.prefix)) return false;
    return this.methods.length == 0 || this.methods.includes(method);
  }
}
