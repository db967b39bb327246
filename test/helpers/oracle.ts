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
