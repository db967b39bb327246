import type { Construct } from 'constructs';
import * as z from 'zod';

/**
 * Stack settings, read from CDK context (`cdk.json` or `-c key=value`) and validated at synth.
 * A `-c` value is always a string, so numbers are coerced and lists accept either a JSON array
 * (in cdk.json) or a comma-separated string. Each field maps to the Lambda environment of SPEC §4
 * where one exists (named in the doc comment).
 */

/** Raised when the context is missing a key or holds a bad value; the message names every bad key. */
export class ContextError extends Error {
  override name = 'ContextError';
}

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const ADDRESS_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
// A complete secret ARN ends in "-" and the six random characters Secrets Manager appends.
const COMPLETE_SECRET_ARN_RE = /-[A-Za-z0-9]{6}$/;
const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const KMS_KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const SES_CONFIG_SET_RE = /^[A-Za-z0-9_-]{1,64}$/;

export const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** The bare address inside `Name <address>`, or the input itself. */
export const addressOf = (mailbox: string): string =>
  /<([^<>]+)>\s*$/.exec(mailbox)?.[1]?.trim() ?? mailbox.trim();

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether the zone's UTC offset differs between January and July this year (it observes DST). */
export function observesDst(zone: string, year = new Date().getUTCFullYear()): boolean {
  const offset = (month: number) =>
    new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(Date.UTC(year, month, 15))
      .find((p) => p.type === 'timeZoneName')?.value;
  return offset(0) !== offset(6);
}

