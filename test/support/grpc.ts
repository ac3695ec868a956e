// A real @grpc/grpc-js Echo server on 127.0.0.1:0 and clients for it, for the gRPC end-to-end tests.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(fileURLToPath(new URL('../fixtures/grpc/echo.proto', import.meta.url)));
type EchoPackage = { weft: { test: { Echo: grpc.ServiceClientConstructor } } };
const Echo = (grpc.loadPackageDefinition(definition) as unknown as EchoPackage).weft.test.Echo;

export interface Note { text: string }

/**
 * Say answers "echo: TEXT" with the trailer x-trailer: unary and the caller's x-tag-bin metadata back as a
 * trailer; "missing" gets NOT_FOUND, "deadline" the time the server sees left ("deadline: MS", or "none"), "wait"
 * an answer only once the call is cancelled, and "flaky:KEY" UNAVAILABLE on the first call with that key. Chat
 * answers each note as it arrives and ends with the trailer x-trailer: stream and the count of notes. Count
 * streams "1".."N" for the text N; Gather answers the texts it received joined by commas. h2c unless given other
 * `credentials` (TLS). `calls` counts the calls of each method.
 */
export async function startGrpcServer(credentials = grpc.ServerCredentials.createInsecure()): Promise<{ url: string; port: number; calls: Record<string, number>; stop(): Promise<void> }> {
  const server = new grpc.Server();
  const calls: Record<string, number> = { Say: 0, Chat: 0, Count: 0, Gather: 0 };
  const flaky = new Set<string>();
  server.addService(Echo.service, {
    Say(call: grpc.ServerUnaryCall<Note, Note>, callback: grpc.sendUnaryData<Note>) {
      calls.Say++;
      const text = call.request.text;
      if (text === 'missing') return callback({ code: grpc.status.NOT_FOUND, details: 'no such note' });
      if (text === 'wait') return void call.on('cancelled', () => callback({ code: grpc.status.CANCELLED }));
      if (text.startsWith('flaky:') && !flaky.has(text)) {
        flaky.add(text);
        return callback({ code: grpc.status.UNAVAILABLE, details: 'try again' });
      }
      const trailer = new grpc.Metadata();
      trailer.set('x-trailer', 'unary');
      for (const tag of call.metadata.get('x-tag-bin')) trailer.add('x-tag-bin', tag);
      const deadline = call.getDeadline();
      const reply = text === 'deadline' ? `deadline: ${Number.isFinite(Number(deadline)) ? Number(deadline) - Date.now() : 'none'}` : `echo: ${text}`;
      callback(null, { text: reply }, trailer);
    },
    Chat(call: grpc.ServerDuplexStream<Note, Note>) {
      calls.Chat++;
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
    Count(call: grpc.ServerWritableStream<Note, Note>) {
      calls.Count++;
      const n = Number(call.request.text);
      for (let i = 1; i <= n; i++) call.write({ text: String(i) });
      call.end();
    },
    Gather(call: grpc.ServerReadableStream<Note, Note>, callback: grpc.sendUnaryData<Note>) {
      calls.Gather++;
      const texts: string[] = [];
      call.on('data', (note: Note) => texts.push(note.text));
      call.on('end', () => callback(null, { text: texts.join(',') }));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    // Calls still open (a test that failed mid-stream) get 5 s to finish, then are cut: a stop never hangs.
    stop: () => new Promise((resolve) => {
      const force = setTimeout(() => { server.forceShutdown(); resolve(); }, 5000);
      server.tryShutdown(() => { clearTimeout(force); resolve(); });
    }),
  };
}

export type EchoClient = grpc.Client & {
  Say(note: Note, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply?: Note) => void): grpc.ClientUnaryCall;
  Chat(metadata?: grpc.Metadata): grpc.ClientDuplexStream<Note, Note>;
  Count(note: Note, metadata?: grpc.Metadata): grpc.ClientReadableStream<Note>;
  Gather(callback: (err: grpc.ServiceError | null, reply?: Note) => void): grpc.ClientWritableStream<Note>;
};

export function echoClient(address: string): EchoClient {
  return new Echo(address, grpc.credentials.createInsecure()) as unknown as EchoClient;
}

/** One unary call: the reply or the error, and the trailing metadata either way. */
export function say(client: EchoClient, text: string, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}): Promise<{ reply?: Note; err?: grpc.ServiceError; trailers: grpc.Metadata }> {
  return new Promise((resolve) => {
    let result: { reply?: Note; err?: grpc.ServiceError } | undefined;
    let trailers: grpc.Metadata | undefined;
    const settle = () => { if (result && trailers) resolve({ ...result, trailers }); };
    const call = client.Say({ text }, metadata, options, (err, reply) => {
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
