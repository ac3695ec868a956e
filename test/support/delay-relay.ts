// A TCP relay that delays what a host sends back, standing in for `tc netem delay`, which the CI kernel lacks: run inside the host's namespace in front of its sidecar's port (an iptables REDIRECT sends the port's traffic here).
// usage: node delay-relay.ts LISTEN_PORT TARGET_HOST:TARGET_PORT   (stdin lines "delay MS" set the delay; prints "listening")
// TLS passes through untouched: only the timing of the bytes changes, as with netem on the host's egress.
import net from 'node:net';
import { createInterface } from 'node:readline';

const [listenPort, target] = process.argv.slice(2);
const [targetHost, targetPort] = target.split(':');
let delayMs = 0;

createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^delay (\d+)$/.exec(line.trim());
  if (m) delayMs = Number(m[1]);
});

/** Writes each chunk (and the end) `delayMs` after it arrived, in order. */
function delayed(to: net.Socket): { write(chunk: Buffer | null): void } {
  const queue: { at: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const now = Date.now();
    while (queue.length && queue[0].at <= now) {
      const { chunk } = queue.shift()!;
      if (chunk) to.write(chunk);
      else to.end();
    }
    if (queue.length) timer = setTimeout(flush, queue[0].at - now);
  };
  return {
    write(chunk) {
      if (delayMs === 0 && !queue.length) {
        if (chunk) to.write(chunk);
        else to.end();
        return;
      }
      queue.push({ at: Date.now() + delayMs, chunk });
      timer ??= setTimeout(flush, delayMs);
    },
  };
}

const server = net.createServer((client) => {
  const upstream = net.connect(Number(targetPort), targetHost);
  const back = delayed(client);
  client.pipe(upstream);
  upstream.on('data', (chunk: Buffer) => back.write(chunk));
  upstream.on('end', () => back.write(null));
  const drop = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', drop);
  upstream.on('error', drop);
  client.on('close', () => upstream.destroy());
});
server.listen(Number(listenPort), '0.0.0.0', () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
