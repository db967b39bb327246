import * as z from 'zod';
import { EventError } from '../functions/case-digest/errors.js';
import { parseEvent } from '../functions/case-digest/events.js';
import { json, secretName, text, topicArn, zone } from './context-fields.js';
import {
  isCron,
  isScheduleExpression,
  rateExpression,
  rateMinutes,
  SCHEDULE_EXPRESSION_HELP,
} from './schedule-expression.js';

/**
 * Named reports (SPEC §12): each definition in the `reports` context key becomes one Scheduler schedule
 * whose input is the invocation event of SPEC §5 built from it. A definition is checked in two steps:
 * its own shape here, then the exact event it produces through the function's own `parseEvent`, so
 * synth refuses every report the Lambda would refuse.
 */

export const REPORT_NAME_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const JOBS = ['digest', 'overdue-alert'] as const;
export type Job = (typeof JOBS)[number];

/** Fields only the overdue alert takes; on a digest report each is an error. */
const ALERT_ONLY = [
  'priorities',
  'repeatHours',
  'warnHours',
  'pagerdutySecretName',
  'topicArn',
  'intervalMinutes',
] as const;

/** Any instant does: `parseEvent` needs one, and the schedule fills in the real one at each run. */
const PLACEHOLDER_SCHEDULED_TIME = '2026-01-01T00:00:00Z';

/**
 * The shape of one definition. Fields the event carries as they are (title, filters, recipients, …) are
 * left to `parseEvent`; the ones the stack itself reads (schedule, zone, secret, topic) are checked here.
 */
const reportShape = {
  name: text.regex(
    REPORT_NAME_RE,
    'must be 1–40 lowercase letters, digits or "-", starting with a letter or digit',
  ),
  job: z.enum(JOBS, { error: 'must be "digest" or "overdue-alert"' }),
  /** In `timezone` when a cron. */
  schedule: text.refine(isScheduleExpression, SCHEDULE_EXPRESSION_HELP),
  title: z.unknown().optional(),
  /** The report's days and dates, and the zone its cron runs in. @default reportTimezone */
  timezone: zone.optional(),
  filters: z.unknown().optional(),
  recipients: z.unknown().optional(),
  priorities: z.unknown().optional(),
  repeatHours: z.unknown().optional(),
  warnHours: z.unknown().optional(),
  /** → the event's `pagerdutySecretId`; the function may read it. */
  pagerdutySecretName: secretName.optional(),
  /** The function may publish to it. */
  topicArn: topicArn.optional(),
  /** Required with a cron alert schedule; derived from a rate. */
  intervalMinutes: z.unknown().optional(),
};
const notAnObject = {
  error: (issue: { code: string }) =>
    issue.code === 'invalid_type' ? 'must be a report definition (a JSON object)' : undefined,
};
const reportDefinitionSchema = z.strictObject(reportShape, notAnObject);
/** The same without the unknown-field rule, so a typo does not hide the report's other problems. */
const lenientReportDefinitionSchema = z.object(reportShape, notAnObject);
export type ReportDefinition = z.output<typeof reportDefinitionSchema>;

/** A problem with one report: the path below `reports[i]` and what is wrong. */
interface ReportIssue {
  path: string[];
  message: string;
}

/** The minutes each run of an alert report covers: its `intervalMinutes`, else the rate's interval. */
export function intervalMinutesOf(report: ReportDefinition): unknown {
  return report.intervalMinutes ?? rateMinutes(report.schedule);
}

/**
 * The schedule's input for a report, without `scheduledTime` (the schedule adds it): only the fields the
 * report sets, in the event's names, plus `intervalMinutes` for an alert.
 */
export function reportInput(report: ReportDefinition): Record<string, unknown> {
  const input: Record<string, unknown> = { job: report.job, report: report.name };
  const copy = (from: keyof ReportDefinition, to: string = from) => {
    if (report[from] !== undefined) input[to] = report[from];
  };
  copy('title');
  copy('timezone');
  copy('filters');
  copy('recipients');
  if (report.job === 'overdue-alert') {
    copy('priorities');
    copy('repeatHours');
    copy('warnHours');
    copy('pagerdutySecretName', 'pagerdutySecretId');
    copy('topicArn');
    input.intervalMinutes = intervalMinutesOf(report);
  }
  return input;
}

/** The schedule-related rules `parseEvent` cannot see: alert-only fields, and the alert's interval. */
function scheduleIssues(report: ReportDefinition): ReportIssue[] {
  const issues: ReportIssue[] = [];
  if (report.job === 'digest') {
    for (const field of ALERT_ONLY) {
      if (report[field] !== undefined)
        issues.push({ path: [field], message: 'only an overdue-alert report takes this' });
    }
    return issues;
  }
  const rate = rateMinutes(report.schedule);
  if (isCron(report.schedule) && report.intervalMinutes === undefined) {
    issues.push({
      path: ['intervalMinutes'],
      message:
        'required with a cron(…) schedule: the minutes each run looks back over (the time between two runs)',
    });
  } else if (rate !== undefined && report.intervalMinutes !== undefined && report.intervalMinutes !== rate) {
    issues.push({
      path: ['intervalMinutes'],
      message: `${String(report.intervalMinutes)} disagrees with ${report.schedule} (${rate} minutes): leave it out, it is derived from the rate`,
    });
  }
  return issues;
}

