/**
 * An independent oracle over the sandbox's data: plain string comparisons on the API's own
 * `YYYY-MM-DD HH:mm:ss` values, none of the project's window or rule code.
 */
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';

const CLOSED = ['completed', 'closed', 'cancelled', 'canceled'];

export const bucket = (v: unknown) =>
  v === null || v === undefined || String(v).trim() === '' ? 'Unspecified' : String(v).trim();

export function createdBetween(cases: readonly CaseRecord[], from: string, to: string): CaseRecord[] {
  return cases.filter(
    (c) => typeof c.createdDate === 'string' && c.createdDate >= from && c.createdDate <= to,
  );
}

export function countBy(
  cases: readonly CaseRecord[],
  field: 'priority' | 'origin' | 'state',
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cases) out[bucket(c[field])] = (out[bucket(c[field])] ?? 0) + 1;
  return out;
}

export function openCase(c: CaseRecord): boolean {
  return (
    (c.closedDate === null || c.closedDate === undefined || c.closedDate.trim() === '') &&
    !CLOSED.includes(
      String(c.state ?? '')
        .trim()
        .toLowerCase(),
    ) &&
    c.isCanced !== true &&
    c.isCanced !== 'true'
  );
}

/** Open cases created in [from, to] whose dueDate ≤ at (all local strings in the API's zone). */
export function overdueIds(cases: readonly CaseRecord[], from: string, to: string, at: string): string[] {
  return createdBetween(cases, from, to)
    .filter((c) => openCase(c) && typeof c.dueDate === 'string' && c.dueDate <= at)
    .map((c) => String(c.id))
    .sort();
}

const REAL_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
/** Whether `v` is a real `YYYY-MM-DD HH:mm:ss` (the calendar checked by round-tripping through UTC). */
export function realDateTime(v: unknown): v is string {
  if (typeof v !== 'string' || !REAL_DATETIME.test(v)) return false;
  const d = new Date(`${v.replace(' ', 'T')}Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 19).replace('T', ' ') === v;
}

/** Open cases created in [from, to] due in (asOf, horizon] (local strings in the API's zone). */
export function dueSoonIds(
  cases: readonly CaseRecord[],
  from: string,
  to: string,
  asOf: string,
  horizon: string,
): string[] {
  return createdBetween(cases, from, to)
    .filter((c) => openCase(c) && realDateTime(c.dueDate) && c.dueDate > asOf && c.dueDate <= horizon)
    .map((c) => String(c.id))
    .sort();
}

/** Hours between two local strings of a zone without DST (wall clock = real time there). */
const hoursBetween = (earlier: string, later: string) =>
  (Date.parse(`${later.replace(' ', 'T')}Z`) - Date.parse(`${earlier.replace(' ', 'T')}Z`)) / 3_600_000;

/** Overdue cases by age bucket at `asOf`, for a zone without DST. */
export function ageCounts(overdue: readonly CaseRecord[], asOf: string): Record<string, number> {
  const out: Record<string, number> = { '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 };
  for (const c of overdue) {
    const h = hoursBetween(String(c.dueDate), asOf);
    const key = h < 24 ? '<1d' : h < 72 ? '1-3d' : h < 168 ? '3-7d' : '>7d';
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Overdue cases per owner, blank → Unspecified. */
export function ownerCounts(overdue: readonly CaseRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of overdue) out[bucket(c.ownerId)] = (out[bucket(c.ownerId)] ?? 0) + 1;
  return out;
}

/** Due-date attainment of `cases` at `asOf` (local strings), SPEC §6, written from the spec's words. */
export function attainment(cases: readonly CaseRecord[], asOf: string) {
  const out = { met: 0, missed: 0, pending: 0, unknown: 0 };
  for (const c of cases) {
    if (c.isCanced === true || c.isCanced === 'true') continue;
    if (!realDateTime(c.dueDate)) continue;
    const closed = c.closedDate;
    if (realDateTime(closed)) out[closed <= c.dueDate ? 'met' : 'missed']++;
    else if (openCase(c)) out[c.dueDate <= asOf ? 'missed' : 'pending']++;
    else out.unknown++;
  }
  return out;
}
