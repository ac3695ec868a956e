// TLS 1.3 between workload identities: context options from an identity, server and client options that verify the peer's SPIFFE ID.
import type { Server, TLSSocket, ConnectionOptions, PeerCertificate, SecureContextOptions, TlsOptions } from 'node:tls';
import type { Identity } from './identity.ts';
import { peerSpiffeId } from './spiffe.ts';

/** Key, certificate chain and trusted roots; TLS 1.3 only (the requirement, and no downgrade to negotiate). */
export function contextOptions(id: Identity): SecureContextOptions {
  return { key: id.key, cert: [id.cert, ...id.chain].join(''), ca: id.bundle, minVersion: 'TLSv1.3' };
}

/**
 * For tls.createServer / https.createServer: every client must present a certificate that chains to the bundle.
 * Which SPIFFE IDs may call is policy (later); peerIdentity(socket) says who called.
 */
export function serverOptions(id: Identity): TlsOptions {
  return { ...contextOptions(id), requestCert: true, rejectUnauthorized: true };
}

/** The code of the errors below: an ERR_TLS_ one, so the upstream side classes a refused identity as a TLS failure. */
const PEER_IDENTITY_MISMATCH = 'ERR_TLS_PEER_IDENTITY';

function identityError(message: string): Error {
  return Object.assign(new Error(message), { code: PEER_IDENTITY_MISMATCH });
}

/**
 * For tls.connect / undici: the server's certificate must chain to the bundle and name a SPIFFE ID that `accept`
 * takes (a string: exactly that ID). Host names play no part: identities are SPIFFE IDs, not DNS names.
 */
export function clientOptions(id: Identity, accept: string | ((spiffeId: string) => boolean)): ConnectionOptions {
  const ok = typeof accept === 'string' ? (s: string) => s === accept : accept;
  return {
    ...contextOptions(id),
    rejectUnauthorized: true,
    checkServerIdentity: (_host: string, cert: PeerCertificate) => {
      const got = peerSpiffeId(cert);
      if (!got) return identityError('the server certificate is not a workload certificate (one SPIFFE ID URI SAN, not a CA)');
      return ok(got) ? undefined : identityError(`the server is ${got}, not ${typeof accept === 'string' ? accept : 'an accepted identity'}`);
    },
  };
}

const PEER = Symbol('weft.peerIdentity');

/**
 * The SPIFFE ID of an authenticated peer on a TLS socket, or undefined when it was not verified or is not a workload
 * certificate. Read once per connection: getPeerCertificate() builds a whole parsed certificate each call (a fifth
 * of a sidecar's CPU when asked per request), and TLS 1.3 has no renegotiation to change the peer.
 */
export function peerIdentity(socket: TLSSocket & { [PEER]?: string | null }): string | undefined {
  let id = socket[PEER];
  if (id === undefined && socket.authorized) {
    id = peerSpiffeId(socket.getPeerCertificate()) ?? null;
    socket[PEER] = id;
  }
  return id ?? undefined;
}

/**
 * Hot swap: new connections get the new certificate and bundle; connections already open keep theirs.
 * Returns the unsubscribe. Listeners in worker threads receive the Identity by message and call
 * server.setSecureContext(contextOptions(identity)) themselves.
 */
export function followIdentity(server: Server, source: { on(event: 'change', fn: (id: Identity) => void): unknown; off(event: 'change', fn: (id: Identity) => void): unknown }): () => void {
  const swap = (id: Identity) => server.setSecureContext(contextOptions(id));
  source.on('change', swap);
  return () => { source.off('change', swap); };
}

/**
 * A worker's client side of mTLS: options per accepted set of peer identities, built once per identity so a
 * connector can tell by object identity that a renewal happened.
 */
export class WorkloadTls {
  private identity: Identity | undefined;
  private readonly byPeers = new Map<string, ConnectionOptions>();

  use(identity: Identity | undefined): void {
    this.identity = identity;
    this.byPeers.clear();
  }

  /** Throws when the proxy has no workload identity: a sidecar's peer is never dialled in plain text. */
  clientOptions(peers: readonly string[]): ConnectionOptions {
    const key = peers.join(' ');
    let o = this.byPeers.get(key);
    if (!o) {
      if (!this.identity) throw identityError('no workload identity to dial another sidecar with (weft proxy --join-token)');
      o = clientOptions(this.identity, peers.length === 1 ? peers[0] : (id) => peers.includes(id));
      this.byPeers.set(key, o);
    }
    return o;
  }
}
