// The demo's three apps (frontend → orders → payments): node:http servers, payments a gRPC one (grpc-app.ts), that reach each other only through their sidecars.
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { createServer } from '../../core/http/node-http.ts';
import { grpcClient, PAY_PATH, startGrpcApp } from './grpc-app.ts';

export interface App {
  name: string;
  port: number;
  /** http://HOST:PORT of its sidecar's outbound listener, known once the sidecar is up. */
  outbound: string | undefined;
  close(): Promise<void>;
}

export interface AppSpec {
  name: string;
  /**
   * What one request to this app asks of the next service: its name (the Host the sidecar's outbound routes by)
   * and path, or with `grpc` its Pay method.
   */
  calls?: { service: string; path: string; grpc?: boolean };
  /** The app serves gRPC (h2c): Pay, answering as the HTTP apps do. */
  grpc?: boolean;
  /** Share of requests answered 503 by the app itself, so the success column has something to show. */
  errorRate?: number;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function callerOf(xfcc: string | string[] | undefined): string {
  return /URI=([^;,]+)/.exec(String(xfcc ?? ''))?.[1] ?? '';
}

/** Each answer says who called, as the sidecar verified it over mTLS, so `curl /checkout` shows the chain of identities. */
function callerText(xfcc: string | string[] | undefined): string {
  return callerOf(xfcc) || 'outside the mesh (plain HTTP)';
}

/** Starts one app on a loopback port; set its `outbound` before it is called if it calls another service. */
export async function startApp(spec: AppSpec): Promise<App> {
  if (spec.grpc) {
    const served = await startGrpcApp((xfcc) => ({ service: spec.name, caller: callerText(xfcc), path: PAY_PATH }), spec.errorRate ?? 0);
    return { name: spec.name, port: served.port, outbound: undefined, close: served.close };
  }
  let grpc: ReturnType<typeof grpcClient> | undefined;
  const agent = new Agent({ connections: 16, keepAliveTimeout: 4000 });
  const app: App = { name: spec.name, port: 0, outbound: undefined, close: async () => undefined };
  const server = createServer((req, res) => {
    req.resume();
    const caller = callerText(req.headers['x-forwarded-client-cert']);
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ service: spec.name, caller, ...body }));
    };
    if (Math.random() < (spec.errorRate ?? 0)) return answer(503, { error: 'busy' });
    if (!spec.calls) return answer(200, { path: req.url });
    if (!app.outbound) return answer(503, { error: 'its sidecar is not up yet' });
    const { service, path } = spec.calls;
    if (spec.calls.grpc) {
      grpc ??= grpcClient(app.outbound, service);
      void grpc.pay(String(req.headers['x-request-id'] ?? '')).then((r) => answer(r.status === 'OK' ? 200 : 502, { path: req.url, [service]: r }));
      return;
    }
    request(`${app.outbound}${path}`, {
      dispatcher: agent, headers: { host: service, 'x-request-id': String(req.headers['x-request-id'] ?? '') }, headersTimeout: 5000, bodyTimeout: 5000,
    }).then(async (r) => {
      const body = await r.body.text();
      // Its own failure is the caller's failure: a denied or broken payment is a failed checkout.
      answer(r.statusCode < 400 ? 200 : 502, { path: req.url, [service]: { status: r.statusCode, body: parseJson(body) } });
    }, (err: Error) => answer(502, { error: `${service} unreachable: ${err.message}` }));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.port = (server.address() as AddressInfo).port;
  app.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    grpc?.close();
    await agent.close();
  };
  return app;
}
