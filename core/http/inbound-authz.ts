// The inbound side's authorization step: the caller's verified identity checked against its service's policy, counted and logged.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { authzLogFields } from '../authz/authorizer.ts';
import type { Authorizer, AuthzDecision } from '../authz/authorizer.ts';
import type { WorkerMetrics } from '../observe/metrics.ts';
import { peerIdentity } from '../identity/tls.ts';

/** The caller's SPIFFE ID, from the client certificate the handshake verified; undefined on plain text (permissive mode). */
export function callerIdentity(req: IncomingMessage): string | undefined {
  const socket = req.socket as TLSSocket;
  return socket.encrypted ? peerIdentity(socket) : undefined;
}

/** The caller a request is counted under: its SPIFFE ID where the listener counts by caller (a sidecar's inbound side), else none. */
export function countedCaller(traffic: { readonly byCaller: boolean }, req: IncomingMessage): string | undefined {
  return traffic.byCaller ? callerIdentity(req) : undefined;
}

/**
 * Every decision is counted; a deny that audit mode lets pass is logged at warn (what enforcing would break), a real
 * deny at info (the 403 is its record). Returns the decision (the request's story records it); refuse when not `allowed`.
 */
export function authorize(authz: Authorizer, req: IncomingMessage, metrics: WorkerMetrics, log: Logger): AuthzDecision {
  const principal = callerIdentity(req);
  const d = authz.check(principal, req.method!, req.url!, req.rawHeaders);
  metrics.authz(authz.service, d);
  if (d.allowed && d.decision === 'allow') return d;
  const fields = authzLogFields(authz.service, d, principal, req.method!, req.url!);
  if (d.allowed) log.warn(fields, 'authorization policy would deny this request (audit mode)');
  else log.info(fields, 'denied by authorization policy');
  return d;
}
