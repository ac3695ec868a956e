// Opens the store a `--store` value names: sqlite:FILE (default under the data dir) or etcd:URL[,URL...].
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export async function openStore(spec: string | undefined, dataDir: string): Promise<Store> {
  if (!spec || spec.startsWith('sqlite:')) {
    const file = spec ? spec.slice('sqlite:'.length) : join(dataDir, 'plane.db');
    mkdirSync(dirname(file), { recursive: true });
    return new SqliteStore(file);
  }
  if (spec.startsWith('etcd:')) {
    const urls = spec.slice('etcd:'.length).split(',').filter(Boolean);
    if (!urls.length || !urls.every((u) => /^https?:\/\//.test(u))) {
      throw new WeftError(ErrorCodes.USAGE, `--store etcd:URL needs http(s) URLs, got "${spec}"`, 2);
    }
    // Loaded only when asked for: the gRPC client costs ~50 MB that a SQLite plane never needs.
    const { EtcdStore } = await import('./etcd.ts');
    const store = new EtcdStore(urls);
    try {
      await store.start();
      await store.get('mesh');
    } catch (err) {
      await store.close();
      throw new WeftError(ErrorCodes.STORE_FAILED, `cannot reach etcd at ${urls.join(',')}: ${(err as Error).message}`);
    }
    return store;
  }
  throw new WeftError(ErrorCodes.USAGE, `--store: expected sqlite:FILE or etcd:URL, got "${spec}"`, 2);
}
