// Spans as OTLP/HTTP JSON, queued per worker and exported in batches to the collector cluster.
import { jsonQuote } from "../../../sdk/assembly/index";
import { TraceContext } from "./traceContext";

/** What a finished request contributes to its span. */
export class SpanRecord {
  name: string = "";
  startNanoseconds: u64 = 0;
  endNanoseconds: u64 = 0;
  method: string = "";
  path: string = "";
  authority: string = "";
  status: i64 = 0;
  route: string = "";
  cluster: string = "";
  clientAddress: string = "";
  /** The caller's SPIFFE ID, "" on a plain-text connection. */
  principal: string = "";
}

function stringAttribute(key: string, value: string): string {
  return "{\"key\":" + jsonQuote(key) + ",\"value\":{\"stringValue\":" + jsonQuote(value) + "}}";
}

/** One span of OTLP JSON (ids as hex, 64-bit integers as strings, as the OTLP/HTTP JSON mapping wants). */
export function spanJson(trace: TraceContext, span: SpanRecord): string {
  const attributes = new Array<string>();
  attributes.push(stringAttribute("http.request.method", span.method));
  attributes.push(stringAttribute("url.path", span.path));
  if (span.authority.length > 0) attributes.push(stringAttribute("server.address", span.authority));
  if (span.status > 0) attributes.push("{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"" + span.status.toString() + "\"}}");
  if (span.route.length > 0) attributes.push(stringAttribute("weft.route", span.route));
  if (span.cluster.length > 0) attributes.push(stringAttribute("weft.cluster", span.cluster));
  if (span.clientAddress.length > 0) attributes.push(stringAttribute("client.address", span.clientAddress));
  // OpenTelemetry has no attribute for a peer's SPIFFE ID (tls.client.subject is the subject DN, not the URI SAN), so it goes under weft.
  if (span.principal.length > 0) attributes.push(stringAttribute("weft.source.principal", span.principal));
  // Server errors mark the span as failed (STATUS_CODE_ERROR); anything else is left unset.
  const status = span.status >= 500 ? "{\"code\":2}" : "{}";
  return "{\"traceId\":\"" + trace.traceId + "\",\"spanId\":\"" + trace.spanId + "\"" +
    (trace.parentSpanId.length > 0 ? ",\"parentSpanId\":\"" + trace.parentSpanId + "\"" : "") +
    ",\"name\":" + jsonQuote(span.name) + ",\"kind\":2" +
    ",\"startTimeUnixNano\":\"" + span.startNanoseconds.toString() + "\",\"endTimeUnixNano\":\"" + span.endNanoseconds.toString() + "\"" +
    ",\"attributes\":[" + attributes.join(",") + "],\"status\":" + status + "}";
}

/** An ExportTraceServiceRequest holding `spans` (already JSON) for one service. */
export function exportRequestJson(serviceName: string, scopeVersion: string, spans: string[]): string {
  return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" + stringAttribute("service.name", serviceName) + "]}," +
    "\"scopeSpans\":[{\"scope\":{\"name\":\"weft.telemetry\",\"version\":" + jsonQuote(scopeVersion) + "}," +
    "\"spans\":[" + spans.join(",") + "]}]}]}";
}
