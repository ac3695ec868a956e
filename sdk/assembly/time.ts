// The host's wall clock, which filters use for token buckets and expiry checks.
import { proxyGetCurrentTimeNanoseconds } from "./abi/imports";
import { outWide } from "./abi/memory";

/** Nanoseconds since the Unix epoch, as the host's clock says. */
export function currentTimeNanoseconds(): u64 {
  store<u64>(outWide, 0);
  proxyGetCurrentTimeNanoseconds(outWide);
  return load<u64>(outWide);
}

/** Milliseconds since the Unix epoch, as the host's clock says. */
export function currentTimeMilliseconds(): u64 {
  return currentTimeNanoseconds() / 1_000_000;
}
