// The PEM files a config names (the listener's certificate, clusters' CAs and client certificates): read once at load, so one that cannot be read or used is named by its config path.
import { X509Certificate } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { fileError } from '../cli/files.ts';
import { splitPem } from '../identity/pem.ts';
import type { TlsSettings, UpstreamTlsSettings } from './settings.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');
const { createSecureContext } = process.getBuiltinModule('node:tls');

/** Reads each named file; one that cannot be read is a problem at `at.KEY`, and is missing from the result. */
function readFiles<K extends string>(at: string, paths: Partial<Record<K, string>>, problems: string[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [k, path] of Object.entries(paths) as [K, string][]) {
    try {
      out[k] = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${at}${k}: ${fileError('read', path, err).message}`);
    }
  }
  return out;
}

/** A certificate and key that cannot serve together (not PEM, or not a pair) is a problem at `at`. */
function checkPair(at: string, what: string, cert: string, key: string, problems: string[]): boolean {
  try {
    createSecureContext({ cert, key });
    return true;
  } catch (err) {
    problems.push(`${at}: the ${what} and key cannot be used together: ${(err as Error).message}`);
    return false;
  }
}

/** The listener's certificate and key, read here only to name a missing file or a key that does not match at load. */
export function listenerTls(t: { cert: string; key: string }, baseDir: string, problems: string[]): TlsSettings | undefined {
  const paths = { cert: resolve(baseDir, t.cert), key: resolve(baseDir, t.key) };
  const pem = readFiles('tls.', paths, problems);
  if (pem.cert === undefined || pem.key === undefined) return undefined;
  return checkPair('tls', 'certificate', pem.cert, pem.key, problems) ? paths : undefined;
}

export type RawUpstreamTls = { sni?: string; caFile?: string; certFile?: string; keyFile?: string; insecureSkipVerify?: boolean };

/** What the config's files hold, or how they are to be found elsewhere. */
export type FileMode =
  /** Read them now, relative paths from `baseDir` (a proxy loading its config or a snapshot). */
  | { read: true; baseDir: string }
  /** They live on other hosts (the plane checking a mesh document for every proxy): only absolute paths make sense. */
  | { read: false };

const PATH_KEYS = ['caFile', 'certFile', 'keyFile'] as const;
const PEM_KEY = { caFile: 'ca', certFile: 'cert', keyFile: 'key' } as const;

/**
 * A cluster's TLS settings with its files' contents, or undefined after a problem (each at `at.caFile` and so on):
 * a file that cannot be read, a CA file with no certificate in it, a client certificate and key that do not match.
 */
export function upstreamTls(t: RawUpstreamTls, at: string, files: FileMode, problems: string[]): UpstreamTlsSettings | undefined {
  const out: UpstreamTlsSettings = { insecureSkipVerify: t.insecureSkipVerify ?? false };
  if (t.sni !== undefined) out.sni = t.sni;
  const before = problems.length;
  if (!files.read) {
    for (const k of PATH_KEYS) {
      const path = t[k];
      if (path !== undefined && !isAbsolute(path)) problems.push(`${at}.${k}: must be an absolute path: each proxy reads it on its own host (got "${path}")`);
    }
    return problems.length === before ? out : undefined;
  }
  const paths: Partial<Record<(typeof PATH_KEYS)[number], string>> = {};
  for (const k of PATH_KEYS) if (t[k] !== undefined) paths[k] = resolve(files.baseDir, t[k]);
  const pem = readFiles(`${at}.`, paths, problems);
  for (const k of PATH_KEYS) if (pem[k] !== undefined) out[PEM_KEY[k]] = pem[k];
  if (out.ca !== undefined) {
    const certs = splitPem(out.ca);
    if (!certs.length) problems.push(`${at}.caFile: ${paths.caFile} holds no PEM certificate`);
    for (const c of certs) {
      try {
        new X509Certificate(c);
      } catch (err) {
        problems.push(`${at}.caFile: a certificate in ${paths.caFile} does not parse: ${(err as Error).message}`);
        break;
      }
    }
  }
  if (out.cert !== undefined && out.key !== undefined) checkPair(at, 'client certificate', out.cert, out.key, problems);
  return problems.length === before ? out : undefined;
}
