// The module's abort handler: says why the filter trapped through the host's log, then traps.
// `weft filter build` installs it with `--use abort=…`, so SDK modules import no `env.abort`.
import { proxyLog } from "./abi/imports";
import { LogLevel } from "./types";

// Plain memory and no globals: an abort may come from the allocator (allocating here would recurse)
// or from a global's initializer (a global used here might not be initialized yet).
// @ts-ignore: decorator
@inline const lineCapacity: u32 = 1024;

function appendText(line: usize, length: u32, text: string): u32 {
  for (let i = 0; i < text.length; i++) {
    const code = <u32>text.charCodeAt(i);
    // Three bytes is the longest a UTF-16 unit encodes to; a surrogate half becomes "?".
    if (length + 3 > lineCapacity) break;
    if (code < 0x80) {
      store<u8>(line + length++, code);
    } else if (code < 0x800) {
      store<u8>(line + length++, 0xc0 | (code >> 6));
      store<u8>(line + length++, 0x80 | (code & 0x3f));
    } else if (code >= 0xd800 && code < 0xe000) {
      store<u8>(line + length++, 0x3f);
    } else {
      store<u8>(line + length++, 0xe0 | (code >> 12));
      store<u8>(line + length++, 0x80 | ((code >> 6) & 0x3f));
      store<u8>(line + length++, 0x80 | (code & 0x3f));
    }
  }
  return length;
}

function appendNumber(line: usize, length: u32, value: u32): u32 {
  const digits = memory.data(10);
  let count = 0;
  do {
    store<u8>(digits + count++, 0x30 + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0 && length < lineCapacity) store<u8>(line + length++, load<u8>(digits + --count));
  return length;
}

/** Logs `message at file:line:column` at critical level, then traps; AssemblyScript calls it on abort and throw. */
export function abortFilter(message: string | null, fileName: string | null, lineNumber: u32, column: u32): void {
  const line = memory.data(lineCapacity);
  let length = appendText(line, 0, message !== null ? message : "abort");
  length = appendText(line, length, " at ");
  length = appendText(line, length, fileName !== null ? fileName : "?");
  length = appendText(line, length, ":");
  length = appendNumber(line, length, lineNumber);
  length = appendText(line, length, ":");
  length = appendNumber(line, length, column);
  proxyLog(LogLevel.Critical, line, length);
  unreachable();
}
