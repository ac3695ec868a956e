// Calls to functions the host offers beyond the ABI, such as `verify_signature` for JWT checks.
import { proxyCallForeignFunction } from "./abi/imports";
import {
  outPointer, outSize, resetOut, room, roomFor, stage, stageBegin, stagedSize, stageValue, takeOutBuffer,
} from "./abi/memory";
import { Status } from "./types";

/** What a foreign function returned: the status, and its result bytes when the status is Ok. */
export class ForeignResult {
  constructor(public readonly status: Status, public readonly data: ArrayBuffer) {}
}

/** Calls the host function `name` with an argument blob whose format that function defines. */
export function callForeignFunction<T>(name: string, args: T): ForeignResult {
  stageBegin(room(name) + roomFor<T>(args));
  const encoded = stage(name);
  const encodedSize = stagedSize;
  const bytes = stageValue<T>(args);
  resetOut();
  const status = <Status>proxyCallForeignFunction(encoded, encodedSize, bytes, stagedSize, outPointer, outSize);
  return new ForeignResult(status, status == Status.Ok ? takeOutBuffer() : new ArrayBuffer(0));
}
