// One full garbage collection when a serving thread falls idle after traffic, so V8's memory reducer shrinks its heap and what it holds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often a serving thread looks whether requests still come: one idle look after traffic collects. */
export const IDLE_CHECK_MS = 5_000;

type Collect = () => void;

/**
 * V8 collects when allocation fills the heap, so a thread whose load stops keeps what the last requests left, and
 * V8's memory reducer, which shrinks an idle heap, is armed by a full collection only: if the last one ran under load,
 * it never looks again. One major collection at the first quiet look arms it; ~8 s later its memory-reducing
 * collections give the pages back (a 2-worker proxy 24 s after 10 s of load: 100–101 MiB RSS, where it stayed at
 * 116–118; ARCHITECTURE.md, "Memory budget"). Only HTTP requests count: a thread that only tunnels TCP never collects.
 */
export class IdleCollector {
  readonly #requests: () => number;
  readonly #collect: Collect;
  #seen = 0;
  #busy = false;

  /** `requests`: the thread's count of requests begun, read at each look. */
  constructor(requests: () => number, collect: Collect = majorCollection()) {
    this.#requests = requests;
    this.#collect = collect;
  }

  /** One look: true when it collected (requests came since the look before, and none since). */
  look(): boolean {
    const n = this.#requests();
    if (n !== this.#seen) {
      this.#seen = n;
      this.#busy = true;
      return false;
    }
    if (!this.#busy) return false;
    this.#busy = false;
    this.#collect();
    return true;
  }

  /** Looks every IDLE_CHECK_MS; the timer never keeps the thread alive. Returns its stop. */
  start(intervalMs = IDLE_CHECK_MS): () => void {
    const timer = setInterval(() => this.look(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** V8's `gc` function, reached without `--expose-gc` on the command line: the flag is read when a context is made. */
export function majorCollection(): Collect {
  let gc: ((options?: { type: 'major' }) => void) | undefined;
  return () => {
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as typeof gc;
    }
    gc!({ type: 'major' });
  };
}
