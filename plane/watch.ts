// Watch fan-out: one long-lived newline-delimited JSON stream per proxy; each snapshot is serialized once and written to all.
import type { ServerResponse } from 'node:http';
import type { Snapshot } from '../core/control/snapshot.ts';

/** A proxy that hears nothing for 3 pings' time reconnects (core/control), so a dead plane is noticed. */
export const PING_INTERVAL_MS = 5000;

interface Watcher {
  node: string;
  res: ServerResponse;
  /** The socket's buffer is full: the latest snapshot is sent on 'drain', skipping the ones in between. */
  blocked: boolean;
  sentVersion: string;
}

export class WatchHub {
  readonly #watchers = new Set<Watcher>();
  /** Each watching node and since when (ms) it has had a stream open without a break: a push is measured only for nodes watching before it. */
  readonly #nodes = new Map<string, { since: number; streams: number }>();
  #current: Snapshot | null = null;
  #line = '';
  #ping: NodeJS.Timeout;
  #onConnect: (node: string, connected: boolean) => void;

  constructor(onConnect: (node: string, connected: boolean) => void) {
    this.#onConnect = onConnect;
    this.#ping = setInterval(() => this.#pingAll(), PING_INTERVAL_MS);
    this.#ping.unref();
  }

  get size(): number {
    return this.#watchers.size;
  }

  /** Nodes with an open stream to this plane. */
  connected(): Set<string> {
    return new Set(this.#nodes.keys());
  }

  /** When the node's stream to this plane opened; undefined when it has none. */
  connectedSince(node: string): number | undefined {
    return this.#nodes.get(node)?.since;
  }

  publish(snapshot: Snapshot): void {
    this.#current = snapshot;
    this.#line = `${JSON.stringify({ type: 'snapshot', snapshot })}\n`;
    for (const w of this.#watchers) this.#send(w);
  }

  /** Takes over the response; sends the current snapshot at once unless the proxy already has it. */
  add(node: string, haveVersion: string, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    const w: Watcher = { node, res, blocked: false, sentVersion: haveVersion };
    this.#watchers.add(w);
    const n = this.#nodes.get(node) ?? { since: Date.now(), streams: 0 };
    n.streams++;
    this.#nodes.set(node, n);
    this.#onConnect(node, true);
    res.on('drain', () => {
      w.blocked = false;
      this.#send(w);
    });
    res.on('close', () => {
      this.#watchers.delete(w);
      if (--n.streams === 0) this.#nodes.delete(node);
      this.#onConnect(node, false);
    });
    this.#send(w);
  }

  /** Writes a question (one line) to every watching node; the nodes asked. */
  ask(line: string): string[] {
    for (const w of this.#watchers) w.res.write(line);
    return [...this.#nodes.keys()];
  }

  close(): void {
    clearInterval(this.#ping);
    for (const w of this.#watchers) w.res.destroy();
    this.#watchers.clear();
    this.#nodes.clear();
  }

  #send(w: Watcher): void {
    if (!this.#current || w.blocked || w.sentVersion === this.#current.version) return;
    w.sentVersion = this.#current.version;
    if (!w.res.write(this.#line)) w.blocked = true;
  }

  #pingAll(): void {
    for (const w of this.#watchers) if (!w.blocked) w.res.write('{"type":"ping"}\n');
  }
}