/** Runs the report's event through the function's own validation; each problem named by the report's field. */
function eventIssues(report: ReportDefinition): ReportIssue[] {
  const input = reportInput(report);
  try {
    parseEvent(
      { ...input, scheduledTime: PLACEHOLDER_SCHEDULED_TIME },
      () => new Date(PLACEHOLDER_SCHEDULED_TIME),
    );
    return [];
  } catch (error) {
    if (!(error instanceof EventError)) throw error;
    return splitEventError(error.message).map(({ path, message }) => {
      const [field = '', ...rest] = path;
      if (field === 'report') return { path: ['name', ...rest], message };
      if (field === 'pagerdutySecretId') return { path: ['pagerdutySecretName', ...rest], message };
      if (field === 'intervalMinutes' && report.intervalMinutes === undefined)
        return {
          path: ['schedule'],
          message: `its interval (intervalMinutes ${String(input.intervalMinutes)}) ${message}`,
        };
      if (field === 'scheduledTime') return { path: ['schedule'], message };
      return { path, message };
    });
  }
}

/** `Invalid event: a.b: message; c: message` → one issue per field. */
function splitEventError(message: string): ReportIssue[] {
  return message
    .replace(/^Invalid event: /, '')
    .split(/; (?=[\w.-]+: |\(root\): )/)
    .map((part) => {
      const at = part.indexOf(': ');
      const field = at < 0 ? '(root)' : part.slice(0, at);
      return {
        path: field === '(root)' ? [] : field.split('.'),
        message: at < 0 ? part : part.slice(at + 2),
      };
    });
}

/**
 * The `reports` context key: a list of definitions (a JSON array in cdk.json, or a JSON string with `-c`).
 * Each issue's path is `[index, field…]` below `reports`.
 */
export const reportsSchema = json(
  z.array(z.unknown(), { error: 'must be a list of report definitions' }),
  'a list of report definitions',
).transform((items, ctx) => {
  const reports: ReportDefinition[] = [];
  items.forEach((item, index) => {
    const strict = reportDefinitionSchema.safeParse(item);
    const issues: ReportIssue[] = strict.success
      ? []
      : strict.error.issues.flatMap((i) =>
          i.code === 'unrecognized_keys'
            ? i.keys.map((k) => ({ path: [...i.path.map(String), k], message: 'unknown field' }))
            : [{ path: i.path.map(String), message: i.message }],
        );
    const parsed = strict.success ? strict : lenientReportDefinitionSchema.safeParse(item);
    if (parsed.success) issues.push(...scheduleIssues(parsed.data), ...eventIssues(parsed.data));
    for (const issue of issues)
      ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: issue.message });
    if (strict.success) reports.push(strict.data);
  });
  return reports;
});

/** One schedule of the stack: its name in the schedule group, when it runs, and the event it sends. */
export interface ScheduledRun {
  readonly name: string;
  readonly description: string;
  /** `cron(…)` or `rate(…)`. */
  readonly expression: string;
  /** The zone a cron runs in; none for a rate. */
  readonly timezone: string | undefined;
  /** The event without `scheduledTime`, which the schedule adds at each run. */
  readonly input: Record<string, unknown>;
}

export interface RunSettings {
  readonly reports?: ReportDefinition[] | undefined;
  readonly reportTimezone: string;
  readonly digestSchedule: string;
  readonly alertIntervalMinutes: number;
}

/** The stack's schedules: one per report, or — without `reports` — the default digest and overdue alert. */
export function scheduledRuns(s: RunSettings): ScheduledRun[] {
  if (!s.reports) {
    return [
      {
        name: 'digest',
        description: `Daily case digest at ${s.digestSchedule} ${s.reportTimezone}`,
        expression: s.digestSchedule,
        timezone: s.reportTimezone,
        input: { job: 'digest' },
      },
      {
        name: 'overdue-alert',
        description: `Overdue alert every ${s.alertIntervalMinutes} minutes`,
        expression: rateExpression(s.alertIntervalMinutes),
        timezone: undefined,
        // The run covers (scheduledTime - intervalMinutes, scheduledTime]: consecutive runs tile time.
        input: { job: 'overdue-alert', intervalMinutes: s.alertIntervalMinutes },
      },
    ];
  }
  return s.reports.map((report) => {
    const timezone = isCron(report.schedule) ? (report.timezone ?? s.reportTimezone) : undefined;
    const what = report.job === 'digest' ? 'digest' : 'overdue alert';
    return {
      name: report.name,
      description: `Report "${report.name}": ${what} at ${report.schedule}${timezone ? ` ${timezone}` : ''}`,
      expression: report.schedule,
      timezone,
      input: reportInput(report),
    };
  });
}
