// The embedded default store: one SQLite file through node:sqlite, for a single plane with nothing else installed.
import { closeSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tightenFile } from '../../core/state/private-file.ts';
import type { StatementSync } from 'node:sqlite';
import type { Entry, Store } from './store.ts';

export class SqliteStore implements Store {
  readonly description: string;
  #db: DatabaseSync;
  #listeners = new Set<(key: string) => void>();
  #get: StatementSync;
  #list: StatementSync;
  #put: StatementSync;
  #delete: StatementSync;

  constructor(file: string) {
    this.description = `sqlite:${file}`;
    // The store holds filter configs and the mesh's secrets. SQLite would create the file 0644; made 0600 first,
    // it gives its -wal and -shm files the same mode. Files an older Weft left 0644 are tightened.
    closeSync(openSync(file, 'a', 0o600));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) tightenFile(f);
    this.#db = new DatabaseSync(file);
    // WAL lets status readers run beside writers; NORMAL sync is durable across a process crash, which is what a plane needs.
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    this.#db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    this.#get = this.#db.prepare('SELECT value FROM kv WHERE key = ?');
    this.#list = this.#db.prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key');
    this.#put = this.#db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#delete = this.#db.prepare('DELETE FROM kv WHERE key = ?');
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.#get.get(key) as { value: string } | undefined;
    return row?.value;
  }

  async list(prefix: string): Promise<Entry[]> {
    // Every key with the prefix sorts below prefix + U+FFFF.
    return (this.#list.all(prefix, `${prefix}\uffff`) as unknown as Entry[]).map(({ key, value }) => ({ key, value }));
  }

  async put(key: string, value: string): Promise<void> {
    this.#put.run(key, value);
    this.#changed(key);
  }

  async delete(key: string): Promise<boolean> {
    const { changes } = this.#delete.run(key);
    if (changes) this.#changed(key);
    return changes > 0;
  }

  async swap(key: string, expected: string | undefined, value: string | undefined): Promise<boolean> {
    // node:sqlite is synchronous, so read-compare-write cannot interleave with another call in this process.
    const current = (this.#get.get(key) as { value: string } | undefined)?.value;
    if (current !== expected) return false;
    if (value === undefined) this.#delete.run(key);
    else this.#put.run(key, value);
    this.#changed(key);
    return true;
  }

  watch(onChange: (key: string) => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#db.close();
  }

  #changed(key: string): void {
    for (const l of this.#listeners) l(key);
  }
}
