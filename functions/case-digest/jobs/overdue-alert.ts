import { PRIORITY_CODES } from '../aicc/schemas.js';
import { bucketOf, caseRules, dueInstant, isAlertDue, isOpen } from '../core/cases.js';
import { mostOverdueFirst, sortedIds, toOverdueView } from '../core/overdue-view.js';
import { renderAlert } from '../email/render.js';
import type { OverdueCaseView } from '../email/views.js';
import { ConfigError } from '../errors.js';
import type { AlertInput } from '../events.js';
import { lookbackWindow } from '../time/windows.js';
import {
  deliver,
  type EmailResult,
  type JobDeps,
  type RunStats,
  statsOf,
  streamWindow,
  type WindowResult,
  windowResult,
} from './deps.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface AlertResult {
  job: 'overdue-alert';
  dryRun: boolean;
  asOf: string;
  window: WindowResult;
  alerted: { count: number; caseIds: string[] };
  emails: EmailResult[];
  warnings: string[];
  stats: RunStats;
}

/**
 * The on-call alert: open cases of the alerting priorities, created within the lookback, whose
 * due date (or a reminder every ALERT_REPEAT_HOURS after it) falls in `(asOf − interval, asOf]`.
 * One query per alerting priority, filtered by the API; nothing to alert → no email.
 */
export async function runOverdueAlert(input: AlertInput, deps: JobDeps): Promise<AlertResult> {
  const startedAt = performance.now();
  const { config, client, logger } = deps;
  const to = input.recipients ?? config.alertRecipients;
  if (to.length === 0 && !input.dryRun) {
    throw new ConfigError(
      'Invalid configuration: ALERT_RECIPIENTS: required for the overdue-alert job (or give "recipients")',
    );
  }
  const rules = caseRules(config.aiccTimezone, config.closedStates);
  const lookback = lookbackWindow(input.asOf, config.overdueLookbackDays);
  const intervalMs = input.intervalMinutes * MINUTE;
  const repeatMs = config.alertRepeatHours * HOUR;
  logger.info('overdue alert started', {
    window: windowResult(lookback, config.reportTimezone),
    priorities: config.alertPriorities,
    intervalMinutes: input.intervalMinutes,
  });

  const alerted = new Map<string, OverdueCaseView>();
  const warnings: string[] = [];
  for (const priority of config.alertPriorities) {
    const code = PRIORITY_CODES[priority as keyof typeof PRIORITY_CODES];
    const wanted = priority.toLowerCase();
    warnings.push(
      ...(await streamWindow(client, lookback, config.aiccTimezone, { priority: code }, (c) => {
        // The API filtered by priority already; the check guards against a server that ignores the filter.
        if (bucketOf(c.priority).toLowerCase() !== wanted || !isOpen(c, rules)) return;
        const due = dueInstant(c, rules);
        // A case is alerted once even if two priority queries return it; one without an id cannot be matched.
        const key = c.id ?? `(no id) ${alerted.size}`;
        if (due && isAlertDue(due, input.asOf, intervalMs, repeatMs) && !alerted.has(key)) {
          alerted.set(key, toOverdueView(c, input.asOf, rules, config.caseUrlTemplate));
        }
      })),
    );
  }
  const cases = [...alerted.values()].sort(mostOverdueFirst);

  let emails: EmailResult[] = [];
  if (cases.length > 0) {
    const email = renderAlert({
      asOf: input.asOf,
      generatedAt: deps.now(),
      reportTimezone: config.reportTimezone,
      priorities: config.alertPriorities,
      intervalMinutes: input.intervalMinutes,
      repeatHours: config.alertRepeatHours,
      cases,
      warnings,
    });
    const idempotencyKey = input.scheduledTime ? `overdue-alert#${input.scheduledTime}` : undefined;
    emails = await deliver(deps, to, email, { dryRun: input.dryRun, idempotencyKey });
  }

  const result: AlertResult = {
    job: 'overdue-alert',
    dryRun: input.dryRun,
    asOf: input.asOf.toISOString(),
    window: windowResult(lookback, config.reportTimezone),
    alerted: { count: cases.length, caseIds: sortedIds(cases) },
    emails,
    warnings,
    stats: statsOf(client, startedAt),
  };
  logger.info('overdue alert finished', {
    alerted: cases.length,
    emails: emails.length,
    stats: result.stats,
  });
  return result;
}
