// Trace context propagation: W3C traceparent (continued or started), B3 as a fallback, a new span id per hop.
import { requestHeaders } from "../../../sdk/assembly/index";
import { isLowerHex, randomHex } from "../../shared/assembly/hex";

const zeroTraceId = "00000000000000000000000000000000";
const zeroSpanId = "0000000000000000";
const hexDigits = "0123456789abcdef";

/** Where the trace of this request came from; `parentSpanId` is "" for a trace this hop started. */
export class TraceContext {
  constructor(
    public readonly traceId: string,
    public readonly parentSpanId: string,
    public readonly spanId: string,
    public readonly sampled: bool,
  ) {}

  get traceparent(): string {
    return "00-" + this.traceId + "-" + this.spanId + (this.sampled ? "-01" : "-00");
  }
}

/** A valid incoming traceparent (W3C Trace Context level 1), or null. */
function fromTraceparent(value: string | null): TraceContext | null {
  if (value === null || value.length < 55) return null;
  const version = value.substring(0, 2);
  // Version ff is forbidden; later versions may append fields after a dash, which are ignored.
  if (!isLowerHex(version, 2) || version == "ff" || (version == "00" && value.length != 55) || (value.length > 55 && value.charAt(55) != "-")) return null;
  if (value.charAt(2) != "-" || value.charAt(35) != "-" || value.charAt(52) != "-") return null;
  const traceId = value.substring(3, 35);
  const parentId = value.substring(36, 52);
  const flags = value.substring(53, 55);
  if (!isLowerHex(traceId, 32) || !isLowerHex(parentId, 16) || !isLowerHex(flags, 2)) return null;
  if (traceId == zeroTraceId || parentId == zeroSpanId) return null;
  const sampled = (hexDigits.indexOf(flags.charAt(1)) & 1) == 1;
  return new TraceContext(traceId, parentId, randomHex(8), sampled);
}

/** B3 ids are 16 or 32 hex digits; a 64-bit trace id is left-padded to W3C's 128 bits. */
function b3TraceId(value: string): string | null {
  const id = value.toLowerCase();
  if (isLowerHex(id, 32)) return id == zeroTraceId ? null : id;
  if (isLowerHex(id, 16)) return id == zeroSpanId ? null : "0000000000000000" + id;
  return null;
}

/** B3 single (`b3: trace-span-sampled-parent`) or multi (`x-b3-traceid`, ...) headers, or null. */
function fromB3(): TraceContext | null {
  const single = requestHeaders.get("b3");
  let traceId: string | null = null;
  let spanId = "";
  let sampledFlag = "";
  if (single !== null) {
    const parts = single.split("-");
    if (parts.length < 2) return null;
    traceId = b3TraceId(parts[0]);
    spanId = parts[1].toLowerCase();
    if (parts.length > 2) sampledFlag = parts[2];
  } else {
    const multiTrace = requestHeaders.get("x-b3-traceid");
    const multiSpan = requestHeaders.get("x-b3-spanid");
    if (multiTrace === null || multiSpan === null) return null;
    traceId = b3TraceId(multiTrace);
    spanId = multiSpan.toLowerCase();
    const sampled = requestHeaders.get("x-b3-sampled");
    const debug = requestHeaders.get("x-b3-flags");
    sampledFlag = debug !== null && debug == "1" ? "d" : sampled === null ? "" : sampled;
  }
  if (traceId === null || !isLowerHex(spanId, 16) || spanId == zeroSpanId) return null;
  // An absent decision defers to us; "d" (debug) means sampled.
  const sampled = sampledFlag != "0" && sampledFlag != "false";
  return new TraceContext(traceId!, spanId, randomHex(8), sampled);
}

/**
 * The trace of the current request: continued from `traceparent`, else from B3 (when `readB3`),
 * else started here and sampled with probability `samplingRate`. The request leaves with a
 * traceparent naming this hop's span (tracestate passes untouched); B3 headers that came in are
 * updated the same way, so B3-only services downstream keep the trace too.
 */
export function propagate(readB3: bool, samplingRate: f64): TraceContext {
  let context = fromTraceparent(requestHeaders.get("traceparent"));
  if (context === null && readB3) {
    context = fromB3();
    if (context !== null) updateB3(context);
  }
  if (context === null) context = new TraceContext(randomHex(16), "", randomHex(8), Math.random() < samplingRate);
  requestHeaders.set("traceparent", context.traceparent);
  return context;
}

function updateB3(context: TraceContext): void {
  const sampled = context.sampled ? "1" : "0";
  if (requestHeaders.get("b3") !== null) {
    requestHeaders.set("b3", context.traceId + "-" + context.spanId + "-" + sampled + "-" + context.parentSpanId);
    return;
  }
  requestHeaders.set("x-b3-spanid", context.spanId);
  requestHeaders.set("x-b3-parentspanid", context.parentSpanId);
  requestHeaders.set("x-b3-sampled", sampled);
}
