// node:http's functions and constants, taken from the module itself rather than imported: its ES module facade reads every export, and the lazy `WebSocket` getter among them loads Node's bundled undici and node:http2 (+12 MiB RSS in a bare Node process, 8–9 MiB in a 2-worker proxy; ARCHITECTURE.md, "Memory budget").
const http = process.getBuiltinModule('node:http');

export const { Agent, createServer, METHODS, request, STATUS_CODES, maxHeaderSize } = http;
