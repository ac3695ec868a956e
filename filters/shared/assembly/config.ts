// Reads a built-in filter's configuration: parse, check against the schema it publishes, log the path of what is wrong.
import { JsonValue, logError, parseJson } from "../../../sdk/assembly/index";
import { SchemaValidator } from "./schema";

/**
 * The configuration as JSON when it fits `schemaText`, else null after logging why at error
 * level (`auth: invalid config: /rules/0/require must be one of ...`), so that `onConfigure` can
 * refuse it and the proxy names the filter and the reason. An empty configuration reads as `{}`.
 */
export function readConfig(filterName: string, schemaText: string, configText: string): JsonValue | null {
  const config = parseJson(configText.length == 0 ? "{}" : configText);
  if (config === null) {
    logError(filterName + ": invalid config: not a JSON document");
    return null;
  }
  const problem = new SchemaValidator(parseJson(schemaText)!).check(config);
  if (problem.length > 0) {
    logError(filterName + ": invalid config: " + problem);
    return null;
  }
  return config;
}

/** Logs a problem the schema cannot express (a bad regex, a rewrite without a prefix) and returns false for `onConfigure`. */
export function rejectConfig(filterName: string, path: string, problem: string): bool {
  logError(filterName + ": invalid config: " + path + " " + problem);
  return false;
}
