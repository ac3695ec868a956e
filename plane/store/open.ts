// Opens the store a `--store` value names: sqlite:FILE (default under the data dir) or etcd:URL[,URL...].
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

const ETCD_CONNECT_MS = 5000;

export async function openStore(spec: string | undefined, dataDir: string): Promise<Store> {
  if (!spec || spec.startsWith('sqlite:')) {
    const file = spec ? spec.slice('sqlite:'.length) : join(dataDir, 'plane.db');
    // A directory made for the file is private; one that exists is the user's choice.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
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
    // The etcd client retries a dead endpoint without end; a plane that cannot reach its store should say so and stop.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ETCD_CONNECT_MS} ms`)), ETCD_CONNECT_MS); });
    try {
      await Promise.race([store.get('mesh').then(() => store.start()), deadline]);
    } catch (err) {
      await store.close().catch(() => undefined);
      throw new WeftError(ErrorCodes.STORE_FAILED, `cannot reach etcd at ${urls.join(',')}: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return store;
  }
  throw new WeftError(ErrorCodes.USAGE, `--store: expected sqlite:FILE or etcd:URL, got "${spec}"`, 2);
}
