// The demo's gRPC hop (orders → payments): a grpc-js server with one unary method, and the client the calling app uses through its sidecar's outbound port.
import * as grpc from '@grpc/grpc-js';

/** The method orders calls; the demo's deny example names this path. */
export const PAY_PATH = '/weft.demo.Payments/Pay';

/** Messages are JSON: gRPC carries any bytes, and the demo needs no .proto file at run time. */
const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): unknown => JSON.parse(bytes.toString());

const PAYMENTS: grpc.ServiceDefinition = {
  Pay: {
    path: PAY_PATH, requestStream: false, responseStream: false, originalName: 'pay',
    requestSerialize: serialize, requestDeserialize: deserialize, responseSerialize: serialize, responseDeserialize: deserialize,
  },
};

type PayClient = grpc.Client & {
  Pay(request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply?: unknown) => void): grpc.ClientUnaryCall;
};

/**
 * Serves Pay on a loopback port (h2c), answering with `answer`'s body (who called, as the sidecar's
 * x-forwarded-client-cert says) or failing INTERNAL at `errorRate`.
 */
export async function startGrpcApp(answer: (caller: string | undefined) => object, errorRate: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(PAYMENTS, {
    Pay(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
      if (Math.random() < errorRate) return callback({ code: grpc.status.INTERNAL, details: 'busy' });
      callback(null, answer(call.metadata.get('x-forwarded-client-cert')[0]?.toString()));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { port, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/** A client of `service` through a sidecar's outbound port: h2c, with :authority naming the service to call. */
export function grpcClient(outbound: string, service: string): { pay(requestId: string): Promise<{ status: string; body: unknown }>; close(): void } {
  const Client = grpc.makeGenericClientConstructor(PAYMENTS, 'Payments');
  const client = new Client(outbound.replace(/^http:\/\//, ''), grpc.credentials.createInsecure(), { 'grpc.default_authority': service }) as unknown as PayClient;
  return {
    pay: (requestId) => new Promise((resolve) => {
      const metadata = new grpc.Metadata();
      if (requestId) metadata.set('x-request-id', requestId);
      client.Pay({}, metadata, { deadline: Date.now() + 5000 }, (err, reply) => {
        resolve(err ? { status: grpc.status[err.code], body: err.details } : { status: 'OK', body: reply });
      });
    }),
    close: () => client.close(),
  };
}
