-- wrk script of the Weft bench: optional random think time per request, and one JSON result line.
local think_ms = tonumber(os.getenv("WEFT_BENCH_THINK_MS") or "0")

if think_ms > 0 then
  -- Uniform in [0.5, 1.5] x the mean, so connections drift apart instead of firing in lockstep.
  function delay()
    return math.floor(think_ms * (0.5 + math.random()) + 0.5)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWEFT_BENCH_RESULT {"requests":%d,"seconds":%.6f,"errors":%d,"latencyUs":{"p50":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