const text = z.string({ error: 'required' }).trim().min(1, 'required');
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
const zone = text.refine(isTimeZone, { error: (issue) => `unknown IANA time zone "${String(issue.input)}"` });
const address = text.regex(ADDRESS_RE, 'must be an email address');
const mailbox = text.refine(
  (v) => ADDRESS_RE.test(addressOf(v)),
  'must be an email address, optionally as "Name <address>"',
);
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, min === 1 ? 'must be greater than 0' : `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
/** A list: a JSON array (cdk.json) or a comma-separated string (`-c`), each item validated. */
const list = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? splitList(v) : v),
    z
      .array(item, { error: `must be a list of ${what} (a JSON array or a comma-separated string)` })
      .min(1, `must list at least one ${what.replace(/s$/, '')}`),
  );

/**
 * The hour field of a `cron(min hour dom month dow year)` expression, expanded to the hours it fires at.
 * Returns undefined when it cannot be expanded (then every hour is assumed).
 */
export function cronHours(expression: string): number[] | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1]?.trim().split(/\s+/);
  const hour = fields?.[1];
  if (!hour || hour === '*') return undefined;
  const hours = new Set<number>();
  for (const part of hour.split(',')) {
    const m = /^(\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? 23 : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (step < 1) return undefined;
    for (let h = from; h <= to; h += step) hours.add(h);
  }
  return [...hours];
}

const CRON_RE = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

export const settingsSchema = z
  .object({
    /** CloudFormation stack name. */
    stackName: text
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
      .default('AiccCaseDigest'),
    /** AICC_BASE_URL: the tenant, e.g. https://service.besclouds.com. */
    aiccBaseUrl: text.pipe(
      z
        .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
        .transform((u) => u.replace(/\/+$/, '')),
    ),
    /** AICC_SECRET_ID: the Secrets Manager secret holding the AICC credentials — its name, or its complete ARN. */
    aiccSecretName: text.refine(
      (v) =>
        v.startsWith('arn:')
          ? SECRET_ARN_RE.test(v) && COMPLETE_SECRET_ARN_RE.test(v)
          : SECRET_NAME_RE.test(v),
      'must be a secret name or a complete secret ARN (ending in the 6-character suffix Secrets Manager adds)',
    ),
    /** ARN of the customer-managed KMS key that encrypts the secret, if not the AWS-managed key. */
    aiccSecretKmsKeyArn: optionalText.pipe(
      z.string().regex(KMS_KEY_ARN_RE, 'must be a KMS key ARN').optional(),
    ),
    /** AICC_TIMEZONE: IANA zone of the API's timestamps. */
    aiccTimezone: zone.default('UTC'),
    /** REPORT_TIMEZONE: IANA zone of the report day; the digest schedule runs in it too. */
    reportTimezone: zone.default('UTC'),
    /** MAIL_FROM: the sender, `Name <address>` or an address, covered by `sesIdentity`. */
    mailFrom: mailbox,
    /** The verified SES identity the function may send as: a domain or an email address. */
    sesIdentity: text.refine(
      (v) => ADDRESS_RE.test(v) || DOMAIN_RE.test(v),
      'must be a domain (example.com) or an email address',
    ),
    /** SES_CONFIGURATION_SET: an existing SES configuration set to send through. */
    sesConfigurationSet: optionalText.pipe(
      z.string().regex(SES_CONFIG_SET_RE, 'must be an SES configuration set name').optional(),
    ),
    /** DIGEST_RECIPIENTS. */
    digestRecipients: list(address, 'email addresses'),
    /** ALERT_RECIPIENTS. */
    alertRecipients: list(address, 'email addresses'),
    /** ALERT_PRIORITIES: priority names that page on-call. */
    alertPriorities: list(text, 'priority names').default(['Critical']),
    /** ALERT_REPEAT_HOURS: remind while still overdue; 0 = alert once. */
    alertRepeatHours: int(0, 8784).default(24),
    /** OVERDUE_LOOKBACK_DAYS. */
    overdueLookbackDays: int(1, 366).default(30),
    /** CLOSED_STATES. */
    closedStates: list(text, 'state names').default(['Completed', 'Closed', 'Cancelled', 'Canceled']),
    /** CASE_URL_TEMPLATE: deep link with {id} and/or {caseNo}. */
    caseUrlTemplate: optionalText.pipe(
      z
        .string()
        .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
        .refine((t) => t.includes('{id}') || t.includes('{caseNo}'), 'must contain {id} or {caseNo}')
        .optional(),
    ),
    /** AICC_CONCURRENCY: pages in flight at once. */
    aiccConcurrency: int(1, 64).default(4),
    /** AICC_TIMEOUT_MS: per request. */
    aiccTimeoutMs: int(1000, 120_000).default(15_000),
    /** EventBridge Scheduler cron for the digest, in `reportTimezone`. */
    digestSchedule: text
      .regex(CRON_RE, 'must be an EventBridge Scheduler cron expression, e.g. cron(0 6 * * ? *)')
      .default('cron(0 6 * * ? *)'),
    /** Minutes between overdue-alert runs; also the window each run covers (`intervalMinutes`). */
    alertIntervalMinutes: int(1, 1440).default(60),
    /** Address that receives the alarm notifications (SNS email subscription); none when unset. */
    operatorEmail: optionalText.pipe(z.string().regex(ADDRESS_RE, 'must be an email address').optional()),
    /** Retention of the function's log group. */
    logRetentionDays: z.coerce
      .number({ error: 'must be a number' })
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(90),
    /** Lambda memory. */
    lambdaMemoryMb: int(128, 10_240).default(512),
    /** Lambda timeout. */
    lambdaTimeoutSeconds: int(30, 900).default(300),
  })
  .superRefine((s, ctx) => {
    const from = addressOf(s.mailFrom).toLowerCase();
    const identity = s.sesIdentity.toLowerCase();
    const domain = from.slice(from.lastIndexOf('@') + 1);
    const covered = identity.includes('@')
      ? from === identity
      : domain === identity || domain.endsWith(`.${identity}`);
    if (!covered) {
      ctx.addIssue({
        code: 'custom',
        path: ['mailFrom'],
        message: `sender ${from} is not covered by sesIdentity "${s.sesIdentity}" (SES sends only as a verified identity)`,
      });
    }
    // Local times in 01:00–02:59 are skipped or repeated on DST change days in the zones that observe it.
    if (isTimeZone(s.reportTimezone) && observesDst(s.reportTimezone)) {
      const hours = cronHours(s.digestSchedule);
      if (!hours || hours.some((h) => h === 1 || h === 2)) {
        ctx.addIssue({
          code: 'custom',
          path: ['digestSchedule'],
          message: `fires between 01:00 and 03:00 in ${s.reportTimezone}, where DST changes skip or repeat local times; pick another hour`,
        });
      }
    }
  });

export type CaseDigestSettings = z.output<typeof settingsSchema>;
export const SETTINGS_KEYS = Object.keys(settingsSchema.shape) as (keyof CaseDigestSettings)[];

/** `key: message` for each issue, so the operator sees which context key to fix. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(context)'}: ${i.message}`).join('; ');
}

/** Validates raw context values (as `-c` strings or cdk.json values). Throws ContextError naming each bad key. */
export function parseSettings(raw: Record<string, unknown>): CaseDigestSettings {
  // `-c key=` means unset, like an empty environment variable.
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) throw new ContextError(`Invalid CDK context: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Reads the settings from the app's context. Plain camelCase keys that are not settings are rejected
 * too, so a typo (`digestRecipient`) fails synth instead of silently falling back to a default.
 */
export function readSettings(scope: Construct): CaseDigestSettings {
  const all = scope.node.getAllContext() as Record<string, unknown>;
  const unknown = Object.keys(all).filter(
    (k) => /^[a-z][A-Za-z0-9]*$/.test(k) && !(SETTINGS_KEYS as string[]).includes(k),
  );
  if (unknown.length > 0) {
    throw new ContextError(
      `Invalid CDK context: ${unknown.map((k) => `${k}: unknown key`).join('; ')} (known keys: ${SETTINGS_KEYS.join(', ')})`,
    );
  }
  return parseSettings(Object.fromEntries(SETTINGS_KEYS.map((k) => [k, all[k]])));
}
