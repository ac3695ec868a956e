// The telemetry filter: RED metrics, W3C/B3 trace propagation with spans exported as OTLP/HTTP JSON, and an access log.
import {
  Action, Context, Counter, HeaderPair, Histogram, HttpCallResponse, HttpContext, RootContext, Status, currentTimeNanoseconds,
  describeFilter, getPropertyInteger, getPropertyString, logInfo, logWarn, requestHeaders, setRootContext,
} from "../../../sdk/assembly/index";
import { readConfig, rejectConfig } from "../../shared/assembly/config";
import { CounterFamily, HistogramFamily, label } from "../../shared/assembly/metricFamily";
import { callerPrincipal, clientAddress, clusterProperty, pathOnly, routeProperty } from "../../shared/assembly/request";
import { accessLogLine, isAccessLogField, RequestFacts } from "./accessLog";
import { configSchema } from "./configSchema";
import { exportRequestJson, SpanRecord, spanJson } from "./spans";
import { propagate, TraceContext } from "./traceContext";
export * from "../../../sdk/assembly/abi/exports";

const version = "1.0.0";
describeFilter("telemetry", version, configSchema);

const responseCodeProperty = ["response", "code"];

class Exporter {
  constructor(
    public readonly cluster: string,
    public readonly path: string,
    public readonly authority: string,
    public readonly serviceName: string,
    public readonly maxBatch: i32,
    public readonly maxQueue: i32,
  ) {}
}

/** The RED metrics of one route and cluster: their label text is built (and escaped) once, not on every request. */
class Series {
  readonly labels: string;
  readonly duration: Histogram;
  readonly requestBytes: Counter;
  readonly responseBytes: Counter;
  private readonly byCode: Map<i64, Counter> = new Map<i64, Counter>();
  /** The counter last asked for: responses mostly repeat their status, and a map lookup hashes each time. */
  private lastCode: i64 = -1;
  private lastCounter: Counter | null = null;

  constructor(private readonly metrics: Metrics, route: string, cluster: string) {
    const labels = label("route", route) + "," + label("cluster", cluster);
    this.labels = labels;
    this.duration = metrics.duration.with(labels);
    this.requestBytes = metrics.requestBytes.with(labels);
    this.responseBytes = metrics.responseBytes.with(labels);
  }

  /** The request counter of this route and cluster for one status code. */
  requests(code: i64): Counter {
    const last = this.lastCounter;
    if (last !== null && code == this.lastCode) return last;
    let counter: Counter;
    if (this.byCode.has(code)) {
      counter = this.byCode.get(code);
    } else {
      counter = this.metrics.requests.with(this.labels + "," + label("code", code.toString()));
      this.byCode.set(code, counter);
    }
    this.lastCode = code;
    this.lastCounter = counter;
    return counter;
  }
}

class Metrics {
  readonly requests: CounterFamily;
  readonly duration: HistogramFamily;
  readonly requestBytes: CounterFamily;
  readonly responseBytes: CounterFamily;
  readonly spansExported: Counter;
  readonly spansDropped: Counter;
  /** Series by route, then by cluster. */
  private readonly series: Map<string, Map<string, Series>> = new Map<string, Map<string, Series>>();
  /** The series last asked for: consecutive requests mostly share a route and cluster, and comparing two strings costs less than hashing them. */
  private lastSeries: Series | null = null;
  private lastRoute: string = "";
  private lastCluster: string = "";

  constructor(prefix: string) {
    this.requests = new CounterFamily(prefix + "requests_total");
    this.duration = new HistogramFamily(prefix + "request_duration_milliseconds");
    this.requestBytes = new CounterFamily(prefix + "request_bytes_total");
    this.responseBytes = new CounterFamily(prefix + "response_bytes_total");
    this.spansExported = new Counter(prefix + "spans_exported_total");
    this.spansDropped = new Counter(prefix + "spans_dropped_total");
  }

