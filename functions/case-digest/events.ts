import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { caseFiltersSchema, codeField, ORIGIN_CODES, PRIORITY_CODES } from './aicc/schemas.js';
import { describeIssues, emailAddress, secretId, topicArn, zone } from './config.js';
import { maskPhone } from './email/mask.js';
import { EventError } from './errors.js';
import { parseLocalFields } from './time/zoned.js';

const MAX_RANGE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A year of hours: a longer reminder period or warning lead is a typo, not a policy. */
const MAX_HOURS = 8784;

/**
 * `filters` of an event: the API's filter fields; priority and origin by name or code. Strict:
 * `extend` keeps caseFiltersSchema's `never` catchall.
 */
const filtersSchema = z.extend(caseFiltersSchema, {
  priority: z.optional(codeField(PRIORITY_CODES, 'priority')),
  origin: z.optional(codeField(ORIGIN_CODES, 'origin')),
  /** Extended fields of a case template, sent to the API as they are. */
  extended: z.optional(
    z.record(
      z.string().check(
        z.regex(/^[A-Za-z_][\w.]*$/, 'must be a field name'),
        z.refine(
          (k) => !RESERVED_FIELDS.has(k),
          'is a field of the API itself: give it as a filter of its own, not as an extended field',
        ),
      ),
      z.string(),
    ),
  ),
});

/**
 * The request's own fields. As an extended field one would contradict (or be overwritten by) the real
 * one — and a `contactPhone` there would escape the masking every phone gets.
 */
const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  ...Object.keys(caseFiltersSchema.shape),
  'startTime',
  'endTime',
  'start',
  'limit',
]);
export type EventFilters = z.infer<typeof filtersSchema>;

const localDateOrTime = z.string().check(
  z.refine((v) => parseLocalFields(v) !== null, {
    error: 'must be a real date as YYYY-MM-DD or YYYY-MM-DD HH:mm:ss',
  }),
);
const instant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 instant, e.g. 2026-11-27T02:00:00Z',
});
const hours = z
  .number()
  .check(
    z.int('must be a whole number'),
    z.minimum(0, 'must be 0 or more'),
    z.maximum(MAX_HOURS, `must be at most ${MAX_HOURS} (a year)`),
  );

/** The fields every event may carry (SPEC §5). */
const common = {
  scheduledTime: z.optional(instant),
  at: z.optional(instant),
  dryRun: z.optional(z.boolean()),
  recipients: z.optional(z.array(emailAddress).check(z.minLength(1, 'must list at least one address'))),
  /** A named report (SPEC §12): its name, shown title and time zone. */
  report: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^[a-z0-9][a-z0-9-]{0,39}$/,
          'must be 1–40 lowercase letters, digits or "-", starting with a letter or digit',
        ),
      ),
  ),
  title: z.optional(
    z.string().check(
      z.trim(),
      z.minLength(1, 'must not be blank'),
      z.maxLength(80, 'must be at most 80 characters'),
      z.refine((v) => !/[\p{Cc}\u2028\u2029]/u.test(v), 'must not contain control characters or line breaks'),
    ),
  ),
  timezone: z.optional(zone),
};

const digestEventSchema = z
  .strictObject({
    job: z.literal('digest'),
    ...common,
    from: z.optional(localDateOrTime),
    to: z.optional(localDateOrTime),
    filters: z.optional(filtersSchema),
  })
  .check(
    z.superRefine((e, ctx) => {
      if ((e.from === undefined) !== (e.to === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [e.from === undefined ? 'from' : 'to'],
          message: 'from and to go together',
        });
        return;
      }
      if (e.from === undefined || e.to === undefined) return;
      const f = parseLocalFields(e.from);
      const t = parseLocalFields(e.to);
      if (!f || !t) return;
      // Compare as wall-clock values: a date `to` means the end of that day.
      const fromMs = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
      const toMs =
        e.to.length === 10
          ? Date.UTC(t.year, t.month - 1, t.day + 1) - 1000
          : Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
      if (toMs < fromMs) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (toMs - fromMs + 1000 > MAX_RANGE_DAYS * DAY_MS)
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `range must not exceed ${MAX_RANGE_DAYS} days`,
        });
    }),
  );

const alertEventSchema = z
  .strictObject({
    job: z.literal('overdue-alert'),
    ...common,
    intervalMinutes: z.optional(
      z
        .number()
        .check(
          z.int('must be a whole number'),
          z.positive('must be greater than 0'),
          z.maximum(7 * 24 * 60, 'must be at most 10080 (7 days)'),
        ),
    ),
    filters: z.optional(filtersSchema),
    /** Replaces ALERT_PRIORITIES: one query per priority, filtered by the API. */
    priorities: z.optional(
      z.array(codeField(PRIORITY_CODES, 'priority')).check(z.minLength(1, 'must list at least one priority')),
    ),
    repeatHours: z.optional(hours),
    warnHours: z.optional(hours),
    pagerdutySecretId: z.optional(secretId),
    topicArn: z.optional(topicArn),
  })
  .check(
    z.superRefine((e, ctx) => {
      // The alert queries one priority at a time; a priority filter would contradict `priorities`.
      if (e.filters?.priority !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['filters', 'priority'],
          message: 'not allowed on the alert: list the alerting priorities in "priorities"',
        });
    }),
  );

