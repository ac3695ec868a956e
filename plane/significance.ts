// Fisher's exact test, one-sided: how likely a share of errors at least this high on one version is by chance alone, when both versions fail alike.

/** Lanczos coefficients (g = 7, n = 9): log-gamma to about 15 digits, enough for counts in the millions. */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  // Only called with x >= 1 (factorials), so the reflection formula for x < 0.5 is never needed.
  const z = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * The one-sided p-value of Fisher's exact test: with `errors` of `requests` on one version and `refErrors` of
 * `refRequests` on the other, the chance that the first gets at least `errors` of all the errors if both fail
 * alike (the hypergeometric upper tail). Exact at any sample size, where a normal approximation is not: with
 * errors as rare as a few in a hundred, a z-test calls noise significant.
 */
export function fisherUpperTail(errors: number, requests: number, refErrors: number, refRequests: number): number {
  const total = requests + refRequests;
  const allErrors = errors + refErrors;
  const highest = Math.min(requests, allErrors);
  if (errors > highest) return 0;
  if (errors <= Math.max(0, requests - (total - allErrors))) return 1;
  let term = Math.exp(logChoose(allErrors, errors) + logChoose(total - allErrors, requests - errors) - logChoose(total, requests));
  let sum = 0;
  for (let k = errors; k <= highest; k++) {
    sum += term;
    term *= ((allErrors - k) * (requests - k)) / ((k + 1) * (total - allErrors - requests + k + 1));
    // The terms fall fast past the mode: the rest no longer changes the sum.
    if (term < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}
