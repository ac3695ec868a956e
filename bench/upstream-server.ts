// The Node upstream used when nginx is missing: answers every request with a fixed body, kept alive.
// Run as its own process: node bench/upstream-server.ts PORT BYTES
import { createServer } from 'node:http';

const [port, bytes] = process.argv.slice(2).map(Number);
const body = Buffer.alloc(bytes, 'x');
const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes) };

const server = createServer((req, res) => {
  // The request body, if any, is drained so the connection can be reused.
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
