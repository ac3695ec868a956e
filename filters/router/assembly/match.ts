// What a router route matches on: the path (exact, prefix or regex), the method, headers and query parameters.
import { JsonValue } from "../../../sdk/assembly/index";
import { queryParameter } from "../../shared/assembly/request";
import { compileRegex, Regex } from "./regex";

enum ValueTest {
  Exact = 0,
  Prefix = 1,
  Regex = 2,
  Present = 3,
  Absent = 4,
}

/** One header or query parameter condition. */
export class ValueMatch {
  regex: Regex | null = null;

  constructor(public readonly name: string, public readonly test: ValueTest, public readonly expected: string) {}

  /** Null with `problem` set when the config is not one single test. */
  static fromJson(config: JsonValue, lowerCaseName: bool, problem: string[]): ValueMatch | null {
    const name = lowerCaseName ? config.getString("name").toLowerCase() : config.getString("name");
    const tests = new Array<ValueMatch>();
    if (config.get("exact") !== null) tests.push(new ValueMatch(name, ValueTest.Exact, config.getString("exact")));
    if (config.get("prefix") !== null) tests.push(new ValueMatch(name, ValueTest.Prefix, config.getString("prefix")));
    if (config.get("regex") !== null) tests.push(new ValueMatch(name, ValueTest.Regex, config.getString("regex")));
    if (config.get("present") !== null) {
      tests.push(new ValueMatch(name, config.getBool("present") ? ValueTest.Present : ValueTest.Absent, ""));
    }
    if (tests.length != 1) {
      problem.push(" needs exactly one of exact, prefix, regex, present");
      return null;
    }
    const match = tests[0];
    if (match.test == ValueTest.Regex) {
      const regex = compileRegex(match.expected);
      if (regex.error.length > 0) {
        problem.push("/regex is not a valid pattern: " + regex.error);
        return null;
      }
      match.regex = regex;
    }
    return match;
  }

  matches(value: string | null): bool {
    if (this.test == ValueTest.Absent) return value === null;
    if (value === null) return false;
    if (this.test == ValueTest.Exact) return value == this.expected;
    if (this.test == ValueTest.Prefix) return value.startsWith(this.expected);
    if (this.test == ValueTest.Regex) return this.regex!.fullMatch(value);
    return true;
  }
}

/** The conditions of one route; all must hold. */
export class RouteMatch {
  exactPath: string = "";
  prefix: string = "";
  pathRegex: Regex | null = null;
  methods: string[] = [];
  headers: ValueMatch[] = [];
  query: ValueMatch[] = [];

  /** Fills `problem` with "path message" (relative to the match object) when the config is unusable. */
  static fromJson(config: JsonValue | null, problem: string[]): RouteMatch {
    const match = new RouteMatch();
    if (config === null) return match;
    match.exactPath = config.getString("path");
    match.prefix = config.getString("prefix");
    const regex = config.getString("regex");
    const kinds = (match.exactPath.length > 0 ? 1 : 0) + (match.prefix.length > 0 ? 1 : 0) + (regex.length > 0 ? 1 : 0);
    if (kinds > 1) {
      problem.push(" needs at most one of path, prefix, regex");
      return match;
    }
    if (regex.length > 0) {
      const compiled = compileRegex(regex);
      if (compiled.error.length > 0) {
        problem.push("/regex is not a valid pattern: " + compiled.error);
        return match;
      }
      match.pathRegex = compiled;
    }
    match.methods = config.getStringArray("methods");
    const headers = config.get("headers");
    if (headers !== null) {
      for (let i = 0; i < headers.items.length && problem.length == 0; i++) {
        const parsed = ValueMatch.fromJson(headers.items[i], true, problem);
        if (parsed === null) problem[0] = "/headers/" + i.toString() + problem[0];
        else match.headers.push(parsed);
      }
    }
    const query = config.get("query");
    if (query !== null) {
      for (let i = 0; i < query.items.length && problem.length == 0; i++) {
        const parsed = ValueMatch.fromJson(query.items[i], false, problem);
        if (parsed === null) problem[0] = "/query/" + i.toString() + problem[0];
        else match.query.push(parsed);
      }
    }
    return match;
  }

  /** `path` is the whole `:path`; `pathOnly` the same without its query. */
  matches(path: string, pathOnly: string, method: string, header: (name: string) => string | null): bool {
    if (this.exactPath.length > 0 && pathOnly != this.exactPath) return false;
    if (this.prefix.length > 0 && !pathOnly.startsWith(this.prefix)) return false;
    if (this.pathRegex !== null && !this.pathRegex!.fullMatch(pathOnly)) return false;
    if (this.methods.length > 0 && !this.methods.includes(method)) return false;
    for (let i = 0; i < this.headers.length; i++) {
      if (!this.headers[i].matches(header(this.headers[i].name))) return false;
    }
    for (let i = 0; i < this.query.length; i++) {
      if (!this.query[i].matches(queryParameter(path, this.query[i].name))) return false;
    }
    return true;
  }
}
