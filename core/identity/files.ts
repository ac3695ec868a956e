// A proxy's identity on disk under <data-dir>/identity: key.pem (0600), cert.pem (leaf then chain), bundle.pem; written atomically.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityOf } from './identity.ts';
import type { Identity } from './identity.ts';
import { splitPem } from './x509.ts';

export class IdentityFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'identity');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // mkdir leaves the mode of a directory that already existed alone.
    chmodSync(this.dir, 0o700);
  }

  get keyFile(): string {
    return join(this.dir, 'key.pem');
  }

  /** The stored identity, or undefined when there is none or its files do not belong together (a crash between two renames). */
  read(): Identity | undefined {
    try {
      const [cert, ...chain] = splitPem(readFileSync(join(this.dir, 'cert.pem'), 'utf8'));
      const bundle = splitPem(readFileSync(join(this.dir, 'bundle.pem'), 'utf8'));
      return identityOf(readFileSync(this.keyFile, 'utf8'), cert, chain, bundle);
    } catch {
      return undefined;
    }
  }

  write(id: Identity): void {
    atomicWrite(this.keyFile, id.key, 0o600);
    atomicWrite(join(this.dir, 'cert.pem'), [id.cert, ...id.chain].join(''), 0o644);
    this.writeBundle(id.bundle);
  }

  writeBundle(bundle: string[]): void {
    atomicWrite(join(this.dir, 'bundle.pem'), bundle.join(''), 0o644);
  }
}

/** Write-then-rename, the temporary file already carrying the final mode: a key is never readable by others, even for a moment. */
function atomicWrite(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
