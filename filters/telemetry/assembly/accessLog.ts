// The access log line: the configured fields of a finished request, as one JSON object.
import { getPropertyString, jsonQuote, requestHeaders, responseHeaders } from "../../../sdk/assembly/index";
import { callerPrincipal, clientAddress } from "../../shared/assembly/request";

const knownFields = [
  "start_time", "method", "path", "authority", "status", "duration_ms", "route", "cluster", "client_address", "principal",
  "request_bytes", "response_bytes", "user_agent", "request_id", "trace_id", "span_id",
];
const requestHeaderField = "request_header:";
const responseHeaderField = "response_header:";

/** Whether `field` is one the access log knows. */
export function isAccessLogField(field: string): bool {
  if (knownFields.includes(field)) return true;
  return (field.startsWith(requestHeaderField) && field.length > requestHeaderField.length) ||
    (field.startsWith(responseHeaderField) && field.length > responseHeaderField.length);
}

/** The facts of a finished request the filter measured itself; the rest are read from the host when the line is written. */
export class RequestFacts {
  startMilliseconds: u64 = 0;
  durationMilliseconds: u64 = 0;
  status: i64 = 0;
  route: string = "";
  cluster: string = "";
  requestBytes: u64 = 0;
  responseBytes: u64 = 0;
  traceId: string = "";
  spanId: string = "";
}

function headerOrEmpty(value: string | null): string {
  return value === null ? "" : value;
}

function fieldValue(field: string, facts: RequestFacts): string {
  if (field == "start_time") return jsonQuote(new Date(<i64>facts.startMilliseconds).toISOString());
  if (field == "method") return jsonQuote(headerOrEmpty(requestHeaders.get(":method")));
  if (field == "path") return jsonQuote(headerOrEmpty(requestHeaders.get(":path")));
  if (field == "authority") return jsonQuote(headerOrEmpty(requestHeaders.get(":authority")));
  if (field == "status") return facts.status.toString();
  if (field == "duration_ms") return facts.durationMilliseconds.toString();
  if (field == "route") return jsonQuote(facts.route);
  if (field == "cluster") return jsonQuote(facts.cluster);
  if (field == "client_address") return jsonQuote(clientAddress());
  if (field == "principal") {
    // null, not "", so that a plain-text caller cannot be mistaken for a workload with an empty name.
    const principal = callerPrincipal();
    return principal === null ? "null" : jsonQuote(principal);
  }
  if (field == "request_bytes") return facts.requestBytes.toString();
  if (field == "response_bytes") return facts.responseBytes.toString();
  if (field == "user_agent") return jsonQuote(headerOrEmpty(requestHeaders.get("user-agent")));
  if (field == "request_id") {
    const id = getPropertyString(["request", "id"]);
    return jsonQuote(id === null ? "" : id);
  }
  if (field == "trace_id") return jsonQuote(facts.traceId);
  if (field == "span_id") return jsonQuote(facts.spanId);
  if (field.startsWith(requestHeaderField)) return jsonQuote(headerOrEmpty(requestHeaders.get(field.substring(requestHeaderField.length))));
  return jsonQuote(headerOrEmpty(responseHeaders.get(field.substring(responseHeaderField.length))));
}

/** `{"field": value, ...}` in the configured order. */
export function accessLogLine(fields: string[], facts: RequestFacts): string {
  const parts = new Array<string>(fields.length);
  for (let i = 0; i < fields.length; i++) parts[i] = jsonQuote(fields[i]) + ":" + fieldValue(fields[i], facts);
  return "{" + parts.join(",") + "}";
}
