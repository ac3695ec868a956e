// The verified client's workload identity handed to the app as x-forwarded-client-cert, never what the client claimed.
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { peerIdentity } from '../identity/tls.ts';

export const XFCC = 'x-forwarded-client-cert';

/**
 * Envoy's format (`By=` this workload, `URI=` the peer): the header is removed first, so a client cannot forge
 * it; it is set only when the certificate the handshake verified names a workload.
 */
export function stampClientCert(req: http.IncomingMessage, own: string): void {
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (raw[i].toLowerCase() === XFCC) raw.splice(i, 2);
  }
  const peer = peerIdentity(req.socket as TLSSocket);
  if (peer) raw.push(XFCC, `By=${own};URI=${peer}`);
}
