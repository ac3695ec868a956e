// Typed access to the host's byte buffers: request and response bodies, HTTP call responses, configurations.
import { proxyGetBufferBytes, proxyGetBufferStatus, proxySetBufferBytes } from "./abi/imports";
import {
  outPointer, outSize, outWide, resetOut, roomFor, stageBegin, stagedSize, stageValue, takeOutBuffer, takeOutString,
} from "./abi/memory";
import { BufferType, Status } from "./types";

/** One of the host's buffers; which stream it belongs to is the host's current context. */
export class HostBuffer {
  constructor(public readonly bufferType: BufferType) {}

  /** The number of bytes the buffer holds now, or 0 when it is not readable here. */
  size(): u32 {
    resetOut();
    if (proxyGetBufferStatus(this.bufferType, outSize, outWide) != Status.Ok) return 0;
    return load<u32>(outSize);
  }

  /** Up to `maxSize` bytes from `start` (the host clamps the range); empty when not readable here. */
  read(start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): ArrayBuffer {
    return this.fetch(start, maxSize) ? takeOutBuffer() : new ArrayBuffer(0);
  }

  /** The bytes from `start` decoded as UTF-8. */
  readString(start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): string {
    return this.fetch(start, maxSize) ? takeOutString() : "";
  }

  /** Replaces the whole content with a string (as UTF-8), an ArrayBuffer or a Uint8Array. */
  replace<T>(data: T): Status {
    return this.write<T>(0, this.size(), data);
  }

  /** Adds bytes after the current content. */
  append<T>(data: T): Status {
    return this.write<T>(this.size(), 0, data);
  }

  /** Adds bytes before the current content. */
  prepend<T>(data: T): Status {
    return this.write<T>(0, 0, data);
  }

  /** Asks the host for a range of the buffer; true when readable, the bytes then being in the out slots. */
  private fetch(start: u32, maxSize: u32): bool {
    resetOut();
    return proxyGetBufferBytes(this.bufferType, start, maxSize, outPointer, outSize) == Status.Ok;
  }

  private write<T>(start: u32, size: u32, data: T): Status {
    stageBegin(roomFor<T>(data));
    const bytes = stageValue<T>(data);
    return proxySetBufferBytes(this.bufferType, start, size, bytes, stagedSize);
  }
}

/** The request body of the current stream: the latest chunk, or everything buffered while paused. */
export const requestBody = new HostBuffer(BufferType.HttpRequestBody);
/** The response body of the current stream: the latest chunk, or everything buffered while paused. */
export const responseBody = new HostBuffer(BufferType.HttpResponseBody);
/** The body of the HTTP call response being delivered. */
export const httpCallResponseBody = new HostBuffer(BufferType.HttpCallResponseBody);
/** The plugin configuration; readable only while `onConfigure` runs. */
export const pluginConfiguration = new HostBuffer(BufferType.PluginConfiguration);
/** The VM configuration; readable only while `onVmStart` runs. */
export const vmConfiguration = new HostBuffer(BufferType.VmConfiguration);
