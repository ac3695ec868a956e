// The proxy-wasm 0.2.1 host functions, declared once with camelCase names over the ABI's own import names.
// Pointers and sizes are u32 (wasm32); `*Out` parameters point at slots the host writes (see memory.ts).
// Only the functions a filter actually calls end up in its import section.

// Context

@external("env", "proxy_set_effective_context")
export declare function proxySetEffectiveContext(contextId: u32): u32;

// Logging, time and timers

@external("env", "proxy_log")
export declare function proxyLog(level: u32, messagePtr: usize, messageSize: usize): u32;

@external("env", "proxy_get_log_level")
export declare function proxyGetLogLevel(levelOut: usize): u32;

@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxyGetCurrentTimeNanoseconds(timeOut: usize): u32;

@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxySetTickPeriodMilliseconds(milliseconds: u32): u32;

// Buffers

@external("env", "proxy_get_buffer_bytes")
export declare function proxyGetBufferBytes(bufferType: u32, start: u32, maxSize: u32, dataPtrOut: usize, dataSizeOut: usize): u32;

@external("env", "proxy_set_buffer_bytes")
export declare function proxySetBufferBytes(bufferType: u32, start: u32, size: u32, dataPtr: usize, dataSize: usize): u32;

@external("env", "proxy_get_buffer_status")
export declare function proxyGetBufferStatus(bufferType: u32, lengthOut: usize, flagsOut: usize): u32;

// Header maps

@external("env", "proxy_get_header_map_pairs")
export declare function proxyGetHeaderMapPairs(mapType: u32, dataPtrOut: usize, dataSizeOut: usize): u32;

@external("env", "proxy_set_header_map_pairs")
export declare function proxySetHeaderMapPairs(mapType: u32, dataPtr: usize, dataSize: usize): u32;

@external("env", "proxy_get_header_map_value")
export declare function proxyGetHeaderMapValue(mapType: u32, keyPtr: usize, keySize: usize, valuePtrOut: usize, valueSizeOut: usize): u32;

@external("env", "proxy_add_header_map_value")
export declare function proxyAddHeaderMapValue(mapType: u32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): u32;

@external("env", "proxy_replace_header_map_value")
export declare function proxyReplaceHeaderMapValue(mapType: u32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): u32;

@external("env", "proxy_remove_header_map_value")
export declare function proxyRemoveHeaderMapValue(mapType: u32, keyPtr: usize, keySize: usize): u32;

// Streams

@external("env", "proxy_continue_stream")
export declare function proxyContinueStream(streamType: u32): u32;

@external("env", "proxy_close_stream")
export declare function proxyCloseStream(streamType: u32): u32;

@external("env", "proxy_send_local_response")
export declare function proxySendLocalResponse(
  statusCode: u32,
  detailsPtr: usize, detailsSize: usize,
  bodyPtr: usize, bodySize: usize,
  headersPtr: usize, headersSize: usize,
  grpcStatus: i32,
): u32;

// HTTP callouts

@external("env", "proxy_http_call")
export declare function proxyHttpCall(
  upstreamPtr: usize, upstreamSize: usize,
  headersPtr: usize, headersSize: usize,
  bodyPtr: usize, bodySize: usize,
  trailersPtr: usize, trailersSize: usize,
  timeoutMilliseconds: u32,
  tokenOut: usize,
): u32;

// Shared data and queues

@external("env", "proxy_get_shared_data")
export declare function proxyGetSharedData(keyPtr: usize, keySize: usize, valuePtrOut: usize, valueSizeOut: usize, casOut: usize): u32;

@external("env", "proxy_set_shared_data")
export declare function proxySetSharedData(keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize, cas: u32): u32;

@external("env", "proxy_register_shared_queue")
export declare function proxyRegisterSharedQueue(namePtr: usize, nameSize: usize, queueIdOut: usize): u32;

@external("env", "proxy_resolve_shared_queue")
export declare function proxyResolveSharedQueue(vmIdPtr: usize, vmIdSize: usize, namePtr: usize, nameSize: usize, queueIdOut: usize): u32;

@external("env", "proxy_enqueue_shared_queue")
export declare function proxyEnqueueSharedQueue(queueId: u32, valuePtr: usize, valueSize: usize): u32;

@external("env", "proxy_dequeue_shared_queue")
export declare function proxyDequeueSharedQueue(queueId: u32, valuePtrOut: usize, valueSizeOut: usize): u32;

// Metrics

@external("env", "proxy_define_metric")
export declare function proxyDefineMetric(metricType: u32, namePtr: usize, nameSize: usize, metricIdOut: usize): u32;

@external("env", "proxy_increment_metric")
export declare function proxyIncrementMetric(metricId: u32, offset: i64): u32;

@external("env", "proxy_record_metric")
export declare function proxyRecordMetric(metricId: u32, value: u64): u32;

@external("env", "proxy_get_metric")
export declare function proxyGetMetric(metricId: u32, valueOut: usize): u32;

// Properties and foreign functions

@external("env", "proxy_get_property")
export declare function proxyGetProperty(pathPtr: usize, pathSize: usize, valuePtrOut: usize, valueSizeOut: usize): u32;

@external("env", "proxy_set_property")
export declare function proxySetProperty(pathPtr: usize, pathSize: usize, valuePtr: usize, valueSize: usize): u32;

@external("env", "proxy_call_foreign_function")
export declare function proxyCallForeignFunction(namePtr: usize, nameSize: usize, argumentsPtr: usize, argumentsSize: usize, resultPtrOut: usize, resultSizeOut: usize): u32;
