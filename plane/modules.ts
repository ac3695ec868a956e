// Module bytes in the store, split into chunks: etcd refuses values over ~1.5 MiB, and Rust-built filters are often bigger.
import type { Store } from './store/store.ts';

/** Raw bytes per chunk; base64 makes each value ~683 KiB, well under etcd's default request limit. */
const CHUNK = 512 * 1024;

const headKey = (sha256: string) => `modules/${sha256}`;
const chunkKey = (sha256: string, i: number) => `modules/${sha256}/${i}`;

interface ModuleHead {
  size: number;
  chunks: number;
}

/** Chunks first, head last: a module is only visible once every chunk is stored. */
export async function putModule(store: Store, sha256: string, bytes: Uint8Array): Promise<void> {
  const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK));
  for (let i = 0; i < chunks; i++) {
    await store.put(chunkKey(sha256, i), Buffer.from(bytes.subarray(i * CHUNK, (i + 1) * CHUNK)).toString('base64'));
  }
  const head: ModuleHead = { size: bytes.length, chunks };
  await store.put(headKey(sha256), JSON.stringify(head));
}

export async function getModule(store: Store, sha256: string): Promise<Uint8Array | undefined> {
  const raw = await store.get(headKey(sha256));
  if (raw === undefined) return undefined;
  const head = JSON.parse(raw) as ModuleHead;
  const out = new Uint8Array(head.size);
  for (let i = 0; i < head.chunks; i++) {
    const b64 = await store.get(chunkKey(sha256, i));
    if (b64 === undefined) return undefined;
    out.set(Buffer.from(b64, 'base64'), i * CHUNK);
  }
  return out;
}

export async function deleteModule(store: Store, sha256: string): Promise<void> {
  const raw = await store.get(headKey(sha256));
  if (raw === undefined) return;
  await store.delete(headKey(sha256));
  const { chunks } = JSON.parse(raw) as ModuleHead;
  for (let i = 0; i < chunks; i++) await store.delete(chunkKey(sha256, i));
}
