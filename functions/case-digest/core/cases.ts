import { AICC_DATETIME, type CaseRecord } from '../aicc/schemas.js';
import { parseLocal, parseLocalFields } from '../time/zoned.js';

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
  return !isCancelled(c);
}

/** An API datetime — exactly a real `YYYY-MM-DD HH:mm:ss`, wall-clock in `zone` — as an instant; else null. */
export function apiInstant(value: unknown, zone: string): Date | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return AICC_DATETIME.test(text) ? parseLocal(text, zone) : null;
}

/** The due date as an instant (the API's wall-clock time in AICC_TIMEZONE), or null when absent or malformed. */
export function dueInstant(c: CaseRecord, rules: CaseRules): Date | null {
  return apiInstant(c.dueDate, rules.aiccTimezone);
}

/** The closed date as an instant, or null when blank or malformed (a malformed one still closes the case). */
export function closedInstant(c: CaseRecord, rules: CaseRules): Date | null {
  return apiInstant(c.closedDate, rules.aiccTimezone);
}

/** Whether a date field holds text that is not a real `YYYY-MM-DD HH:mm:ss` (blank and null are absent, not malformed). */
export function isMalformedDate(value: unknown): boolean {
  if (isBlank(value)) return false;
  const text = String(value).trim();
  return !AICC_DATETIME.test(text) || parseLocalFields(text) === null;
}

/** Cancelled (`isCanced: true`): left out of due-date attainment. */
export const isCancelled = (c: CaseRecord): boolean =>
  c.isCanced === true || String(c.isCanced).toLowerCase() === 'true';

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

/**
 * The pre-breach rule: with a warning lead `warnMs` > 0, an open case not yet due is warned when
 * `due − warnMs` falls in `(asOf − interval, asOf]` — once, `warnMs` before it falls due, with no state.
 */
export function isWarnDue(due: Date, asOf: Date, intervalMs: number, warnMs: number): boolean {
  if (warnMs <= 0 || due.getTime() <= asOf.getTime()) return false;
  const warnAt = due.getTime() - warnMs;
  return warnAt <= asOf.getTime() && warnAt > asOf.getTime() - intervalMs;
}

/**
 * Whether a case closed in `(asOf − interval, asOf]` after it was warned or overdue while open
 * (`due − warnMs < closed`), so an on-call incident may be open for it: PagerDuty is told to resolve it.
 */
export function isResolvedInInterval(
  due: Date,
  closed: Date,
  asOf: Date,
  intervalMs: number,
  warnMs: number,
): boolean {
  const t = closed.getTime();
  return t <= asOf.getTime() && t > asOf.getTime() - intervalMs && due.getTime() - warnMs < t;
}
