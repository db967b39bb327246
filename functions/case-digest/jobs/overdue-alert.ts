import { PRIORITY_CODES } from '../aicc/schemas.js';
import { type PagerDutyEvent, resolveEvent, triggerEvent } from '../channels/pagerduty.js';
import { type TopicMessage, topicMessage } from '../channels/topic.js';
import type { RoutingKeySource } from '../config.js';
import {
  bucketOf,
  caseRules,
  closedInstant,
  dueInstant,
  isAlertDue,
  isOpen,
  isResolvedInInterval,
  isWarnDue,
} from '../core/cases.js';
import { DateQuality } from '../core/date-quality.js';
import { byPriorityThenDue, soonestDueFirst, sortedIds, toOverdueView } from '../core/overdue-view.js';
import { renderAlert } from '../email/render.js';
import type { OverdueCaseView, RenderedEmail } from '../email/views.js';
import { ChannelError, ConfigError } from '../errors.js';
import { type AlertInput, apiFilters, displayFilters } from '../events.js';
import { lookbackWindow } from '../time/windows.js';
import { deliverEmail, type EmailResult } from './delivery.js';
import type { JobDeps } from './deps.js';
import { type RunStats, statsOf, type WindowResult, windowResult } from './result.js';
import { streamWindow } from './scan.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface AlertResult {
  job: 'overdue-alert';
  report: string | null;
  dryRun: boolean;
  asOf: string;
  /** The lookback, in the report's zone. */
  window: WindowResult;
  alerted: { count: number; caseIds: string[] };
  warned: { count: number; caseIds: string[] };
  /** Present when PagerDuty is configured: events accepted (on a dry run, the events it would send). */
  pagerduty?: { triggered: number; resolved: number; events?: PagerDutyEvent[] };
  /**
   * Present when a topic is configured; `messageId` null on a dry run (which shows the `message`) and
   * when there was nothing to publish (no `status` then).
   */
  topic?: { messageId: string | null; status?: 'sent' | 'already-sent' | 'dry-run'; message?: TopicMessage };
  emails: EmailResult[];
  warnings: string[];
  stats: RunStats;
}

/** The rule this run applies: the event's values over the environment's (SPEC §5, §13). */
interface AlertRule {
  priorities: string[];
  intervalMs: number;
  repeatMs: number;
  warnMs: number;
  recipients: string[];
  pagerduty: RoutingKeySource | undefined;
  topicArn: string | undefined;
}

function alertRule(input: AlertInput, deps: JobDeps): AlertRule {
  const { config } = deps;
  const rule: AlertRule = {
    priorities: input.priorities ?? config.alertPriorities,
    intervalMs: input.intervalMinutes * MINUTE,
    repeatMs: (input.repeatHours ?? config.alertRepeatHours) * HOUR,
    warnMs: (input.warnHours ?? config.alertWarnHours) * HOUR,
    recipients: input.recipients ?? config.alertRecipients,
    pagerduty: input.pagerdutySecretId
      ? { kind: 'secret', secretId: input.pagerdutySecretId }
      : config.pagerduty,
    topicArn: input.topicArn ?? config.alertTopicArn,
  };
  if (rule.recipients.length === 0 && !rule.pagerduty && !rule.topicArn && !input.dryRun) {
    throw new ConfigError(
      'Invalid configuration: the overdue-alert job has no channel: set ALERT_RECIPIENTS, PAGERDUTY_SECRET_ID ' +
        'or ALERT_TOPIC_ARN (or give the event "recipients", "pagerdutySecretId" or "topicArn")',
    );
  }
  return rule;
}

/**
 * The on-call alert: open cases of the alerting priorities, created within the lookback, whose due
 * date (or a reminder every `repeatHours` after it) falls in `(asOf − interval, asOf]`, and those
 * warned `warnHours` before their due date. One query per alerting priority (with the rule's filters),
 * all paging at once through the run's pool. Every configured channel is tried even when another
 * fails; the run then throws naming each failed one. Nothing to alert or warn → nothing is sent
 * (but PagerDuty still hears of cases that closed).
 */
