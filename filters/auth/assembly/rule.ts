// Auth rules: which credential a path prefix and method need, and which claim values they must carry.
import { JsonValue } from "../../../sdk/assembly/index";
import { PrefixMatch } from "../../shared/assembly/prefixMatch";

export class Rule {
  /** Claim names and the value each must grant, in config order. */
  claimNames: string[] = [];
  claimValues: string[] = [];

  constructor(public readonly match: PrefixMatch, public readonly require: string) {}

  static fromJson(config: JsonValue): Rule {
    const rule = new Rule(PrefixMatch.fromJson(config), config.getString("require"));
    const claims = config.get("claims");
    if (claims !== null) {
      for (let i = 0; i < claims.keys.length; i++) {
        rule.claimNames.push(claims.keys[i]);
        rule.claimValues.push(claims.getString(claims.keys[i]));
      }
    }
    return rule;
  }
}

/** The first rule matching the request, or null. */
export function findRule(rules: Rule[], path: string, method: string): Rule | null {
  for (let i = 0; i < rules.length; i++) if (rules[i].match.matches(path, method)) return rules[i];
  return null;
}