  seriesOf(route: string, cluster: string): Series {
    const last = this.lastSeries;
    if (last !== null && route == this.lastRoute && cluster == this.lastCluster) return last;
    const series = this.lookUp(route, cluster);
    this.lastSeries = series;
    this.lastRoute = route;
    this.lastCluster = cluster;
    return series;
  }

  private lookUp(route: string, cluster: string): Series {
    let byCluster: Map<string, Series>;
    if (this.series.has(route)) {
      byCluster = this.series.get(route);
    } else {
      byCluster = new Map<string, Series>();
      this.series.set(route, byCluster);
    }
    if (byCluster.has(cluster)) return byCluster.get(cluster);
    const series = new Series(this, route, cluster);
    byCluster.set(cluster, series);
    return series;
  }
}

class TelemetryRoot extends RootContext {
  metricsEnabled: bool = true;
  metrics: Metrics = new Metrics("weft_filter_");
  exporter: Exporter | null = null;
  samplingRate: f64 = 1;
  readB3: bool = true;
  accessLogFields: string[] = [];
  /** Finished spans as OTLP JSON, waiting for the next export. */
  queue: string[] = [];
  exporting: i32 = 0;

  onConfigure(configuration: string): bool {
    const config = readConfig("telemetry", configSchema, configuration);
    if (config === null) return false;
    const metrics = config.get("metrics");
    this.metricsEnabled = metrics === null || metrics.getBool("enabled", true);
    this.metrics = new Metrics(metrics === null ? "weft_filter_" : metrics.getString("prefix", "weft_filter_"));
    const accessLog = config.get("accessLog");
    const fields = accessLog === null ? new Array<string>() : accessLog.getStringArray("fields");
    for (let i = 0; i < fields.length; i++) {
      if (!isAccessLogField(fields[i])) return rejectConfig("telemetry", "/accessLog/fields/" + i.toString(), "is not a known field");
    }
    this.accessLogFields = fields;
    const tracing = config.get("tracing");
    if (tracing === null) {
      this.exporter = null;
      this.setTickPeriod(0);
      return true;
    }
    const cluster = tracing.getString("collectorCluster");
    this.exporter = new Exporter(
      cluster, tracing.getString("collectorPath", "/v1/traces"), tracing.getString("collectorAuthority", cluster),
      tracing.getString("serviceName", "weft"), <i32>tracing.getNumber("maxBatch", 512), <i32>tracing.getNumber("maxQueue", 4096),
    );
    this.samplingRate = tracing.getNumber("samplingRate", 1);
    this.readB3 = tracing.getBool("b3", true);
    this.setTickPeriod(<u32>tracing.getNumber("exportIntervalMs", 1000));
    return true;
  }

  record(span: string): void {
    if (this.queue.length >= this.exporter!.maxQueue) {
      this.metrics.spansDropped.increment();
      return;
    }
    this.queue.push(span);
  }

  /** Sends one batch per tick; a batch in flight blocks the next, so a slow collector costs memory up to maxQueue, then drops. */
  onTick(): void {
    const exporter = this.exporter;
    if (exporter === null || this.queue.length == 0 || this.exporting > 0) return;
    const count = min(this.queue.length, exporter.maxBatch);
    const batch = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    const status = this.httpCall(exporter.cluster, [
      new HeaderPair(":method", "POST"), new HeaderPair(":path", exporter.path),
      new HeaderPair(":authority", exporter.authority), new HeaderPair("content-type", "application/json"),
    ], exportRequestJson(exporter.serviceName, version, batch), 5000, onExportResponse);
    if (status != Status.Ok) {
      this.exportFinished(count, false, "cannot call cluster " + exporter.cluster);
      return;
    }
    this.exporting = count;
  }

  exportFinished(count: i32, ok: bool, problem: string): void {
    this.exporting = 0;
    if (ok) {
      this.metrics.spansExported.increment(<u64>count);
      return;
    }
    this.metrics.spansDropped.increment(<u64>count);
    logWarn("telemetry: dropped " + count.toString() + " spans: " + problem);
  }

  createHttpContext(contextId: u32): HttpContext {
    return new TelemetryStream(contextId, this);
  }
}

