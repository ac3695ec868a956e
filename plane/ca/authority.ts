// The plane's certificate authority: its signing key and roots (generated under <data-dir>/ca, or supplied), published to the store as the trust bundle; issuance, rotation.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { privateDir } from '../../core/state/data-dir.ts';
import { writePrivateFile } from '../../core/state/private-file.ts';
import type { IssuedCertificate } from '../../core/identity/protocol.ts';
import { parseSpiffeId, spiffeId, uriSans } from '../../core/identity/spiffe.ts';
import type { WorkloadId } from '../../core/identity/spiffe.ts';
import { certPem, generateKeyPair, importSigningKey, privateKeyPem, splitPem, x509 } from '../../core/identity/x509.ts';
import type { SigningKey } from '../../core/identity/x509.ts';
import { keys } from '../model.ts';
import type { CaRootRecord } from '../model.ts';
import type { Store } from '../store/store.ts';
import { createRoot, leafExtensions } from './profile.ts';

export interface AuthorityOptions {
  dataDir: string;
  trustDomain: string;
  /** Lifetime of workload certificates. */
  certTtlMs: number;
  /** --ca-cert: the signing certificate, then any intermediates, ending with the self-signed root. */
  certFile?: string;
  /** --ca-key: the signing certificate's private key. */
  keyFile?: string;
  /** Where this replica's roots are published: the bundle is every replica's roots, so all replicas send the same snapshot. */
  store: Store;
}

export interface RootStatus {
  fingerprint: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  /** New certificates chain to this root. */
  active: boolean;
  /** When the last certificate issued under this root expires (ms), for roots this plane generated. */
  issuedUntil?: number;
}

export interface CaStatus {
  trustDomain: string;
  /** The CA came from --ca-cert/--ca-key: it is rotated by supplying a new one, not by `weft ca rotate`. */
  supplied: boolean;
  certTtlMs: number;
  roots: RootStatus[];
}

/** A trusted root: its PEM, and for generated roots the number its files carry (root-N.pem). */
interface Root {
  pem: string;
  cert: X509Certificate;
  n?: number;
}

interface Signer {
  cert: x509.X509Certificate;
  /** The same certificate for node:crypto's checks. */
  node: X509Certificate;
  key: SigningKey;
  /** PEMs a leaf is served with: the signer and any intermediates above it, when the signer is not the root. */
  chain: string[];
}

const ROOT_FILE = /^root-(\d+)\.pem$/;

export class Authority {
  readonly trustDomain: string;
  readonly certTtlMs: number;
  readonly #dir: string;
  readonly #supplied: boolean;
  readonly #store: Store;
  #roots: Root[] = [];
  #signer!: Signer;
  /** Root fingerprint → when the last certificate it issued expires (generated roots only; kept in ca/issued.json). */
  #issuedUntil: Record<string, number> = {};

  private constructor(options: AuthorityOptions) {
    this.trustDomain = options.trustDomain;
    this.certTtlMs = options.certTtlMs;
    this.#dir = join(options.dataDir, 'ca');
    this.#supplied = options.certFile !== undefined;
    this.#store = options.store;
  }

