// A service of the multi-host test, run inside a host's namespace: `orders` answers which host it runs on and who called it (as its sidecar verified); `frontend` calls orders through its sidecar's bound port and passes the answer on.
// usage: node netns-app.ts HOST LISTEN_PORT [NEXT_URL]   (prints "listening" once it accepts connections)
import http from 'node:http';

const [host, port, next] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer((req, res) => {
  req.resume();
  if (!next) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ host, caller: req.headers['x-forwarded-client-cert'] ?? 'none' }));
    return;
  }
  // No timeout of its own: the sidecar's route timeout (15 s) decides when a call to orders has failed.
  const call = http.get(`${next}${req.url}`, { agent, headers: { host: 'orders' } }, (answer) => {
    const error = answer.headers['x-weft-error'];
    res.writeHead(answer.statusCode!, { 'content-type': 'application/json', ...(error ? { 'x-weft-error': error } : {}) });
    answer.pipe(res);
  });
  call.on('error', (err) => {
    res.writeHead(502).end(err.message);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
