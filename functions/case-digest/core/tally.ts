import type { CaseRecord } from '../aicc/schemas.js';
import { bucketOf } from './cases.js';

/** Counts kept while pages stream in: nothing but the numbers is held. */
export class CaseTally {
  total = 0;
  private readonly priority = new Map<string, number>();
  private readonly origin = new Map<string, number>();
  private readonly state = new Map<string, number>();

  add(c: CaseRecord): void {
    this.total += 1;
    bump(this.priority, bucketOf(c.priority));
    bump(this.origin, bucketOf(c.origin));
    bump(this.state, bucketOf(c.state));
  }

  get byPriority(): Record<string, number> {
    return toRecord(this.priority);
  }
  get byOrigin(): Record<string, number> {
    return toRecord(this.origin);
  }
  get byState(): Record<string, number> {
    return toRecord(this.state);
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Largest bucket first, then by name; `Object.fromEntries` keeps keys like "__proto__" as plain data. */
function toRecord(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
