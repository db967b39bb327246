import type { CaseRecord } from '../aicc/schemas.js';
import { maskPhone } from '../email/mask.js';
import type { OverdueCaseView } from '../email/views.js';
import { parseLocal } from '../time/zoned.js';
import { bucketOf, type CaseRules, dueInstant } from './cases.js';

const PRIORITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const rankOf = (priority: string) =>
  PRIORITY_RANK[priority.toLowerCase()] ?? (priority === 'Unspecified' ? 5 : 4);

/** Substitutes `{id}` and `{caseNo}` (URL-encoded) into CASE_URL_TEMPLATE. */
export function caseUrl(template: string | undefined, c: { id: string; caseNo: string }): string | null {
  if (!template) return null;
  return template
    .replaceAll('{id}', encodeURIComponent(c.id))
    .replaceAll('{caseNo}', encodeURIComponent(c.caseNo));
}

/** What the emails show of an overdue case: bucketed, masked, with its due instant. Call only for overdue cases. */
export function toOverdueView(
  c: CaseRecord,
  asOf: Date,
  rules: CaseRules,
  urlTemplate: string | undefined,
): OverdueCaseView {
  const dueAt = dueInstant(c, rules) ?? asOf;
  const caseNo = c.caseNo ?? '';
  const id = c.id ?? '';
  return {
    id,
    caseNo,
    title: c.title ?? '',
    priority: bucketOf(c.priority),
    origin: bucketOf(c.origin),
    state: bucketOf(c.state),
    ownerId: c.ownerId ?? '',
    contactPhone: maskPhone(c.contactPhone),
    dueAt,
    createdAt:
      typeof c.createdDate === 'string' ? parseLocal(c.createdDate.trim(), rules.aiccTimezone) : null,
    overdueMs: Math.max(0, asOf.getTime() - dueAt.getTime()),
    url: caseUrl(urlTemplate, { id, caseNo }),
  };
}

/** The digest's order: priority (Critical first, unknown after Low, Unspecified last), then oldest due date. */
export function byPriorityThenDue(a: OverdueCaseView, b: OverdueCaseView): number {
  return (
    rankOf(a.priority) - rankOf(b.priority) ||
    a.priority.localeCompare(b.priority) ||
    a.dueAt.getTime() - b.dueAt.getTime() ||
    a.caseNo.localeCompare(b.caseNo) ||
    a.id.localeCompare(b.id)
  );
}

/** The alert's order: most overdue first, then priority. */
export function mostOverdueFirst(a: OverdueCaseView, b: OverdueCaseView): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || byPriorityThenDue(a, b);
}

/** Every id, sorted (SPEC §7). */
export const sortedIds = (cases: readonly { id: string }[]): string[] => cases.map((c) => c.id).sort();