const eventSchema = z.discriminatedUnion('job', [digestEventSchema, alertEventSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'must be "digest" or "overdue-alert"' : undefined),
});

interface CommonInput {
  /** The instant "now" means: scheduledTime, else at, else the clock. */
  asOf: Date;
  /** Set for schedule deliveries: only those are guarded against sending twice. */
  scheduledTime: string | undefined;
  dryRun: boolean;
  recipients: string[] | undefined;
  /** The named report, or null for a plain run. */
  report: string | null;
  /** The title shown in the subject and heading (a report's title, else its name). */
  title: string | undefined;
  /** Replaces REPORT_TIMEZONE for this run when set. */
  timezone: string | undefined;
  /**
   * Identifies this event among all others: a digest of the whole validated event (defaults filled
   * in, `dryRun` left out). Two deliveries of the same event share it; two different events never do.
   */
  eventKey: string;
}
export interface DigestInput extends CommonInput {
  job: 'digest';
  range: { from: string; to: string } | undefined;
  filters: EventFilters;
}
export interface AlertInput extends CommonInput {
  job: 'overdue-alert';
  intervalMinutes: number;
  /** Never holds `priority`: the alert queries each alerting priority on its own. */
  filters: EventFilters;
  priorities: string[] | undefined;
  repeatHours: number | undefined;
  warnHours: number | undefined;
  pagerdutySecretId: string | undefined;
  topicArn: string | undefined;
}
export type JobInput = DigestInput | AlertInput;

/** Validates an invocation event strictly (SPEC §5); throws EventError naming each bad field. */
export function parseEvent(event: unknown, now: () => Date): JobInput {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw new EventError(`Invalid event: ${describeIssues(parsed.error)}`);
  const e = parsed.data;
  const stamp = e.scheduledTime ?? e.at;
  const common = {
    asOf: stamp ? new Date(stamp) : now(),
    scheduledTime: e.scheduledTime,
    dryRun: e.dryRun ?? false,
    recipients: e.recipients,
    report: e.report ?? null,
    title: e.title ?? e.report,
    timezone: e.timezone,
  };
  if (e.job === 'digest') {
    const range = e.from !== undefined && e.to !== undefined ? { from: e.from, to: e.to } : undefined;
    const filters = e.filters ?? {};
    return {
      ...common,
      job: 'digest',
      range,
      filters,
      eventKey: eventKey({ ...keyBase(e), range: range ?? null, filters: apiFilters(filters) }),
    };
  }
  const filters = e.filters ?? {};
  const priorities = e.priorities ? [...new Set(e.priorities)] : undefined;
  const alert = {
    intervalMinutes: e.intervalMinutes ?? 60,
    priorities,
    repeatHours: e.repeatHours,
    warnHours: e.warnHours,
    pagerdutySecretId: e.pagerdutySecretId,
    topicArn: e.topicArn,
  };
  return {
    ...common,
    job: 'overdue-alert',
    filters,
    ...alert,
    eventKey: eventKey({
      ...keyBase(e),
      ...alert,
      priorities: priorities ? [...priorities].sort() : null,
      filters: apiFilters(filters),
    }),
  };
}

/** The fields both jobs key on, normalised so that equal events compare equal. */
function keyBase(e: z.infer<typeof eventSchema>) {
  const iso = (t: string | undefined) => (t ? new Date(t).toISOString() : null);
  return {
    job: e.job,
    report: e.report ?? null,
    // A report's title defaults to its name: the same event either way.
    title: e.title ?? e.report ?? null,
    timezone: e.timezone ?? null,
    scheduledTime: iso(e.scheduledTime),
    at: iso(e.at),
    // The same people in another order or spelling are the same delivery.
    recipients: e.recipients ? [...new Set(e.recipients.map((r) => r.trim().toLowerCase()))].sort() : null,
  };
}

/** `job#report#scheduledTime#hash`: readable in a log, and unique per event by the hash of all of it. */
function eventKey(fields: Record<string, unknown> & { job: string; report: string | null }): string {
  const hash = createHash('sha256').update(canonicalJson(fields)).digest('base64url').slice(0, 22);
  return [fields.job, fields.report ?? '-', fields.scheduledTime ?? fields.at ?? 'now', hash].join('#');
}

/** JSON with object keys sorted at every depth, so the same value always serialises the same way. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v === undefined
        ? null
        : v,
  );
}

/** Filters as the API takes them: strings, priority and origin as codes, extended fields inlined. */
export function apiFilters(filters: EventFilters): Record<string, string> {
  const { extended, priority, origin, ...rest } = filters;
  const out: Record<string, string> = { ...(extended ?? {}) };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  if (priority) out.priority = PRIORITY_CODES[priority as keyof typeof PRIORITY_CODES];
  if (origin) out.origin = ORIGIN_CODES[origin as keyof typeof ORIGIN_CODES];
  return out;
}

/**
 * Filters as people read them (the result's `filters`, the email, warnings and logs): display names,
 * flat, and a phone number masked to its last 4 digits like every phone shown (the API gets it whole).
 */
export function displayFilters(filters: EventFilters): Record<string, string> {
  const { extended, ...rest } = filters;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  if (rest.contactPhone !== undefined) out.contactPhone = maskPhone(rest.contactPhone);
  return { ...out, ...(extended ?? {}) };
}
