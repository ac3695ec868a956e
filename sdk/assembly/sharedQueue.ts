// Shared queues: one filter instance enqueues, the root context that registered the queue is told to dequeue.
import {
  proxyDequeueSharedQueue, proxyEnqueueSharedQueue, proxyRegisterSharedQueue, proxyResolveSharedQueue,
} from "./abi/imports";
import { outPointer, outSize, resetOut, takeOutBuffer, toBytes } from "./abi/memory";
import { Status } from "./types";

/** Registers (or opens) the queue `name`; its `onQueueReady` goes to the calling root context. Returns the queue id, or 0 on failure. */
export function registerSharedQueue(name: string): u32 {
  const encoded = String.UTF8.encode(name);
  store<u32>(outSize, 0);
  if (proxyRegisterSharedQueue(changetype<usize>(encoded), encoded.byteLength, outSize) != Status.Ok) return 0;
  return load<u32>(outSize);
}

/** The id of a queue another VM (`vmId`) registered, or 0 when there is none. */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  const vm = String.UTF8.encode(vmId);
  const encoded = String.UTF8.encode(name);
  store<u32>(outSize, 0);
  const status = proxyResolveSharedQueue(changetype<usize>(vm), vm.byteLength, changetype<usize>(encoded), encoded.byteLength, outSize);
  return status == Status.Ok ? load<u32>(outSize) : 0;
}

/** Appends a string (as UTF-8), an ArrayBuffer or a Uint8Array to a queue. */
export function enqueueSharedQueue<T>(queueId: u32, value: T): Status {
  const bytes = toBytes<T>(value);
  return proxyEnqueueSharedQueue(queueId, changetype<usize>(bytes), bytes.byteLength);
}

/** Takes the oldest item off a queue, or null when it is empty or unknown. */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  resetOut();
  if (proxyDequeueSharedQueue(queueId, outPointer, outSize) != Status.Ok) return null;
  return takeOutBuffer();
}
