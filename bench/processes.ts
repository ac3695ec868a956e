// Child processes of a bench run: started pinned to a CPU when asked, watched, and always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { get, type IncomingMessage } from 'node:http';
import { connect, type IncomingHttpHeaders } from 'node:http2';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCommand } from './tools.ts';

/** A running child whose last output is kept to explain a failure. */
export type Running = {
  readonly pid: number;
  readonly name: string;
  /** The last few KiB the child wrote to stdout and stderr. */
  output(): string;
  /** Set once the child has exited. */
  exited(): boolean;
  /** Resolves when the child has exited. */
  readonly exit: Promise<void>;
  stop(): Promise<void>;
};

const OUTPUT_KEPT = 4096;

// The env twins of Weft's flags (WEFT_CONFIG, WEFT_ACCESS_LOG…) set for the user's own proxy must not
// reconfigure the one under test: it gets exactly the flags the bench passes.
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WEFT_')));
}

export type StartOptions = { cpu?: number; env?: Record<string, string> };

/** Starts `command`, on CPU `cpu` (via taskset) when given and taskset exists. */
export function start(name: string, command: string, args: string[], { cpu, env }: StartOptions = {}): Running {
  const [file, argv] = cpu !== undefined && hasCommand('taskset')
    ? ['taskset', ['-c', String(cpu), command, ...args]]
    : [command, args];
  // taskset execs the command, so the child's pid is the pinned program's pid.
  const child: ChildProcess = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inheritedEnv(), ...env } });
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-OUTPUT_KEPT); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let done = false;
  // 'close' rather than 'exit': by then every byte the child wrote has been read.
  const exit = new Promise<void>((resolve) => child.on('close', () => { done = true; resolve(); }));
  child.on('error', (err) => keep(Buffer.from(`\n${err.message}`)));
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    pid: child.pid,
    name,
    output: () => tail.trim(),
    exited: () => done,
    exit,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      // A proxy that ignores SIGTERM while draining must not hold the whole run.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Polls `probe` until it answers true; fails with a child's output if one of them dies or time runs out. */
export async function waitUntil(children: Running[], what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exited());
    if (dead) throw new Error(`${dead.name} exited before ${what}: ${dead.output() || 'no output'}`);
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  const outputs = children.map((c) => `${c.name}: ${c.output() || 'no output'}`).join('; ');
  throw new Error(`${children.map((c) => c.name).join(' + ')} not ${what} after ${timeoutMs} ms: ${outputs}`);
}

/** The status of one GET on a connection of its own, so none is left open. */
export async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const req = get(url, { headers, agent: false, timeout: 1000 });
  req.on('timeout', () => req.destroy(new Error('probe timed out')));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  await once(res, 'end');
  return res.statusCode!;
}

/** The status of one GET over HTTP/2 with prior knowledge, on a session of its own. */
export async function statusOfH2(url: string): Promise<number> {
  const session = connect(url);
  // A refused connection is reported by the awaits below; unheard, the session's 'error' would end the process.
  session.on('error', () => {});
  try {
    await once(session, 'connect');
    const stream = session.request({ ':path': new URL(url).pathname }, { endStream: true });
    stream.setTimeout(1000, () => stream.destroy(new Error('probe timed out')));
    const [headers] = (await once(stream, 'response')) as [IncomingHttpHeaders];
    stream.resume();
    await once(stream, 'end');
    return Number(headers[':status']);
  } finally {
    session.close();
  }
}

/** Probes `url` (over HTTP/2 when `h2`) until it answers 200; see waitUntil. */
export function waitForOk(child: Running, url: string, h2 = false, timeoutMs?: number): Promise<void> {
  return waitUntil([child], 'answering 200', async () => (await (h2 ? statusOfH2(url) : statusOf(url))) === 200, timeoutMs);
}

/** Probes `url`, which several children serve together (a chain of proxies), until it answers 200 or one of them dies. */
export function waitForOkThrough(children: Running[], url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<void> {
  return waitUntil(children, 'answering 200', async () => (await statusOf(url, headers)) === 200, timeoutMs);
}
