// The plane's storage contract: a small key-value store with compare-and-set and change notification, shared by every replica.

export interface Entry {
  key: string;
  value: string;
}

/**
 * Keys are slash-separated paths (filters/NAME/VERSION, modules/SHA, mesh, services/NAME/ID, nodes/NAME, rollout).
 * Every backend gives the same answers; only etcd lets several planes share one store.
 */
export interface Store {
  /** "sqlite:FILE" or "etcd:URL", for logs. */
  readonly description: string;
  get(key: string): Promise<string | undefined>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<Entry[]>;
  put(key: string, value: string): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Writes `value` (or deletes, when undefined) only if the key currently holds `expected` (undefined: absent).
   * The one primitive that keeps replicas from overwriting each other.
   */
  swap(key: string, expected: string | undefined, value: string | undefined): Promise<boolean>;
  /** Calls `onChange` with the key of every change made by anyone (this process or another replica). */
  watch(onChange: (key: string) => void): () => void;
  close(): Promise<void>;
}
