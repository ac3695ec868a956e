// What a proxy keeps under --data-dir: fetched modules by digest, and the last snapshot it applied (served at once after a restart).
import { join } from 'node:path';
import type { Snapshot } from './snapshot.ts';
import { sha256Hex } from './signature.ts';
import { privateDir } from '../state/data-dir.ts';
import { tightenFile, writePrivateFile } from '../state/private-file.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

export class ControlDisk {
  readonly dir: string;
  readonly modulesDir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.modulesDir = privateDir(join(dir, 'modules'));
    // The snapshot holds filter configs, secrets among them: 0600 even if an older Weft wrote it 0644.
    tightenFile(this.lastGoodFile);
  }

  private get lastGoodFile(): string {
    return join(this.dir, 'last-good.json');
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
    writePrivateFile(this.modulePath(sha256), bytes);
  }

  readLastGood(): Snapshot | undefined {
    try {
      return JSON.parse(readFileSync(this.lastGoodFile, 'utf8')) as Snapshot;
    } catch {
      return undefined;
    }
  }

  writeLastGood(snapshot: Snapshot): void {
    writePrivateFile(this.lastGoodFile, JSON.stringify(snapshot));
  }
}
