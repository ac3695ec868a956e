// The router filter: picks a cluster per request (match, weighted split, header override), rewrites, edits headers, mirrors, injects faults.
import {
  Action, HttpContext, RootContext, currentTimeMilliseconds, describeFilter, getLogLevel, logDebug, LogLevel,
  requestHeaders, responseHeaders, resumeHttpRequest, setProperty, setRootContext, enterStream,
} from "../../../sdk/assembly/index";
import { readConfig, rejectConfig } from "../../shared/assembly/config";
import { CounterFamily, label } from "../../shared/assembly/metricFamily";
import { sendJsonError } from "../../shared/assembly/reply";
import { clusterProperty, pathOnly, requestMethod, requestPath } from "../../shared/assembly/request";
import { configSchema } from "./configSchema";
import { chance, Route } from "./route";
export * from "../../../sdk/assembly/abi/exports";

describeFilter("router", "1.0.0", configSchema);

const faults = new CounterFamily("weft_filter_router_faults_total");
// How often delayed requests are checked while any wait: the resolution of an injected delay.
const delayTickMilliseconds: u32 = 5;
const mirrorClusterProperty = ["weft", "mirror_cluster"];

function requestHeader(name: string): string | null {
  return requestHeaders.get(name);
}

class DelayedStream {
  constructor(public readonly stream: RouteStream, public readonly dueAt: u64) {}
}

class RouterRoot extends RootContext {
  routes: Route[] = [];
  /** Whether any route matches on the method, so that the method is read only when needed. */
  needsMethod: bool = false;
  delayed: DelayedStream[] = [];

  onConfigure(configuration: string): bool {
    const config = readConfig("router", configSchema, configuration);
    if (config === null) return false;
    const routes = config.get("routes")!;
    const parsed = new Array<Route>();
    let needsMethod = false;
    for (let i = 0; i < routes.items.length; i++) {
      const problem = new Array<string>();
      const route = Route.fromJson(routes.items[i], i, problem);
      if (problem.length > 0) {
        const split = problem[0].indexOf(" ");
        return rejectConfig("router", "/routes/" + i.toString() + problem[0].substring(0, split), problem[0].substring(split + 1));
      }
      parsed.push(route);
      needsMethod = needsMethod || route.match.methods.length > 0;
    }
    this.routes = parsed;
    this.needsMethod = needsMethod;
    return true;
  }

  delay(stream: RouteStream, milliseconds: u32): void {
    if (this.delayed.length == 0) this.setTickPeriod(delayTickMilliseconds);
    this.delayed.push(new DelayedStream(stream, currentTimeMilliseconds() + milliseconds));
  }

  forget(stream: RouteStream): void {
    for (let i = 0; i < this.delayed.length; i++) {
      if (this.delayed[i].stream == stream) {
        this.delayed.splice(i, 1);
        break;
      }
    }
    if (this.delayed.length == 0) this.setTickPeriod(0);
  }

  onTick(): void {
    const now = currentTimeMilliseconds();
    const waiting = new Array<DelayedStream>();
    const due = new Array<DelayedStream>();
    for (let i = 0; i < this.delayed.length; i++) (this.delayed[i].dueAt <= now ? due : waiting).push(this.delayed[i]);
    this.delayed = waiting;
    if (waiting.length == 0) this.setTickPeriod(0);
    for (let i = 0; i < due.length; i++) {
      if (enterStream(due[i].stream.contextId)) resumeHttpRequest();
    }
  }

  createHttpContext(contextId: u32): HttpContext {
    return new RouteStream(contextId, this);
  }
}

class RouteStream extends HttpContext {
  route: Route | null = null;

  constructor(contextId: u32, public readonly config: RouterRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    const path = requestPath();
    const plainPath = pathOnly(path);
    let method = this.config.needsMethod ? requestMethod() : "";
    const routes = this.config.routes;
    let route: Route | null = null;
    for (let i = 0; i < routes.length && route === null; i++) {
      if (routes[i].match.matches(path, plainPath, method, requestHeader)) route = routes[i];
    }
    if (route === null) return Action.Continue;
    this.route = route;
    if (chance(route.abortPercent)) {
      faults.with(label("route", route.name) + "," + label("fault", "abort")).increment();
      sendJsonError(route.abortStatus, "fault_injected", "aborted by fault injection on route " + route.name);
      return Action.Pause;
    }
    const cluster = route.pickCluster(requestHeader);
    if (cluster.length > 0) setProperty(clusterProperty, cluster);
    const mirror = route.mirrorCluster.length > 0 && chance(route.mirrorPercent) ? route.mirrorCluster : "";
    if (mirror.length > 0) setProperty(mirrorClusterProperty, mirror);
    if (route.prefixRewrite.length > 0) requestHeaders.set(":path", route.prefixRewrite + path.substring(route.match.prefix.length));
    if (route.hostRewrite.length > 0) requestHeaders.set(":authority", route.hostRewrite);
    route.requestEdits.applyTo(requestHeaders);
    if (getLogLevel() <= LogLevel.Debug) {
      if (method.length == 0) method = requestMethod();
      logDebug("router: " + method + " " + path + " -> route " + route.name + ", cluster " + cluster + ", mirror " + mirror);
    }
    if (chance(route.delayPercent)) {
      faults.with(label("route", route.name) + "," + label("fault", "delay")).increment();
      this.config.delay(this, route.delayMilliseconds);
      return Action.Pause;
    }
    return Action.Continue;
  }

  onResponseHeaders(_headerCount: u32, _endOfStream: bool): Action {
    const route = this.route;
    if (route !== null && !route.responseEdits.empty) route.responseEdits.applyTo(responseHeaders);
    return Action.Continue;
  }

  onDelete(): void {
    if (this.config.delayed.length > 0) this.config.forget(this);
  }
}

setRootContext((contextId: u32): RootContext => new RouterRoot(contextId));
