// Load-balancing policies: pick one endpoint of a cluster for one request attempt.
import type { LbPolicy } from '../config/settings.ts';

export interface Balanced { active: number }

export type Pick<T extends Balanced> = (endpoints: T[]) => T;

export function balancer<T extends Balanced>(policy: LbPolicy): Pick<T> {
  switch (policy) {
    case 'random':
      return (eps) => eps[(Math.random() * eps.length) | 0];
    case 'least_request':
      // Power of two choices: as good as a full scan in practice, O(1), and no herding on one idle endpoint.
      return (eps) => {
        if (eps.length === 1) return eps[0];
        const a = eps[(Math.random() * eps.length) | 0];
        const b = eps[(Math.random() * eps.length) | 0];
        return b.active < a.active ? b : a;
      };
    case 'round_robin': {
      let next = 0;
      return (eps) => {
        if (next >= eps.length) next = 0;
        return eps[next++];
      };
    }
  }
}
