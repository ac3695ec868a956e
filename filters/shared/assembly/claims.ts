// The request header through which auth hands a verified JWT claim to later filters (ratelimit keys on it).

/** `x-weft-claim-<claim>`: what auth forwards a claim as unless its config names another header. */
export function claimHeader(claim: string): string {
  return "x-weft-claim-" + claim.toLowerCase();
}
