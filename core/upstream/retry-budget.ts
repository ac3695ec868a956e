// A cluster's retry budget (as Linkerd's): over a sliding window, retries may add `ratio` of the requests sent plus `minPerSecond` a second.
import type { RetryBudgetSettings } from '../config/settings.ts';

const SLOTS = 10;

export class RetryBudget {
  private settings: RetryBudgetSettings;
  private slotMs: number;
  private readonly requests = new Float64Array(SLOTS);
  private readonly retries = new Float64Array(SLOTS);
  /** The slot number (time / slotMs) of the newest slot, kept at index slot % SLOTS. */
  private newest = 0;

  constructor(settings: RetryBudgetSettings) {
    this.settings = settings;
    this.slotMs = settings.windowMs / SLOTS;
  }

  /** A config swap keeps the counts (they describe traffic, not config) and takes the new limits. */
  configure(settings: RetryBudgetSettings): void {
    if (settings.windowMs !== this.settings.windowMs) {
      this.requests.fill(0);
      this.retries.fill(0);
      this.slotMs = settings.windowMs / SLOTS;
    }
    this.settings = settings;
  }

  /** A first try was sent at `now` (ms, the worker's performance clock). */
  deposit(now: number): void {
    this.requests[this.advance(now)]++;
  }

  /** Spends one retry; false when the window has none left. */
  withdraw(now: number): boolean {
    const at = this.advance(now);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < SLOTS; i++) {
      requests += this.requests[i];
      retries += this.retries[i];
    }
    const s = this.settings;
    if (retries >= s.ratio * requests + s.minPerSecond * (s.windowMs / 1000)) return false;
    this.retries[at]++;
    return true;
  }

  /** Moves the window to `now`, clearing the slots it left behind; returns the current slot's index. */
  private advance(now: number): number {
    const slot = Math.floor(now / this.slotMs);
    if (slot !== this.newest) {
      const stale = Math.min(slot - this.newest, SLOTS);
      for (let i = 1; i <= stale; i++) {
        const at = (this.newest + i) % SLOTS;
        this.requests[at] = 0;
        this.retries[at] = 0;
      }
      this.newest = slot;
    }
    return slot % SLOTS;
  }
}
