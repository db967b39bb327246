import { bucketOf } from './cases.js';

const HOUR = 3_600_000;

/** How long overdue cases have been overdue at `asOf` (SPEC §6), oldest bucket last. */
export interface OverdueByAge {
  '<1d': number;
  '1-3d': number;
  '3-7d': number;
  '>7d': number;
}

/** The age bucket of a case overdue by `overdueMs`: < 24 h, 24–72 h, 72–168 h, ≥ 168 h. */
export function ageBucket(overdueMs: number): keyof OverdueByAge {
  if (overdueMs < 24 * HOUR) return '<1d';
  if (overdueMs < 72 * HOUR) return '1-3d';
  if (overdueMs < 168 * HOUR) return '3-7d';
  return '>7d';
}

export function overdueByAge(cases: readonly { overdueMs: number }[]): OverdueByAge {
  const out: OverdueByAge = { '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 };
  for (const c of cases) out[ageBucket(c.overdueMs)]++;
  return out;
}

/**
 * Overdue cases per owner (`ownerId` trimmed, blank → "Unspecified"), most first, then by name;
 * `Object.fromEntries` keeps an owner called "__proto__" as plain data.
 */
export function overdueByOwner(cases: readonly { ownerId: string }[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const c of cases) {
    const owner = bucketOf(c.ownerId);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return Object.fromEntries(
    [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  );
}
