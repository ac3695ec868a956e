// A sample upstream for trying the docs: `node examples/upstream.js [HOST:PORT]` answers every request with what reached it (and where), as JSON.
// Plain JavaScript with no dependencies, so any Node runs it (the docs' commands use the machine's own `node`).
import { createServer } from 'node:http';

const address = process.argv[2] ?? '127.0.0.1:3000';
const at = address.lastIndexOf(':');
const host = address.slice(0, at).replace(/^\[|\]$/g, '');
const port = Number(address.slice(at + 1));
if (at < 0 || !host || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: node examples/upstream.js [HOST:PORT] (got "${address}")`);
  process.exit(2);
}

let self = address;
const server = createServer((req, res) => {
  let bodyBytes = 0;
  req.on('data', (chunk) => (bodyBytes += chunk.length));
  req.on('end', () => {
    // What the upstream received shows what the proxy and its filters changed; `upstream` tells two instances apart.
    const body = JSON.stringify({ upstream: self, method: req.method, url: req.url, headers: req.headers, bodyBytes }, null, 2);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`${body}\n`);
  });
});

server.listen(port, host, () => {
  self = `${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;
  console.log(`sample upstream listening on http://${self}`);
});
server.on('error', (err) => {
  console.error(`sample upstream: cannot listen on ${address}: ${err.message}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
