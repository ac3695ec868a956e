// One router route: its match, where it sends the request (cluster, weighted split, header overrides), rewrites, header edits, mirror and faults.
import { HeaderMap, JsonValue } from "../../../sdk/assembly/index";
import { RouteMatch } from "./match";

/** Headers a route sets and removes on the request or the response. */
export class HeaderEdits {
  setNames: string[] = [];
  setValues: string[] = [];
  remove: string[] = [];

  static fromJson(config: JsonValue | null): HeaderEdits {
    const edits = new HeaderEdits();
    if (config === null) return edits;
    const set = config.get("set");
    if (set !== null) {
      for (let i = 0; i < set.keys.length; i++) {
        edits.setNames.push(set.keys[i].toLowerCase());
        edits.setValues.push(set.getString(set.keys[i]));
      }
    }
    const remove = config.getStringArray("remove");
    for (let i = 0; i < remove.length; i++) edits.remove.push(remove[i].toLowerCase());
    return edits;
  }

  get empty(): bool {
    return this.setNames.length == 0 && this.remove.length == 0;
  }

  applyTo(headers: HeaderMap): void {
    for (let i = 0; i < this.remove.length; i++) headers.remove(this.remove[i]);
    for (let i = 0; i < this.setNames.length; i++) headers.set(this.setNames[i], this.setValues[i]);
  }
}

export class WeightedCluster {
  constructor(public readonly cluster: string, public readonly weight: i32) {}
}

export class Override {
  constructor(public readonly header: string, public readonly value: string, public readonly cluster: string) {}
}

export class Route {
  name: string = "";
  match: RouteMatch = new RouteMatch();
  cluster: string = "";
  weighted: WeightedCluster[] = [];
  totalWeight: i32 = 0;
  overrides: Override[] = [];
  prefixRewrite: string = "";
  hostRewrite: string = "";
  requestEdits: HeaderEdits = new HeaderEdits();
  responseEdits: HeaderEdits = new HeaderEdits();
  mirrorCluster: string = "";
  mirrorPercent: f64 = 0;
  delayMilliseconds: u32 = 0;
  delayPercent: f64 = 0;
  abortStatus: u32 = 0;
  abortPercent: f64 = 0;

  /** Fills `problem` with "path message" relative to the route when the config is unusable. */
  static fromJson(config: JsonValue, index: i32, problem: string[]): Route {
    const route = new Route();
    route.name = config.getString("name", "#" + index.toString());
    route.match = RouteMatch.fromJson(config.get("match"), problem);
    if (problem.length > 0) {
      problem[0] = "/match" + problem[0];
      return route;
    }
    route.cluster = config.getString("cluster");
    const weighted = config.get("weightedClusters");
    if (weighted !== null) {
      for (let i = 0; i < weighted.items.length; i++) {
        const entry = new WeightedCluster(weighted.items[i].getString("cluster"), <i32>weighted.items[i].getNumber("weight"));
        route.weighted.push(entry);
        route.totalWeight += entry.weight;
      }
      if (route.cluster.length > 0) problem.push(" needs at most one of cluster and weightedClusters");
      else if (route.totalWeight == 0) problem.push("/weightedClusters needs a weight above 0");
    }
    const overrides = config.get("overrides");
    if (overrides !== null) {
      for (let i = 0; i < overrides.items.length; i++) {
        const o = overrides.items[i];
        route.overrides.push(new Override(o.getString("header").toLowerCase(), o.getString("value"), o.getString("cluster")));
      }
    }
    route.prefixRewrite = config.getString("prefixRewrite");
    if (route.prefixRewrite.length > 0 && route.match.prefix.length == 0) problem.push("/prefixRewrite needs match.prefix");
    route.hostRewrite = config.getString("hostRewrite");
    route.requestEdits = HeaderEdits.fromJson(config.get("requestHeaders"));
    route.responseEdits = HeaderEdits.fromJson(config.get("responseHeaders"));
    const mirror = config.get("mirror");
    if (mirror !== null) {
      route.mirrorCluster = mirror.getString("cluster");
      route.mirrorPercent = mirror.getNumber("percent", 100);
    }
    const fault = config.get("fault");
    if (fault !== null) {
      const delay = fault.get("delay");
      if (delay !== null) {
        route.delayMilliseconds = <u32>delay.getNumber("milliseconds");
        route.delayPercent = delay.getNumber("percent");
      }
      const abort = fault.get("abort");
      if (abort !== null) {
        route.abortStatus = <u32>abort.getNumber("status");
        route.abortPercent = abort.getNumber("percent");
      }
    }
    return route;
  }

  /** The cluster for this request: an override whose header matches, else a weighted pick, else `cluster` ("" keeps the proxy's). */
  pickCluster(header: (name: string) => string | null): string {
    for (let i = 0; i < this.overrides.length; i++) {
      const value = header(this.overrides[i].header);
      if (value !== null && value == this.overrides[i].value) return this.overrides[i].cluster;
    }
    if (this.weighted.length == 0) return this.cluster;
    let roll = <i32>Math.floor(Math.random() * <f64>this.totalWeight);
    for (let i = 0; i < this.weighted.length; i++) {
      if (roll < this.weighted[i].weight) return this.weighted[i].cluster;
      roll -= this.weighted[i].weight;
    }
    return this.weighted[this.weighted.length - 1].cluster;
  }
}

/** True for `percent` percent of calls. */
export function chance(percent: f64): bool {
  return percent > 0 && Math.random() * 100 < percent;
}
