// A real @grpc/grpc-js Echo server on 127.0.0.1:0 and clients for it, for the gRPC end-to-end tests.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(fileURLToPath(new URL('../fixtures/grpc/echo.proto', import.meta.url)));
type EchoPackage = { weft: { test: { Echo: grpc.ServiceClientConstructor } } };
const Echo = (grpc.loadPackageDefinition(definition) as unknown as EchoPackage).weft.test.Echo;

export interface Note { text: string }

/**
 * Say answers "echo: TEXT" with the trailer x-trailer: unary; the text "missing" gets NOT_FOUND instead. Chat
 * answers each note as it arrives and ends with the trailer x-trailer: stream and the count of notes. h2c unless
 * given other `credentials` (TLS).
 */
export async function startGrpcServer(credentials = grpc.ServerCredentials.createInsecure()): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(Echo.service, {
    Say(call: grpc.ServerUnaryCall<Note, Note>, callback: grpc.sendUnaryData<Note>) {
      if (call.request.text === 'missing') return callback({ code: grpc.status.NOT_FOUND, details: 'no such note' });
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', 'unary');
      callback(null, { text: `echo: ${call.request.text}` }, trailer);
    },
    Chat(call: grpc.ServerDuplexStream<Note, Note>) {
      let n = 0;
      call.on('data', (note: Note) => {
        n++;
        call.write({ text: `echo: ${note.text}` });
      });
      call.on('end', () => {
        const trailer = new grpc.Metadata();
        trailer.set('x-trailer', 'stream');
        trailer.set('x-count', String(n));
        call.end(trailer);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    // Calls still open (a test that failed mid-stream) get 5 s to finish, then are cut: a stop never hangs.
    stop: () => new Promise((resolve) => {
      const force = setTimeout(() => { server.forceShutdown(); resolve(); }, 5000);
      server.tryShutdown(() => { clearTimeout(force); resolve(); });
    }),
  };
}

export type EchoClient = grpc.Client & {
  Say(note: Note, metadata: grpc.Metadata, callback: (err: grpc.ServiceError | null, reply?: Note) => void): grpc.ClientUnaryCall;
  Chat(metadata?: grpc.Metadata): grpc.ClientDuplexStream<Note, Note>;
};

export function echoClient(address: string): EchoClient {
  return new Echo(address, grpc.credentials.createInsecure()) as unknown as EchoClient;
}

/** One unary call: the reply or the error, and the trailing metadata either way. */
export function say(client: EchoClient, text: string, metadata = new grpc.Metadata()): Promise<{ reply?: Note; err?: grpc.ServiceError; trailers: grpc.Metadata }> {
  return new Promise((resolve) => {
    let result: { reply?: Note; err?: grpc.ServiceError } | undefined;
    let trailers: grpc.Metadata | undefined;
    const settle = () => { if (result && trailers) resolve({ ...result, trailers }); };
    const call = client.Say({ text }, metadata, (err, reply) => {
      result = err ? { err } : { reply };
      settle();
    });
    call.on('status', (s: grpc.StatusObject) => {
      trailers = s.metadata;
      settle();
    });
  });
}

export { grpc };
