// The gRPC-like upstream of the weft-mesh-grpc rows: h2c, each request answered with one length-prefixed message of BYTES and grpc-status 0 in trailers.
// Run as its own process: node bench/grpc-upstream.ts PORT BYTES
import http2 from 'node:http2';

const [port, bytes] = process.argv.slice(2).map(Number);
// gRPC's framing: a compressed flag (0), the length (big-endian), the message.
const message = Buffer.alloc(5 + bytes, 'x');
message[0] = 0;
message.writeUInt32BE(bytes, 1);
const headers = { ':status': 200, 'content-type': 'application/grpc' };
const trailers = { 'grpc-status': '0' };

const server = http2.createServer();
server.on('stream', (stream) => {
  // The request message is drained; the answer waits for its end, as a unary call's does.
  stream.resume();
  stream.once('end', () => {
    if (stream.destroyed) return;
    stream.respond(headers, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(trailers));
    stream.end(message);
  });
  stream.on('error', () => undefined);
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
