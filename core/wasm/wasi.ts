// The WASI preview1 calls SDK-built modules import: stdout/stderr to the log, clocks, random, environ; the rest answer NOTSUP.
import { randomFillSync } from 'node:crypto';
import { WasiErrno } from './abi.ts';
import { writeRealtimeNanos } from './host-logging.ts';
import { utf8 } from './memory.ts';
import { ModuleExit } from './trap.ts';
import type { WasmVm } from './vm.ts';

const notsup = (): number => WasiErrno.Notsup;

/** Calls a proxy-wasm filter has no use for; present so modules that import them still load. */
const UNSUPPORTED = ['fd_advise', 'fd_allocate', 'fd_datasync', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights',
  'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread', 'fd_pwrite', 'fd_readdir',
  'fd_renumber', 'fd_sync', 'fd_tell', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'proc_raise', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown'];

export const wasiHost: Record<string, (this: WasmVm, ...args: never[]) => number | void> = {
  fd_write(this: WasmVm, fd: number, iovs: number, iovsLen: number, writtenPtr: number): number {
    if (fd !== 1 && fd !== 2) return WasiErrno.Badf;
    let text = '';
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = this.mem.u32(iovs + i * 8);
      const len = this.mem.u32(iovs + i * 8 + 4);
      text += this.mem.string(ptr, len);
      total += len;
    }
    this.log(fd === 1 ? 2 : 4, text.endsWith('\n') ? text.slice(0, -1) : text);
    this.mem.setU32(writtenPtr, total);
    return WasiErrno.Success;
  },

  fd_read(): number {
    return WasiErrno.Badf;
  },

  fd_close(): number {
    return WasiErrno.Badf;
  },

  fd_seek(): number {
    return WasiErrno.Badf;
  },

  /** stdin/stdout/stderr are character devices; there are no other descriptors. */
  fd_fdstat_get(this: WasmVm, fd: number, statPtr: number): number {
    if (fd > 2) return WasiErrno.Badf;
    this.mem.view(statPtr, 24).fill(0);
    this.mem.u8[statPtr] = 2;
    return WasiErrno.Success;
  },

  /** No preopened directories: BADF ends wasi-libc's scan. */
  fd_prestat_get(): number {
    return WasiErrno.Badf;
  },

  fd_prestat_dir_name(): number {
    return WasiErrno.Badf;
  },

  args_sizes_get(this: WasmVm, countPtr: number, sizePtr: number): number {
    this.mem.setU32(countPtr, 0);
    this.mem.setU32(sizePtr, 0);
    return WasiErrno.Success;
  },

  args_get(): number {
    return WasiErrno.Success;
  },

  environ_sizes_get(this: WasmVm, countPtr: number, sizePtr: number): number {
    const entries = environ(this);
    this.mem.setU32(countPtr, entries.length);
    this.mem.setU32(sizePtr, entries.reduce((n, e) => n + e.length + 1, 0));
    return WasiErrno.Success;
  },

  environ_get(this: WasmVm, ptrsPtr: number, bufPtr: number): number {
    let at = bufPtr >>> 0;
    environ(this).forEach((entry, i) => {
      this.mem.setU32(ptrsPtr + i * 4, at);
      this.mem.view(at, entry.length).set(entry);
      this.mem.u8[at + entry.length] = 0;
      at += entry.length + 1;
    });
    return WasiErrno.Success;
  },

  clock_res_get(this: WasmVm, _id: number, resPtr: number): number {
    this.mem.setU64(resPtr, 1000n);
    return WasiErrno.Success;
  },

  /** 0 realtime, 1 monotonic (also for the CPU-time clocks). */
  clock_time_get(this: WasmVm, id: number, _precision: bigint, timePtr: number): number {
    if (id < 0 || id > 3) return WasiErrno.Inval;
    if (id === 0) writeRealtimeNanos(this, timePtr);
    else this.mem.setU64(timePtr, process.hrtime.bigint());
    return WasiErrno.Success;
  },

  random_get(this: WasmVm, ptr: number, len: number): number {
    if (len >>> 0 > 65536) return WasiErrno.Inval;
    randomFillSync(this.mem.view(ptr, len));
    return WasiErrno.Success;
  },

  /** No subscriptions ever fire (Go's wasip1 runtime only needs nevents = 0). */
  poll_oneoff(this: WasmVm, _in: number, _out: number, _n: number, eventsPtr: number): number {
    this.mem.setU32(eventsPtr, 0);
    return WasiErrno.Success;
  },

  sched_yield(): number {
    return WasiErrno.Success;
  },

  proc_exit(code: number): void {
    throw new ModuleExit(code, `proc_exit(${code})`);
  },

  ...Object.fromEntries(UNSUPPORTED.map((name) => [name, notsup])),
};

function environ(vm: WasmVm): Uint8Array[] {
  return Object.entries(vm.env).map(([k, v]) => utf8(`${k}=${v}`));
}