export async function runOverdueAlert(input: AlertInput, deps: JobDeps): Promise<AlertResult> {
  const startedAt = deps.clock();
  const { config, client, logger } = deps;
  const rule = alertRule(input, deps);
  const zone = input.timezone ?? config.reportTimezone;
  const rules = caseRules(config.aiccTimezone, config.closedStates);
  const lookback = lookbackWindow(input.asOf, config.overdueLookbackDays);
  logger.info('overdue alert started', {
    report: input.report,
    window: windowResult(lookback, zone),
    priorities: rule.priorities,
    intervalMinutes: input.intervalMinutes,
  });

  const alerted = new Map<string, OverdueCaseView>();
  const warned = new Map<string, OverdueCaseView>();
  const resolved = new Set<string>();
  const quality = new DateQuality();
  const view = (c: Parameters<typeof toOverdueView>[0]) =>
    toOverdueView(c, input.asOf, rules, config.caseUrlTemplate);
  /** Cases a priority query returned with another priority value, by what they said: never silent. */
  const mismatched = new Map<string, number>();
  const scans = rule.priorities.map((priority) => {
    const wanted = priority.toLowerCase();
    const filters = {
      api: {
        ...apiFilters(input.filters),
        priority: PRIORITY_CODES[priority as keyof typeof PRIORITY_CODES],
      },
      display: { ...displayFilters(input.filters), priority },
    };
    return streamWindow(client, lookback, config.aiccTimezone, filters, (c) => {
      quality.note(c);
      // The API filtered by priority already; the check guards against a server that ignores the filter
      // (or one that names its priorities otherwise — counted, and said in the warnings).
      const got = bucketOf(c.priority);
      if (got.toLowerCase() !== wanted) {
        const what = `${priority} query answered "${got}"`;
        mismatched.set(what, (mismatched.get(what) ?? 0) + 1);
        return;
      }
      const due = dueInstant(c, rules);
      if (!due) return;
      // A case is listed once even if two priority queries return it; one without an id cannot be matched.
      const key = c.id ?? `(no id) ${alerted.size + warned.size}`;
      if (isOpen(c, rules)) {
        if (isAlertDue(due, input.asOf, rule.intervalMs, rule.repeatMs)) alerted.set(key, view(c));
        else if (isWarnDue(due, input.asOf, rule.intervalMs, rule.warnMs)) warned.set(key, view(c));
        return;
      }
      const closed = closedInstant(c, rules);
      if (c.id && closed && isResolvedInInterval(due, closed, input.asOf, rule.intervalMs, rule.warnMs))
        resolved.add(c.id);
    });
  });
  const warnings = [...(await Promise.all(scans)).flat(), ...quality.warnings()];
  const anonymous = [...alerted.values(), ...warned.values()].filter((c) => c.id === '').length;
  if (rule.pagerduty && anonymous > 0)
    warnings.push(
      `${anonymous} listed case${anonymous === 1 ? ' has' : 's have'} no id: not paged through PagerDuty ` +
        '(an incident is keyed by the case id); they are in the email and the topic message.',
    );
  for (const [what, n] of mismatched)
    warnings.push(
      `${n} case${n === 1 ? '' : 's'} of the ${what} as its priority: left out of the alert. ` +
        'The API should filter by priority; if this tenant names its priorities otherwise, they cannot be matched.',
    );
  const overdueCases = [...alerted.values()].sort(byPriorityThenDue);
  const dueSoon = [...warned.values()].sort(soonestDueFirst);

  const delivered = await deliverAll(input, deps, rule, {
    overdueCases,
    dueSoon,
    resolved: [...resolved].sort(),
    warnings,
    zone,
  });

  const result: AlertResult = {
    job: 'overdue-alert',
    report: input.report,
    dryRun: input.dryRun,
    asOf: input.asOf.toISOString(),
    window: windowResult(lookback, zone),
    alerted: { count: overdueCases.length, caseIds: sortedIds(overdueCases) },
    warned: { count: dueSoon.length, caseIds: sortedIds(dueSoon) },
    ...(delivered.pagerduty ? { pagerduty: delivered.pagerduty } : {}),
    ...(delivered.topic ? { topic: delivered.topic } : {}),
    emails: delivered.emails,
    warnings,
    stats: statsOf(client, deps.clock, startedAt),
  };
  logger.info('overdue alert finished', {
    report: input.report,
    alerted: overdueCases.length,
    warned: dueSoon.length,
    resolved: resolved.size,
    emails: delivered.emails.length,
    pagerduty: delivered.pagerduty
      ? { triggered: delivered.pagerduty.triggered, resolved: delivered.pagerduty.resolved }
      : undefined,
    topic: delivered.topic?.messageId,
    stats: result.stats,
  });
  if (delivered.failures.length > 0) {
    logger.warn('alert channels failed; the others were delivered', {
      failed: delivered.failures.map((f) => f.channel),
    });
    throw new ChannelError(delivered.failures);
  }
  return result;
}

