// The filter author's API: everything a filter imports, in one place.
export { Action, BufferType, LogLevel, MapType, MetricType, Status, StreamType } from "./types";
export { Context } from "./context";
export { RootContext } from "./rootContext";
export { HttpContext } from "./httpContext";
export { setRootContext, RootContextFactory } from "./registry";
export {
  HeaderMap, HeaderPair, requestHeaders, requestTrailers, responseHeaders, responseTrailers,
  httpCallResponseHeaders, httpCallResponseTrailers,
} from "./headers";
export { HostBuffer, requestBody, responseBody, httpCallResponseBody } from "./buffers";
export { sendLocalResponse, resumeHttpRequest, resumeHttpResponse, closeHttpStream, enterStream } from "./stream";
export { HttpCallCallback, HttpCallResponse } from "./httpCall";
export { getProperty, getPropertyInteger, getPropertyString, setProperty } from "./properties";
export { getSharedData, setSharedData, SharedValue, SharedValueBuffer } from "./sharedData";
export { dequeueSharedQueue, enqueueSharedQueue, registerSharedQueue, resolveSharedQueue } from "./sharedQueue";
export { Counter, Gauge, Histogram, Metric } from "./metrics";
export { log, logTrace, logDebug, logInfo, logWarn, logError, logCritical, getLogLevel } from "./log";
export { currentTimeMilliseconds, currentTimeNanoseconds } from "./time";
export { callForeignFunction, ForeignResult } from "./foreign";
export { JsonKind, JsonValue, jsonQuote, parseJson } from "./json";
export { describeFilter } from "./metadata";
// Linked in so that `--use abort=…/abort/abortFilter` finds it in every filter.
export { abortFilter } from "./abort";
