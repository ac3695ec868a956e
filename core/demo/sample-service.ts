// A small sample service for the demo: answers JSON naming its instance, with a little latency and a rare 503.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SampleService { name: string; url: string; close(): Promise<void> }

export async function startSampleService(name: string, errorRate = 0.02): Promise<SampleService> {
  const server = http.createServer((req, res) => {
    req.resume();
    const delay = Math.random() < 0.1 ? 20 : 1;
    setTimeout(() => {
      if (Math.random() < errorRate) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ instance: name, error: 'busy' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ instance: name, path: req.url, requestId: req.headers['x-request-id'] }));
    }, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