interface Listed {
  overdueCases: OverdueCaseView[];
  dueSoon: OverdueCaseView[];
  /** Ids of cases closed in the interval after being warned or overdue: PagerDuty resolves them. */
  resolved: string[];
  warnings: string[];
  zone: string;
}

interface Delivered {
  emails: EmailResult[];
  pagerduty?: AlertResult['pagerduty'];
  topic?: AlertResult['topic'];
  failures: { channel: string; error: unknown }[];
}

/** Every configured channel, each attempted whatever the others do; a dry run sends nothing. */
async function deliverAll(
  input: AlertInput,
  deps: JobDeps,
  rule: AlertRule,
  listed: Listed,
): Promise<Delivered> {
  const { overdueCases, dueSoon } = listed;
  const anything = overdueCases.length + dueSoon.length > 0;
  const key = input.scheduledTime ? input.eventKey : undefined;
  const out: Delivered = { emails: [], failures: [] };
  let email: RenderedEmail | undefined;
  if (anything) {
    email = renderAlert({
      report: input.report ? { name: input.report, title: input.title ?? input.report } : undefined,
      scheduledTime: input.scheduledTime ? input.asOf : undefined,
      asOf: input.asOf,
      generatedAt: deps.clock(),
      reportTimezone: listed.zone,
      priorities: rule.priorities,
      intervalMinutes: input.intervalMinutes,
      repeatHours: rule.repeatMs / HOUR,
      warnHours: rule.warnMs / HOUR,
      cases: overdueCases,
      warned: dueSoon,
      warnings: listed.warnings,
    });
  }
  const attempts: Promise<void>[] = [];
  const attempt = (channel: string, run: () => Promise<void>) =>
    attempts.push(
      run().catch((error: unknown) => {
        out.failures.push({ channel, error });
      }),
    );

  if (email && rule.recipients.length > 0) {
    const rendered = email;
    attempt('email', async () => {
      out.emails = await deliverEmail(deps, rule.recipients, rendered, {
        dryRun: input.dryRun,
        idempotencyKey: key ? `${key}#email` : undefined,
      });
    });
  }
  if (rule.pagerduty) {
    const source = rule.pagerduty;
    // Built where they are sent: a failure here is this channel's alone.
    const events = (): PagerDutyEvent[] => {
      const ctx = {
        asOf: input.asOf,
        source: new URL(deps.config.aiccBaseUrl).host,
        aiccTimezone: deps.config.aiccTimezone,
      };
      // A case without an id has no incident key of its own (its trigger would merge with every other one).
      const paged = (cases: readonly OverdueCaseView[]) => cases.filter((c) => c.id !== '');
      return [
        ...paged(overdueCases).map((c) => triggerEvent(c, 'overdue', ctx)),
        ...paged(dueSoon).map((c) => triggerEvent(c, 'due-soon', ctx)),
        ...listed.resolved.map(resolveEvent),
      ];
    };
    if (input.dryRun) {
      const all = events();
      out.pagerduty = {
        triggered: all.filter((e) => e.event_action === 'trigger').length,
        resolved: all.filter((e) => e.event_action === 'resolve').length,
        events: all,
      };
    } else
      attempt('PagerDuty', async () => {
        out.pagerduty = await deps.sendPagerDuty(source, events());
      });
  }
  if (rule.topicArn && email) {
    const topicArn = rule.topicArn;
    const rendered = email;
    const message = () =>
      topicMessage(rendered, deps.config.alertTopicFormat, {
        alerted: overdueCases,
        warned: dueSoon,
        priorities: rule.priorities,
        asOf: input.asOf,
      });
    if (input.dryRun) out.topic = { messageId: null, status: 'dry-run', message: message() };
    else
      attempt('SNS topic', async () => {
        const published = await deps.publishTopic(topicArn, message(), key ? `${key}#topic` : undefined);
        out.topic = { messageId: published.messageId, status: published.status };
      });
  } else if (rule.topicArn) {
    out.topic = { messageId: null };
  }
  await Promise.all(attempts);
  return out;
}
