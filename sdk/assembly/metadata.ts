// The filter's self-description (name, version, JSON Schema of its config), exported for tools and the plane.
import { jsonQuote, parseJson } from "./json";

/** The SDK release that built the module, recorded in its metadata. */
const sdkVersion = "0.1.0";

let metadataJson = "";

/**
 * Describes the filter: `weft filter inspect` and the control plane read this from the built
 * module (export `weftFilterMetadata`) and validate a configuration against `configSchema`
 * before it reaches a proxy. Call it once at the top level of the entry file. Traps when the
 * schema is not valid JSON, so a broken schema fails the build's smoke test, not a rollout.
 */
export function describeFilter(name: string, version: string, configSchema: string = "{}"): void {
  const schema = parseJson(configSchema);
  if (schema === null) throw new Error("describeFilter: the config schema of " + name + " is not valid JSON");
  metadataJson = "{\"name\":" + jsonQuote(name) +
    ",\"version\":" + jsonQuote(version) +
    ",\"configSchema\":" + schema.toString() +
    ",\"sdk\":" + jsonQuote("weft-sdk " + sdkVersion) +
    ",\"abi\":\"0.2.1\"}";
}

/** The metadata as JSON text, or "" when the filter did not describe itself. */
export function filterMetadata(): string {
  return metadataJson;
}
