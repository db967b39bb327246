import * as z from 'zod/mini';
import { canonicalName, caseFiltersSchema, ORIGIN_CODES, PRIORITY_CODES } from './aicc/schemas.js';
import { describeIssues, emailAddress } from './config.js';
import { maskPhone } from './email/mask.js';
import { EventError } from './errors.js';
import { parseLocalFields } from './time/zoned.js';

const MAX_RANGE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

type CodeTable = Record<string, string>;

const codeField = (table: CodeTable, what: string) =>
  z.pipe(
    z.union([z.string(), z.number().check(z.int())]),
    z.transform((v: string | number, ctx) => {
      const name = canonicalName(table, String(v));
      if (!name) {
        // As classic zod's `ctx.addIssue` in a transform did (zod/mini's ctx is the bare payload).
        ctx.issues.push({
          code: 'custom',
          message: `unknown ${what} "${String(v)}" (expected one of ${Object.entries(table)
            .map(([n, c]) => `${n}/${c}`)
            .join(', ')})`,
          input: ctx.value,
        });
        return z.NEVER;
      }
      return name;
    }),
  );

/**
 * `filters` of an event: the API's filter fields; priority and origin by name or code. Strict:
 * `extend` keeps caseFiltersSchema's `never` catchall.
 */
const filtersSchema = z.extend(caseFiltersSchema, {
  priority: z.optional(codeField(PRIORITY_CODES, 'priority')),
  origin: z.optional(codeField(ORIGIN_CODES, 'origin')),
  /** Extended fields of a case template, sent to the API as they are. */
  extended: z.optional(
    z.record(z.string().check(z.regex(/^[A-Za-z_][\w.]*$/, 'must be a field name')), z.string()),
  ),
});
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

const common = {
  scheduledTime: z.optional(instant),
  at: z.optional(instant),
  dryRun: z.optional(z.boolean()),
  recipients: z.optional(z.array(emailAddress).check(z.minLength(1, 'must list at least one address'))),
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

const alertEventSchema = z.strictObject({
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
});

const eventSchema = z.discriminatedUnion('job', [digestEventSchema, alertEventSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'must be "digest" or "overdue-alert"' : undefined),
});

interface CommonInput {
  /** The instant "now" means: scheduledTime, else at, else the clock. */
  asOf: Date;
  /** Set for schedule deliveries: the idempotency key's time part. */
  scheduledTime: string | undefined;
  dryRun: boolean;
  recipients: string[] | undefined;
}
export interface DigestInput extends CommonInput {
  job: 'digest';
  range: { from: string; to: string } | undefined;
  filters: EventFilters;
}
export interface AlertInput extends CommonInput {
  job: 'overdue-alert';
  intervalMinutes: number;
}
export type JobInput = DigestInput | AlertInput;

/** Validates an invocation event strictly (SPEC §5); throws EventError naming each bad field. */
export function parseEvent(event: unknown, now: () => Date): JobInput {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw new EventError(`Invalid event: ${describeIssues(parsed.error)}`);
  const e = parsed.data;
  const stamp = e.scheduledTime ?? e.at;
  const common: CommonInput = {
    asOf: stamp ? new Date(stamp) : now(),
    scheduledTime: e.scheduledTime,
    dryRun: e.dryRun ?? false,
    recipients: e.recipients,
  };
  if (e.job === 'digest') {
    return {
      ...common,
      job: 'digest',
      range: e.from !== undefined && e.to !== undefined ? { from: e.from, to: e.to } : undefined,
      filters: e.filters ?? {},
    };
  }
  return { ...common, job: 'overdue-alert', intervalMinutes: e.intervalMinutes ?? 60 };
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
 * Filters as people read them (the result's `filters` and the email): display names, flat, and a
 * phone number masked to its last 4 digits like every phone in the email (the API gets it whole).
 */
export function displayFilters(filters: EventFilters): Record<string, string> {
  const { extended, ...rest } = filters;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) out[k] = v;
  if (rest.contactPhone !== undefined) out.contactPhone = maskPhone(rest.contactPhone);
  return { ...out, ...(extended ?? {}) };
}