  /** Loads the supplied CA, or the generated roots under <data-dir>/ca, creating the first root at first start. */
  static async open(options: AuthorityOptions): Promise<Authority> {
    const ca = new Authority(options);
    if (options.certFile !== undefined || options.keyFile !== undefined) {
      if (!options.certFile || !options.keyFile) throw invalid('--ca-cert and --ca-key go together');
      ca.#loadSupplied(options.certFile, options.keyFile);
    } else {
      privateDir(ca.#dir);
      if (!ca.#rootNumbers().length) await ca.#addRoot(1);
      ca.#loadGenerated();
    }
    await ca.#publish();
    return ca;
  }

  /** Signs a workload certificate for `publicKey` (from a CSR the caller verified) naming `workload`. */
  async issue(publicKey: x509.PublicKey, workload: Omit<WorkloadId, 'trustDomain'>, now: number): Promise<Omit<IssuedCertificate, 'bundle'>> {
    const signer = this.#signer;
    const id = spiffeId({ trustDomain: this.trustDomain, ...workload });
    // Peers' clocks drift: a certificate valid from a little before now is not refused by a peer running behind.
    const notBefore = now - Math.min(60_000, Math.floor(this.certTtlMs / 10));
    const notAfter = Math.min(now + this.certTtlMs, signer.cert.notAfter.getTime());
    const cert = await x509.X509CertificateGenerator.create({
      subject: '', issuer: signer.cert.subjectName, publicKey, signingKey: signer.key.key, signingAlgorithm: signer.key.algorithm,
      notBefore: new Date(notBefore), notAfter: new Date(notAfter), extensions: leafExtensions(id, signer.cert),
    });
    this.#recordIssued(notAfter);
    return { spiffeId: id, cert: certPem(cert), chain: signer.chain, notBefore, notAfter };
  }

  /**
   * The workload of a certificate presented for renewal: signed by this replica's signer or by a root of
   * the bundle (another replica's), valid now, an X.509-SVID of this trust domain. Throws IDENTITY_REFUSED otherwise.
   */
  verifyLeaf(pem: string, bundle: string[], now: number): WorkloadId {
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(pem);
    } catch (err) {
      throw refused(`the current certificate does not parse: ${(err as Error).message}`);
    }
    if (leaf.ca) throw refused('the current certificate is a CA certificate');
    if (Date.parse(leaf.validFrom) > now || Date.parse(leaf.validTo) <= now) throw refused(`the current certificate is not valid now (valid ${leaf.validFrom} to ${leaf.validTo})`);
    // A retired root is in no bundle: its certificates cannot renew.
    const issuers = [this.#signer.node, ...bundle.map((p) => new X509Certificate(p))];
    const issuer = issuers.find((c) => leaf.checkIssued(c) && leaf.verify(c.publicKey));
    if (!issuer) throw refused('the current certificate was not issued by a root this plane trusts');
    const uris = uriSans(leaf.subjectAltName);
    const id = uris.length === 1 ? parseSpiffeId(uris[0]) : undefined;
    if (!id || id.trustDomain !== this.trustDomain) throw refused(`the current certificate names no workload of trust domain ${this.trustDomain}`);
    return id;
  }

  /** Adds a new root that signs from now on; the old ones stay trusted until `retire`. */
  async rotate(): Promise<CaStatus> {
    if (this.#supplied) throw new WeftError(ErrorCodes.CA_CONFLICT, 'this CA was supplied with --ca-cert/--ca-key: rotate it by restarting the plane with the new one');
    await this.#addRoot(Math.max(...this.#rootNumbers()) + 1);
    this.#loadGenerated();
    await this.#publish();
    return this.status();
  }

  /** Stops trusting every root but the active one, once no certificate they issued can still be valid (or with `force`). */
  async retire(force: boolean, now: number): Promise<CaStatus> {
    if (this.#supplied) throw new WeftError(ErrorCodes.CA_CONFLICT, 'this CA was supplied with --ca-cert/--ca-key: it has one root');
    const old = this.#roots.slice(0, -1);
    if (!old.length) throw new WeftError(ErrorCodes.CA_CONFLICT, 'only one root is trusted: nothing to retire (weft ca rotate adds one)');
    for (const r of old) {
      const until = this.#issuedUntil[r.cert.fingerprint256] ?? 0;
      if (until > now && !force) {
        throw new WeftError(ErrorCodes.CA_CONFLICT, `certificates issued under ${r.cert.subject.replace(/\n/g, ', ')} may be valid until ${new Date(until).toISOString()}: retire after that, or with --force (their holders then lose trust)`);
      }
    }
    const retired = join(this.#dir, 'retired');
    privateDir(retired);
    for (const r of old) {
      await this.#store.delete(keys.caRoot(fingerprint(r.cert)));
      for (const ext of ['pem', 'key']) renameSync(join(this.#dir, `root-${r.n}.${ext}`), join(retired, `root-${r.n}.${ext}`));
    }
    this.#loadGenerated();
    return this.status();
  }

  status(): CaStatus {
    return {
      trustDomain: this.trustDomain, supplied: this.#supplied, certTtlMs: this.certTtlMs,
      roots: this.#roots.map((r, i) => ({
        fingerprint: r.cert.fingerprint256, subject: r.cert.subject.replace(/\n/g, ', '),
        notBefore: new Date(r.cert.validFrom).toISOString(), notAfter: new Date(r.cert.validTo).toISOString(),
        active: this.#supplied || i === this.#roots.length - 1,
        ...(this.#supplied ? {} : { issuedUntil: this.#issuedUntil[r.cert.fingerprint256] ?? 0 }),
      })),
    };
  }

  /** Adds this replica's roots to the store's bundle; `addedAt` is kept from the first time, so the order is the same everywhere. */
  async #publish(): Promise<void> {
    for (const r of this.#roots) {
      const record: CaRootRecord = { pem: r.pem, addedAt: Date.now() };
      await this.#store.swap(keys.caRoot(fingerprint(r.cert)), undefined, JSON.stringify(record));
    }
  }

  #rootNumbers(): number[] {
    return readdirSync(this.#dir).map((f) => ROOT_FILE.exec(f)).filter((m) => m !== null).map((m) => Number(m[1]));
  }

  async #addRoot(n: number): Promise<void> {
    const keys = await generateKeyPair();
    const cert = await createRoot(this.trustDomain, n, keys, Date.now());
    // The key first and exclusively (wx): a root file never exists without its key, and two planes never overwrite one.
    writeFileSync(join(this.#dir, `root-${n}.key`), await privateKeyPem(keys.privateKey), { mode: 0o600, flag: 'wx' });
    writeFileSync(join(this.#dir, `root-${n}.pem`), certPem(cert), { mode: 0o600, flag: 'wx' });
  }

  #loadGenerated(): void {
    const numbers = this.#rootNumbers().sort((a, b) => a - b);
    this.#roots = numbers.map((n) => {
      const pem = readFileSync(join(this.#dir, `root-${n}.pem`), 'utf8');
      return { pem, cert: new X509Certificate(pem), n };
    });
    const active = this.#roots.at(-1)!;
    const keyPem = readFileSync(join(this.#dir, `root-${active.n}.key`), 'utf8');
    this.#signer = { cert: new x509.X509Certificate(active.pem), node: active.cert, key: signingKey(keyPem, active.cert, `root-${active.n}.key`), chain: [] };
    const file = join(this.#dir, 'issued.json');
    this.#issuedUntil = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, number> : {};
  }

  #loadSupplied(certFile: string, keyFile: string): void {
    let certs: X509Certificate[];
    let pems: string[];
    let keyPem: string;
    try {
      pems = splitPem(readFileSync(certFile, 'utf8'));
      certs = pems.map((p) => new X509Certificate(p));
      keyPem = readFileSync(keyFile, 'utf8');
    } catch (err) {
      throw invalid(`cannot read the CA: ${(err as Error).message}`);
    }
    if (!certs.length) throw invalid(`--ca-cert ${certFile} holds no certificate`);
    if (!certs[0].ca) throw invalid(`--ca-cert ${certFile}: the first certificate is not a CA`);
    for (let i = 0; i + 1 < certs.length; i++) {
      if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey)) throw invalid(`--ca-cert ${certFile}: certificate ${i + 1} is not issued by certificate ${i + 2}`);
    }
    const root = certs.at(-1)!;
    if (!root.checkIssued(root) || !root.verify(root.publicKey)) throw invalid(`--ca-cert ${certFile} must end with the self-signed root that proxies will trust`);
    this.#roots = [{ pem: pems.at(-1)!, cert: root }];
    this.#signer = { cert: new x509.X509Certificate(pems[0]), node: certs[0], key: signingKey(keyPem, certs[0], keyFile), chain: pems.slice(0, -1) };
  }

  #recordIssued(notAfter: number): void {
    if (this.#supplied) return;
    const fp = this.#roots.at(-1)!.cert.fingerprint256;
    if ((this.#issuedUntil[fp] ?? 0) >= notAfter) return;
    this.#issuedUntil[fp] = notAfter;
    writePrivateFile(join(this.#dir, 'issued.json'), JSON.stringify(this.#issuedUntil));
  }
}

/** The store key's form of a fingerprint: hex, no colons. */
function fingerprint(cert: X509Certificate): string {
  return cert.fingerprint256.replace(/:/g, '').toLowerCase();
}

function signingKey(pem: string, cert: X509Certificate, label: string): SigningKey {
  try {
    if (!cert.checkPrivateKey(createPrivateKey(pem))) throw new Error('it does not match the certificate');
    return importSigningKey(pem);
  } catch (err) {
    throw invalid(`CA key ${label}: ${(err as Error).message}`);
  }
}

function invalid(message: string): WeftError {
  return new WeftError(ErrorCodes.CA_INVALID, message, 2);
}

function refused(message: string): WeftError {
  return new WeftError(ErrorCodes.IDENTITY_REFUSED, message);
}
