// The distributed store: all plane state in etcd under /weft/, so several plane replicas serve one mesh.
import { Etcd3 } from 'etcd3';
import type { Namespace, Watcher } from 'etcd3';
import type { Entry, Store } from './store.ts';

export class EtcdStore implements Store {
  readonly description: string;
  #client: Etcd3;
  #ns: Namespace;
  #listeners = new Set<(key: string) => void>();
  #watcher: Watcher | null = null;

  constructor(urls: string[]) {
    this.description = `etcd:${urls.join(',')}`;
    this.#client = new Etcd3({ hosts: urls, dialTimeout: 3000 });
    this.#ns = this.#client.namespace('/weft/');
  }

  /** Opens the watch before the plane first reads, so no change made by another replica falls between. */
  async start(): Promise<void> {
    this.#watcher = await this.#ns.watch().prefix('').create();
    const fire = (kv: { key: Buffer }) => {
      // The namespace hands watchers keys with its prefix already stripped.
      const key = kv.key.toString();
      for (const l of this.#listeners) l(key);
    };
    this.#watcher.on('put', fire);
    this.#watcher.on('delete', fire);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#ns.get(key).string()) ?? undefined;
  }

  async list(prefix: string): Promise<Entry[]> {
    const all = await this.#ns.getAll().prefix(prefix).sort('Key', 'Ascend').strings();
    return Object.entries(all).map(([key, value]) => ({ key, value }));
  }

  async put(key: string, value: string): Promise<void> {
    await this.#ns.put(key).value(value);
  }

  async delete(key: string): Promise<boolean> {
    const res = await this.#ns.delete().key(key);
    return Number(res.deleted) > 0;
  }

  async swap(key: string, expected: string | undefined, value: string | undefined): Promise<boolean> {
    const txn = expected === undefined ? this.#ns.if(key, 'Create', '==', 0) : this.#ns.if(key, 'Value', '==', expected);
    const op = value === undefined ? this.#ns.delete().key(key) : this.#ns.put(key).value(value);
    const res = await txn.then(op).commit();
    return res.succeeded;
  }

  watch(onChange: (key: string) => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#watcher?.cancel().catch(() => undefined);
    this.#client.close();
  }
}
