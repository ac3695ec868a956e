// What a proxy keeps under --data-dir: fetched modules by digest, and the last snapshot it applied (served at once after a restart).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from './snapshot.ts';
import { sha256Hex } from './signature.ts';

export class ControlDisk {
  readonly dir: string;
  readonly modulesDir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.modulesDir = join(dir, 'modules');
    mkdirSync(this.modulesDir, { recursive: true });
  }

  modulePath(sha256: string): string {
    return join(this.modulesDir, `${sha256}.wasm`);
  }

  /** The cached bytes, or undefined when absent or corrupt (the digest is checked on every read). */
  readModule(sha256: string): Uint8Array | undefined {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(this.modulePath(sha256)));
    } catch {
      return undefined;
    }
    return sha256Hex(bytes) === sha256 ? bytes : undefined;
  }

  writeModule(sha256: string, bytes: Uint8Array): void {
    atomicWrite(this.modulePath(sha256), bytes);
  }

  readLastGood(): Snapshot | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, 'last-good.json'), 'utf8')) as Snapshot;
    } catch {
      return undefined;
    }
  }

  writeLastGood(snapshot: Snapshot): void {
    atomicWrite(join(this.dir, 'last-good.json'), JSON.stringify(snapshot));
  }
}

/** Write-then-rename: a crash mid-write leaves the old file, never half a new one. */
function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
