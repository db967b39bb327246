import type { CaseRecord } from '../aicc/schemas.js';
import { parseLocal } from '../time/zoned.js';

/** The bucket of a null, missing, empty or blank value. */
export const UNSPECIFIED = 'Unspecified';

/** A breakdown key: the display value trimmed, exactly as the API spells it, or "Unspecified". */
export function bucketOf(value: unknown): string {
  if (value === null || value === undefined) return UNSPECIFIED;
  const text = String(value).trim();
  return text === '' ? UNSPECIFIED : text;
}

const isBlank = (v: unknown) => v === null || v === undefined || String(v).trim() === '';

/** What decides open/closed: the configured closed states, lower-cased for case-insensitive matching. */
export interface CaseRules {
  aiccTimezone: string;
  closedStates: ReadonlySet<string>;
}

export function caseRules(aiccTimezone: string, closedStates: readonly string[]): CaseRules {
  return { aiccTimezone, closedStates: new Set(closedStates.map((s) => s.trim().toLowerCase())) };
}

/** Open: no closedDate, state not a closed state (case-insensitive), and not cancelled. */
export function isOpen(c: CaseRecord, rules: CaseRules): boolean {
  if (!isBlank(c.closedDate)) return false;
  if (
    rules.closedStates.has(
      String(c.state ?? '')
        .trim()
        .toLowerCase(),
    )
  )
    return false;
  return !(c.isCanced === true || String(c.isCanced).toLowerCase() === 'true');
}

/** The due date as an instant (the API's wall-clock time in AICC_TIMEZONE), or null when absent or malformed. */
export function dueInstant(c: CaseRecord, rules: CaseRules): Date | null {
  return typeof c.dueDate === 'string' ? parseLocal(c.dueDate.trim(), rules.aiccTimezone) : null;
}

/** Overdue at `at`: open, with a due date at or before `at`. The one definition the digest and the alert share. */
export function isOverdue(c: CaseRecord, at: Date, rules: CaseRules): boolean {
  if (!isOpen(c, rules)) return false;
  const due = dueInstant(c, rules);
  return due !== null && due.getTime() <= at.getTime();
}

/**
 * The stateless alert rule: some `due + k·repeat` (k ≥ 0; only k = 0 when repeat is 0) falls in
 * `(asOf − interval, asOf]`. Consecutive runs with the same interval thus alert a case once when it
 * falls due and once per repeat period after, and a retried run alerts the same set.
 */
export function isAlertDue(due: Date, asOf: Date, intervalMs: number, repeatMs: number): boolean {
  const elapsed = asOf.getTime() - due.getTime();
  if (elapsed < 0) return false;
  const sinceLatest = repeatMs > 0 ? elapsed % repeatMs : elapsed;
  return sinceLatest < intervalMs;
}
