// The base of our own upstream clients (h1-pool.ts, h2-dispatcher.ts): undici's Dispatcher with its close/destroy overloads (promise or callback) reduced to two methods.
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';

export abstract class EndpointDispatcher extends Dispatcher {
  /** Takes no new request; resolves when those in flight have finished and every connection is closed. */
  protected abstract shutdown(): Promise<void>;
  /** Fails what is waiting and cuts what is in flight; shutdown() follows. */
  protected abstract abortAll(): void;

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    return settle(this.shutdown(), callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: unknown, b?: unknown): Promise<void> | void {
    this.abortAll();
    return settle(this.shutdown(), typeof a === 'function' ? a as () => void : b as (() => void) | undefined);
  }
}

function settle(done: Promise<void>, callback: (() => void) | undefined): Promise<void> | void {
  if (!callback) return done;
  void done.then(callback);
}
