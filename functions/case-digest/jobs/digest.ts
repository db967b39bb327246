import { caseRules, isOverdue } from '../core/cases.js';
import { byPriorityThenDue, sortedIds, toOverdueView } from '../core/overdue-view.js';
import { CaseTally } from '../core/tally.js';
import { renderDigest } from '../email/render.js';
import type { OverdueCaseView } from '../email/views.js';
import { ConfigError } from '../errors.js';
import { apiFilters, type DigestInput, displayFilters } from '../events.js';
import { lookbackWindow, precedingWindow, previousDayWindow, rangeWindow } from '../time/windows.js';
import { formatLocalDate } from '../time/zoned.js';
import {
  countWindow,
  deliver,
  type EmailResult,
  type JobDeps,
  type RunStats,
  statsOf,
  streamWindow,
  type WindowResult,
  windowResult,
} from './deps.js';

export interface DigestResult {
  job: 'digest';
  dryRun: boolean;
  asOf: string;
  window: WindowResult;
  filters: Record<string, string>;
  total: number;
  previousTotal: number;
  byPriority: Record<string, number>;
  byOrigin: Record<string, number>;
  byState: Record<string, number>;
  overdue: { count: number; caseIds: string[] };
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
 * The daily (or ad-hoc) digest: counts of the window's new cases by priority, origin and state,
 * the trend against the period before, and the open cases overdue at `asOf`. Every page must
 * arrive — any failure throws before anything is mailed.
 */
export async function runDigest(input: DigestInput, deps: JobDeps): Promise<DigestResult> {
  const startedAt = performance.now();
  const { config, client, logger } = deps;
  const to = digestRecipients(input, deps);
  const zone = config.reportTimezone;
  const window = input.range
    ? rangeWindow(input.range.from, input.range.to, zone)
    : previousDayWindow(input.asOf, zone);
  const filters = apiFilters(input.filters);
  const rules = caseRules(config.aiccTimezone, config.closedStates);
  logger.info('digest started', {
    window: windowResult(window, zone),
    filters: displayFilters(input.filters),
  });

  const tally = new CaseTally();
  const warnings = await streamWindow(client, window, config.aiccTimezone, filters, (c) => tally.add(c));
  const previousTotal = await countWindow(
    client,
    precedingWindow(window, zone),
    config.aiccTimezone,
    filters,
  );

  const overdue: OverdueCaseView[] = [];
  // Ids across the lookback's API windows: windows that meet inside a repeated DST hour can both list a case.
  const overdueIds = new Set<string>();
  const lookback = lookbackWindow(input.asOf, config.overdueLookbackDays);
  warnings.push(
    ...(await streamWindow(client, lookback, config.aiccTimezone, filters, (c) => {
      if (!isOverdue(c, input.asOf, rules)) return;
      if (c.id) {
        if (overdueIds.has(c.id)) return;
        overdueIds.add(c.id);
      }
      overdue.push(toOverdueView(c, input.asOf, rules, config.caseUrlTemplate));
    })),
  );
  overdue.sort(byPriorityThenDue);

  const numbers = {
    window: windowResult(window, zone),
    filters: displayFilters(input.filters),
    total: tally.total,
    previousTotal,
    byPriority: tally.byPriority,
    byOrigin: tally.byOrigin,
    byState: tally.byState,
  };
  const email = renderDigest({
    ...numbers,
    asOf: input.asOf,
    generatedAt: deps.now(),
    reportTimezone: zone,
    trigger: input.scheduledTime && !input.range ? 'scheduled' : 'ad-hoc',
    periodLabel: periodLabel(window.start, window.end, zone),
    overdue,
    warnings,
  });
  const idempotencyKey = input.scheduledTime ? `digest#${input.scheduledTime}` : undefined;
  const emails = await deliver(deps, to, email, { dryRun: input.dryRun, idempotencyKey });

  const result: DigestResult = {
    job: 'digest',
    dryRun: input.dryRun,
    asOf: input.asOf.toISOString(),
    ...numbers,
    overdue: { count: overdue.length, caseIds: sortedIds(overdue) },
    emails,
    warnings,
    stats: statsOf(client, startedAt),
  };
  logger.info('digest finished', {
    total: result.total,
    previousTotal,
    overdue: overdue.length,
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
