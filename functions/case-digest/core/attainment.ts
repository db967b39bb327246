import type { CaseRecord } from '../aicc/schemas.js';
import { type CaseRules, closedInstant, dueInstant, isCancelled, isOpen } from './cases.js';

/** Due-date attainment of a period's cases (SPEC §6): how many kept the promise their due date made. */
export interface Attainment {
  /** Closed at or before the due date. */
  met: number;
  /** Closed after it, or still open with the due date passed. */
  missed: number;
  /** Still open, not yet due. */
  pending: number;
  /** Not open, but with no readable closed date: whether it met its due date cannot be told. */
  unknown: number;
}

/**
 * Counts kept while pages stream in. Cases without a valid due date promise nothing and are left
 * out, as are cancelled cases.
 */
export class AttainmentTally {
  readonly counts: Attainment = { met: 0, missed: 0, pending: 0, unknown: 0 };

  constructor(
    private readonly asOf: Date,
    private readonly rules: CaseRules,
  ) {}

  add(c: CaseRecord): void {
    if (isCancelled(c)) return;
    const due = dueInstant(c, this.rules);
    if (!due) return;
    const closed = closedInstant(c, this.rules);
    if (closed) this.counts[closed.getTime() <= due.getTime() ? 'met' : 'missed']++;
    else if (isOpen(c, this.rules))
      this.counts[due.getTime() <= this.asOf.getTime() ? 'missed' : 'pending']++;
    else this.counts.unknown++;
  }
}

/** `met / (met + missed)`, or null when nothing was decided yet (shown as "—"). */
export function attainmentRatio(a: Attainment): number | null {
  const decided = a.met + a.missed;
  return decided > 0 ? a.met / decided : null;
}