function onExportResponse(origin: Context, response: HttpCallResponse): void {
  const root = changetype<TelemetryRoot>(origin);
  const ok = !response.failed && response.statusCode >= 200 && response.statusCode < 300;
  root.exportFinished(root.exporting, ok, response.failed ? "the collector did not answer" : "the collector answered " + response.statusCode.toString());
}

const requestFacts = new RequestFacts();

class TelemetryStream extends HttpContext {
  startNanoseconds: u64 = 0;
  requestBytes: u64 = 0;
  responseBytes: u64 = 0;
  trace: TraceContext | null = null;

  constructor(contextId: u32, public readonly config: TelemetryRoot) {
    super(contextId, config);
  }

  onRequestHeaders(_headerCount: u32, _endOfStream: bool): Action {
    this.startNanoseconds = currentTimeNanoseconds();
    if (this.config.exporter !== null) this.trace = propagate(this.config.readB3, this.config.samplingRate);
    return Action.Continue;
  }

  onRequestBody(bodySize: u32, _endOfStream: bool): Action {
    this.requestBytes += bodySize;
    return Action.Continue;
  }

  onResponseBody(bodySize: u32, _endOfStream: bool): Action {
    this.responseBytes += bodySize;
    return Action.Continue;
  }

  onLog(): void {
    const root = this.config;
    const trace = this.trace;
    const tracing = trace !== null && trace.sampled;
    if (!root.metricsEnabled && !tracing && root.accessLogFields.length == 0) return;
    // A request a filter answered before it reached this one never started here.
    if (this.startNanoseconds == 0) this.startNanoseconds = currentTimeNanoseconds();
    const end = currentTimeNanoseconds();
    // One record serves every request (onLog finishes with it before it returns): every field is set below.
    const facts = requestFacts;
    facts.startMilliseconds = this.startNanoseconds / 1_000_000;
    facts.durationMilliseconds = (end - this.startNanoseconds) / 1_000_000;
    facts.status = getPropertyInteger(responseCodeProperty, 0);
    const route = getPropertyString(routeProperty);
    const cluster = getPropertyString(clusterProperty);
    facts.route = route === null ? "" : route;
    facts.cluster = cluster === null ? "" : cluster;
    facts.requestBytes = this.requestBytes;
    facts.responseBytes = this.responseBytes;
    if (root.metricsEnabled) this.countRequest(facts);
    if (tracing) this.recordSpan(trace!, facts, end);
    facts.traceId = trace !== null ? trace.traceId : "";
    facts.spanId = trace !== null ? trace.spanId : "";
    if (root.accessLogFields.length > 0) logInfo(accessLogLine(root.accessLogFields, facts));
  }

  private countRequest(facts: RequestFacts): void {
    const series = this.config.metrics.seriesOf(facts.route, facts.cluster);
    series.requests(facts.status).increment();
    series.duration.record(facts.durationMilliseconds);
    if (facts.requestBytes > 0) series.requestBytes.increment(facts.requestBytes);
    if (facts.responseBytes > 0) series.responseBytes.increment(facts.responseBytes);
  }

  private recordSpan(trace: TraceContext, facts: RequestFacts, end: u64): void {
    const span = new SpanRecord();
    const method = requestHeaders.get(":method");
    const path = requestHeaders.get(":path");
    const authority = requestHeaders.get(":authority");
    span.method = method === null ? "" : method;
    span.path = path === null ? "" : pathOnly(path);
    span.authority = authority === null ? "" : authority;
    // Route names keep span names few (OpenTelemetry's advice); the path goes in an attribute.
    span.name = facts.route.length > 0 ? span.method + " " + facts.route : span.method;
    span.startNanoseconds = this.startNanoseconds;
    span.endNanoseconds = end;
    span.status = facts.status;
    span.route = facts.route;
    span.cluster = facts.cluster;
    span.clientAddress = clientAddress();
    const principal = callerPrincipal();
    if (principal !== null) span.principal = principal;
    this.config.record(spanJson(trace, span));
  }
}

setRootContext((contextId: u32): RootContext => new TelemetryRoot(contextId));
