// node:http's functions and constants, taken from the module itself rather than imported: its ES module facade reads every export, and the lazy `WebSocket` getter among them loads Node's bundled undici and node:http2 (~12 MiB a process; ARCHITECTURE.md, "Memory budget").
const http = process.getBuiltinModule('node:http');

export const { createServer, METHODS, STATUS_CODES, maxHeaderSize } = http;
