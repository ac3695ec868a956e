// A proxy's identity on disk under <data-dir>/identity (0700): key.pem, cert.pem (leaf then chain), bundle.pem, each 0600 and written atomically.
import { join } from 'node:path';
import { identityOf } from './identity.ts';
import type { Identity } from './identity.ts';
import { splitPem } from './pem.ts';
import { privateDir } from '../state/data-dir.ts';
import { writePrivateFile } from '../state/private-file.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

export class IdentityFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = privateDir(join(dataDir, 'identity'));
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
    writePrivateFile(this.keyFile, id.key);
    writePrivateFile(join(this.dir, 'cert.pem'), [id.cert, ...id.chain].join(''));
    this.writeBundle(id.bundle);
  }

  writeBundle(bundle: string[]): void {
    writePrivateFile(join(this.dir, 'bundle.pem'), bundle.join(''));
  }
}
