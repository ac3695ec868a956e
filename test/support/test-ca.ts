// A throwaway certificate authority for TLS tests: a root, and server or client certificates with the names, validity and issuer a test asks for, written as PEM files (keys 0600, in a 0700 folder).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { certPem, EC_P256, generateKeyPair, privateKeyPem, x509 } from '../../core/identity/x509.ts';
import type { CryptoKeyPair } from '../../core/identity/x509.ts';

const DAY = 24 * 3600_000;

export interface Issued {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface LeafOptions {
  /** DNS names, and IP addresses (a value that parses as one), of the subjectAltName. */
  names: string[];
  /** Validity; default a day back to a day ahead. */
  notBefore?: Date;
  notAfter?: Date;
  /** A client certificate (clientAuth) rather than a server one. */
  client?: boolean;
}

export interface TestCa extends Issued {
  issue(file: string, options: LeafOptions): Promise<Issued>;
}

/** A self-signed root in a new temporary folder (mkdtemp makes it 0700); its certificates are files beside it. */
export async function createTestCa(label: string): Promise<TestCa> {
  const dir = mkdtempSync(join(tmpdir(), `weft-${label}-`));
  const keys = await generateKeyPair();
  const now = Date.now();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${label} test root`, keys, signingAlgorithm: EC_P256,
    notBefore: new Date(now - DAY), notAfter: new Date(now + 30 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const written = await write(dir, 'ca', certPem(root), keys);
  return {
    ...written,
    issue: async (file, o) => {
      const leafKeys = await generateKeyPair();
      const cert = await x509.X509CertificateGenerator.create({
        subject: `CN=${o.names[0]}`, issuer: root.subjectName, publicKey: leafKeys.publicKey, signingKey: keys.privateKey, signingAlgorithm: EC_P256,
        notBefore: o.notBefore ?? new Date(now - DAY), notAfter: o.notAfter ?? new Date(now + DAY),
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([o.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(o.names.map((n) => ({ type: isIP(n) ? 'ip' as const : 'dns' as const, value: n }))),
          new x509.AuthorityKeyIdentifierExtension((root.getExtension(x509.SubjectKeyIdentifierExtension)!).keyId),
        ],
      });
      return write(dir, file, certPem(cert), leafKeys);
    },
  };
}

async function write(dir: string, name: string, cert: string, keys: CryptoKeyPair): Promise<Issued> {
  const key = await privateKeyPem(keys.privateKey);
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key, { mode: 0o600 });
  return { cert, key, certFile, keyFile };
}
