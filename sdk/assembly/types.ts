// The ABI's enumerations with the values proxy-wasm 0.2.1 fixes; filters see these, never raw integers.

/** The result of a host call. */
export enum Status {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  Unimplemented = 12,
}

/** What an HTTP callback tells the host to do with the stream. */
export enum Action {
  /** Pass the headers or body on to the next filter. */
  Continue = 0,
  /** Hold the stream until the filter calls `resumeHttpRequest` / `resumeHttpResponse` or answers locally. */
  Pause = 1,
}

/** Severity of a log line. */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

/** The byte buffers a filter can read, and in some callbacks write. */
export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  ForeignFunctionArguments = 8,
}

/** The header and trailer maps a filter can read, and in some callbacks write. */
export enum MapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

/** The direction of a stream, for resuming or closing it. */
export enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

/** The kinds of metric a filter can define. */
export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}
