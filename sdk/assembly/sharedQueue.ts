// Shared queues: one filter instance enqueues, the root context that registered the queue is told to dequeue.
import {
  proxyDequeueSharedQueue, proxyEnqueueSharedQueue, proxyRegisterSharedQueue, proxyResolveSharedQueue,
} from "./abi/imports";
import {
  outPointer, outSize, resetOut, room, roomFor, stage, stageBegin, stagedSize, stageValue, takeOutBuffer,
} from "./abi/memory";
import { Status } from "./types";

/** Registers (or opens) the queue `name`; its `onQueueReady` goes to the calling root context. Returns the queue id, or 0 on failure. */
export function registerSharedQueue(name: string): u32 {
  stageBegin(room(name));
  const encoded = stage(name);
  store<u32>(outSize, 0);
  if (proxyRegisterSharedQueue(encoded, stagedSize, outSize) != Status.Ok) return 0;
  return load<u32>(outSize);
}

/** The id of a queue another VM (`vmId`) registered, or 0 when there is none. */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  stageBegin(room(vmId) + room(name));
  const vm = stage(vmId);
  const vmSize = stagedSize;
  const encoded = stage(name);
  store<u32>(outSize, 0);
  const status = proxyResolveSharedQueue(vm, vmSize, encoded, stagedSize, outSize);
  return status == Status.Ok ? load<u32>(outSize) : 0;
}

/** Appends a string (as UTF-8), an ArrayBuffer or a Uint8Array to a queue. */
export function enqueueSharedQueue<T>(queueId: u32, value: T): Status {
  stageBegin(roomFor<T>(value));
  const bytes = stageValue<T>(value);
  return proxyEnqueueSharedQueue(queueId, bytes, stagedSize);
}

/** Takes the oldest item off a queue, or null when it is empty or unknown. */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  resetOut();
  if (proxyDequeueSharedQueue(queueId, outPointer, outSize) != Status.Ok) return null;
  return takeOutBuffer();
}
