import { type Attainment, AttainmentTally } from '../core/attainment.js';
import { caseRules, dueInstant, isOpen } from '../core/cases.js';
import { DateQuality } from '../core/date-quality.js';
import { type OverdueByAge, overdueByAge, overdueByOwner } from '../core/overdue-summary.js';
import { byPriorityThenDue, soonestDueFirst, sortedIds, toOverdueView } from '../core/overdue-view.js';
import { CaseTally } from '../core/tally.js';
import { renderDigest } from '../email/render.js';
import type { OverdueCaseView } from '../email/views.js';
import { ConfigError } from '../errors.js';
import { apiFilters, type DigestInput, displayFilters } from '../events.js';
import { lookbackWindow, precedingWindow, previousDayWindow, rangeWindow } from '../time/windows.js';
import { formatLocalDate } from '../time/zoned.js';
import { deliverEmail, type EmailResult } from './delivery.js';
import type { JobDeps } from './deps.js';
import { type RunStats, statsOf, type WindowResult, windowResult } from './result.js';
import { countWindow, type ScanFilters, streamWindow } from './scan.js';

const HOUR = 3_600_000;

export interface DigestResult {
  job: 'digest';
  /** The named report, or null. */
  report: string | null;
  dryRun: boolean;
  asOf: string;
  window: WindowResult;
  filters: Record<string, string>;
  total: number;
  previousTotal: number;
  byPriority: Record<string, number>;
  byOrigin: Record<string, number>;
  byState: Record<string, number>;
  overdue: { count: number; caseIds: string[]; byAge: OverdueByAge; byOwner: Record<string, number> };
  atRisk: { count: number; caseIds: string[] };
  sla: Attainment;
  emails: EmailResult[];
  warnings: string[];
  stats: RunStats;
}

/** The digest recipients, checked before any request is made. */
export function digestRecipients(input: DigestInput, deps: JobDeps): string[] {
  const to = input.recipients ?? deps.config.digestRecipients;
  if (to.length === 0 && !input.dryRun) {
    throw new ConfigError(
      'Invalid configuration: DIGEST_RECIPIENTS: required for the digest job (or give "recipients")',
    );
  }
  return to;
}

/**
 * The daily (or ad-hoc) digest: counts of the window's new cases by priority, origin and state, the
 * trend against the period before, due-date attainment, and — from the lookback — the open cases
 * overdue at `asOf` and those due soon after it. All of the run's queries page at once through one
 * request pool. Every page must arrive — any failure throws before anything is mailed.
 */
export async function runDigest(input: DigestInput, deps: JobDeps): Promise<DigestResult> {
  const startedAt = deps.clock();
  const { config, client, logger } = deps;
  const to = digestRecipients(input, deps);
  const zone = input.timezone ?? config.reportTimezone;
  const aicc = config.aiccTimezone;
  const window = input.range
    ? rangeWindow(input.range.from, input.range.to, zone)
    : previousDayWindow(input.asOf, zone);
  const filters: ScanFilters = { api: apiFilters(input.filters), display: displayFilters(input.filters) };
  const rules = caseRules(aicc, config.closedStates);
  const asOf = input.asOf.getTime();
  const horizon = asOf + config.atRiskHours * HOUR;
  logger.info('digest started', {
    report: input.report,
    window: windowResult(window, zone),
    filters: filters.display,
  });

  const tally = new CaseTally();
  const sla = new AttainmentTally(input.asOf, rules);
  const quality = new DateQuality();
  const overdue: OverdueCaseView[] = [];
  const atRisk: OverdueCaseView[] = [];
  const view = (c: Parameters<typeof toOverdueView>[0]) =>
    toOverdueView(c, input.asOf, rules, config.caseUrlTemplate);
  // Requested in this order, so the window's first pages lead the pool's queue.
  const [windowWarnings, previousTotal, lookbackWarnings] = await Promise.all([
    streamWindow(client, window, aicc, filters, (c) => {
      tally.add(c);
      sla.add(c);
      quality.note(c);
    }),
    countWindow(client, precedingWindow(window, zone), aicc, filters.api),
    streamWindow(client, lookbackWindow(input.asOf, config.overdueLookbackDays), aicc, filters, (c) => {
      quality.note(c);
      if (!isOpen(c, rules)) return;
      const due = dueInstant(c, rules)?.getTime();
      if (due === undefined) return;
      if (due <= asOf) overdue.push(view(c));
      else if (due <= horizon) atRisk.push(view(c));
    }),
  ]);
  overdue.sort(byPriorityThenDue);
  atRisk.sort(soonestDueFirst);
  const warnings = [...windowWarnings, ...lookbackWarnings, ...quality.warnings()];

  const numbers = {
    window: windowResult(window, zone),
    filters: filters.display,
    total: tally.total,
    previousTotal,
    byPriority: tally.byPriority,
    byOrigin: tally.byOrigin,
    byState: tally.byState,
  };
  const byAge = overdueByAge(overdue);
  const byOwner = overdueByOwner(overdue);
  const scheduled = input.scheduledTime !== undefined && !input.range;
  const email = renderDigest({
    ...numbers,
    report: input.report ? { name: input.report, title: input.title ?? input.report } : undefined,
    scheduledTime: scheduled ? input.asOf : undefined,
    asOf: input.asOf,
    generatedAt: deps.clock(),
    reportTimezone: zone,
    trigger: scheduled ? 'scheduled' : 'ad-hoc',
    periodLabel: periodLabel(window.start, window.end, zone),
    overdue,
    overdueByAge: byAge,
    overdueByOwner: byOwner,
    atRisk,
    atRiskHours: config.atRiskHours,
    sla: sla.counts,
    warnings,
  });
  const emails = await deliverEmail(deps, to, email, {
    dryRun: input.dryRun,
    idempotencyKey: input.scheduledTime ? `${input.eventKey}#email` : undefined,
  });

  const result: DigestResult = {
    job: 'digest',
    report: input.report,
    dryRun: input.dryRun,
    asOf: input.asOf.toISOString(),
    ...numbers,
    overdue: { count: overdue.length, caseIds: sortedIds(overdue), byAge, byOwner },
    atRisk: { count: atRisk.length, caseIds: sortedIds(atRisk) },
    sla: { ...sla.counts },
    emails,
    warnings,
    stats: statsOf(client, deps.clock, startedAt),
  };
  logger.info('digest finished', {
    report: input.report,
    total: result.total,
    previousTotal,
    overdue: overdue.length,
    atRisk: atRisk.length,
    emails: emails.length,
    stats: result.stats,
  });
  return result;
}

/** `2026-11-26` for one local day, `2026-11-01 – 2026-11-15` for a longer period. */
function periodLabel(start: Date, end: Date, zone: string): string {
  const first = formatLocalDate(start, zone);
  const last = formatLocalDate(end, zone);
  return first === last ? first : `${first} – ${last}`;
}
