import { type CaseRecord, priorityRank } from '../aicc/schemas.js';
import { maskPhone } from '../email/mask.js';
import type { OverdueCaseView } from '../email/views.js';
import { apiInstant, bucketOf, type CaseRules, dueInstant } from './cases.js';

/** Substitutes `{id}` and `{caseNo}` (URL-encoded) into CASE_URL_TEMPLATE. */
export function caseUrl(template: string | undefined, c: { id: string; caseNo: string }): string | null {
  if (!template) return null;
  return template
    .replaceAll('{id}', encodeURIComponent(c.id))
    .replaceAll('{caseNo}', encodeURIComponent(c.caseNo));
}

/**
 * What the emails show of a case with a due date (overdue or due soon): bucketed, masked, with its
 * due instant. Call only for cases with a valid due date.
 */
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
    createdAt: apiInstant(c.createdDate, rules.aiccTimezone),
    overdueMs: Math.max(0, asOf.getTime() - dueAt.getTime()),
    url: caseUrl(urlTemplate, { id, caseNo }),
  };
}

/**
 * The order of every overdue table, digest and alert (SPEC §8): priority (Critical first, unknown after
 * Low, Unspecified last), then oldest due date.
 */
export function byPriorityThenDue(a: OverdueCaseView, b: OverdueCaseView): number {
  return (
    priorityRank(a.priority) - priorityRank(b.priority) ||
    a.priority.localeCompare(b.priority) ||
    a.dueAt.getTime() - b.dueAt.getTime() ||
    a.caseNo.localeCompare(b.caseNo) ||
    a.id.localeCompare(b.id)
  );
}

/** The due-soon table's order: soonest due first, then priority. */
export function soonestDueFirst(a: OverdueCaseView, b: OverdueCaseView): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || byPriorityThenDue(a, b);
}

/** Every id, sorted (SPEC §7). */
export const sortedIds = (cases: readonly { id: string }[]): string[] => cases.map((c) => c.id).sort();

/**
 * The priorities present among `cases` (each once, first spelling kept), in the configured order;
 * priorities not configured come after. For headlines: `Critical/High`.
 */
export function presentPriorities(
  cases: readonly { priority: string }[],
  configured: readonly string[],
): string[] {
  const order = configured.map((p) => p.toLowerCase());
  const rank = (p: string) => {
    const i = order.indexOf(p.toLowerCase());
    return i < 0 ? order.length : i;
  };
  const seen = new Map<string, string>();
  for (const c of cases)
    if (!seen.has(c.priority.toLowerCase())) seen.set(c.priority.toLowerCase(), c.priority);
  return [...seen.values()].sort((a, b) => rank(a) - rank(b));
}
