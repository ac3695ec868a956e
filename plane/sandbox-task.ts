// The sandbox check as a piscina task: binaryen and the test VMs live in a worker thread that exits when idle.
import { sandboxCheck } from './sandbox.ts';
import type { StartCase } from './sandbox.ts';

export interface SandboxTask {
  name: string;
  bytes: Uint8Array;
  cases: StartCase[];
}

export type SandboxResult = { ok: true } | { ok: false; message: string };

export default async function run(task: SandboxTask): Promise<SandboxResult> {
  try {
    await sandboxCheck(task.name, task.bytes, task.cases);
    return { ok: true };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
