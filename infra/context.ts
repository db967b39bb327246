import type { Construct } from 'constructs';
import * as z from 'zod';
import {
  ADDRESS_RE,
  address,
  ContextError,
  DOMAIN_RE,
  e164,
  flag,
  httpsUrl,
  int,
  list,
  mailbox,
  optionalText,
  secretName,
  text,
  topicArn,
  uniqueList,
  zone,
} from './context-fields.js';
import { crossKeyIssues } from './context-rules.js';
import { reportsSchema } from './reports.js';
import { CRON_RE, DEFAULT_DIGEST_SCHEDULE } from './schedule-expression.js';

export { ContextError } from './context-fields.js';

/**
 * Stack settings, read from CDK context (`cdk.json` or `-c key=value`) and validated at synth.
 * A `-c` value is always a string, so numbers are coerced and lists accept either a JSON array
 * (in cdk.json) or a comma-separated string. Each field maps to the Lambda environment of SPEC §4
 * where one exists (named in the doc comment); a variable whose key is not set is not set either,
 * so the function's own default applies.
 */

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const KMS_KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const SES_CONFIG_SET_RE = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_ALERT_INTERVAL_MINUTES = 60;
/** A year of hours, as the function allows. */
const MAX_HOURS = 8784;

const settingsShape = {
  /** CloudFormation stack name. */
  stackName: text
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
    .default('AiccCaseDigest'),
  /** AICC_BASE_URL: the tenant, e.g. https://service.besclouds.com. */
  aiccBaseUrl: httpsUrl,
  /** AICC_SECRET_ID: the Secrets Manager secret holding the AICC credentials — its name, or its complete ARN. */
  aiccSecretName: secretName,
  /** ARN of the customer-managed KMS key that encrypts the secret, if not the AWS-managed key. */
  aiccSecretKmsKeyArn: optionalText.pipe(
    z.string().regex(KMS_KEY_ARN_RE, 'must be a KMS key ARN').optional(),
  ),
  /** AICC_TIMEZONE: IANA zone of the API's timestamps. */
  aiccTimezone: zone.default('UTC'),
  /** REPORT_TIMEZONE: IANA zone of the report day; the digest schedule (and a report's cron) runs in it too. */
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
  /** ALERT_RECIPIENTS; optional when the alert has another channel. */
  alertRecipients: list(address, 'email addresses').optional(),
  /** ALERT_PRIORITIES: priority names that page on-call. */
  alertPriorities: list(text, 'priority names').default(['Critical']),
  /** ALERT_REPEAT_HOURS: remind while still overdue; 0 = alert once. */
  alertRepeatHours: int(0, MAX_HOURS).default(24),
  /** ALERT_WARN_HOURS: pre-breach warning this many hours before dueDate; 0 = off. */
  alertWarnHours: int(0, MAX_HOURS).optional(),
  /** AT_RISK_HOURS: the digest's "due soon" horizon. */
  atRiskHours: int(1, MAX_HOURS).optional(),
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
  /** AICC_CONCURRENCY: requests in flight at once (the starting value when adaptive). */
  aiccConcurrency: int(1, 64).default(4),
  /** AICC_MAX_CONCURRENCY: ceiling of adaptive concurrency, at least aiccConcurrency. */
  aiccMaxConcurrency: int(1, 64).optional(),
  /** AICC_TIMEOUT_MS: per request. */
  aiccTimeoutMs: int(1000, 120_000).default(15_000),
  /** PAGERDUTY_SECRET_ID: the secret holding the default PagerDuty Events v2 routing key. */
  pagerdutySecretName: secretName.optional(),
  /** Customer-managed KMS keys of the PagerDuty secrets, if not the AWS-managed key: decrypt through Secrets Manager only. */
  pagerdutySecretKmsKeyArns: uniqueList(
    text.regex(KMS_KEY_ARN_RE, 'must be a KMS key ARN'),
    'KMS key ARNs',
  ).optional(),
  /** PAGERDUTY_EVENTS_URL: the Events API v2 endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue). */
  pagerdutyEventsUrl: httpsUrl.optional(),
  /** ALERT_TOPIC_ARN: an existing standard SNS topic the alert publishes to. */
  alertTopicArn: topicArn.optional(),
  /**
   * Customer-managed KMS keys of existing encrypted topics (`alertTopicArn`, reports' `topicArn`): SNS
   * encrypts what the function publishes with them, so it may use them through SNS only.
   */
  alertTopicKmsKeyArns: uniqueList(
    text.regex(KMS_KEY_ARN_RE, 'must be a KMS key ARN'),
    'KMS key ARNs',
  ).optional(),
  /** Create the alert topic (KMS-encrypted, TLS only); its ARN becomes ALERT_TOPIC_ARN. */
  createAlertTopic: flag.default(false),
  /** SMS subscriptions of the created alert topic (E.164). */
  alertTopicSmsNumbers: uniqueList(e164, 'E.164 phone numbers').optional(),
  /** Email subscriptions of the created alert topic. */
  alertTopicEmails: uniqueList(address, 'email addresses').optional(),
  /** ALERT_TOPIC_FORMAT: `text` (email/SMS subscribers) or `chat` (Amazon Q Developer in chat applications). */
  alertTopicFormat: z.enum(['text', 'chat'], { error: 'must be "text" or "chat"' }).optional(),
  /** EventBridge Scheduler cron for the default digest, in `reportTimezone` (not with `reports`). */
  digestSchedule: text
    .regex(CRON_RE, 'must be an EventBridge Scheduler cron expression, e.g. cron(0 6 * * ? *)')
    .optional(),
  /** Minutes between default overdue-alert runs; also the window each run covers (not with `reports`). */
  alertIntervalMinutes: int(1, 1440).optional(),
  /** Named reports (SPEC §12); they replace the default digest and alert schedules. */
  reports: reportsSchema.optional(),
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
  /** Lambda timeout: a run that cannot finish stops early on its own (CapacityError), so the maximum costs nothing. */
  lambdaTimeoutSeconds: int(30, 900).default(900),
};

export type ParsedSettings = z.output<z.ZodObject<typeof settingsShape>>;

export const settingsSchema = z
  .object(settingsShape)
  .superRefine((s, ctx) => {
    for (const issue of crossKeyIssues(s)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .transform(({ digestSchedule, alertIntervalMinutes, ...s }) => ({
    ...s,
    /** Only used without `reports`. */
    digestSchedule: digestSchedule ?? DEFAULT_DIGEST_SCHEDULE,
    alertIntervalMinutes: alertIntervalMinutes ?? DEFAULT_ALERT_INTERVAL_MINUTES,
  }));

export type CaseDigestSettings = z.output<typeof settingsSchema>;
export const SETTINGS_KEYS = Object.keys(settingsShape) as (keyof typeof settingsShape)[];

/** `reports[1] "emea-voice"` for a path into `reports`, so the operator sees which report to fix. */
function reportLabel(raw: unknown, index: number): string {
  let reports = raw;
  if (typeof reports === 'string') {
    try {
      reports = JSON.parse(reports);
    } catch {
      reports = undefined;
    }
  }
  const name = Array.isArray(reports) ? (reports[index] as { name?: unknown } | undefined)?.name : undefined;
  return `reports[${index}]${typeof name === 'string' && name ? ` "${name}"` : ''}`;
}

/** `key: message` (or `reports[i] "name".field: message`) for each issue, naming what to fix. */
function describeIssues(error: z.ZodError, raw: Record<string, unknown>): string {
  return error.issues
    .map((i) => {
      const [key, index, ...rest] = i.path;
      const where =
        key === 'reports' && typeof index === 'number'
          ? [reportLabel(raw.reports, index), ...rest.map(String)].join('.')
          : i.path.map(String).join('.') || '(context)';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

/** Validates raw context values (as `-c` strings or cdk.json values). Throws ContextError naming each bad key. */
export function parseSettings(raw: Record<string, unknown>): CaseDigestSettings {
  // `-c key=` means unset, like an empty environment variable.
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success)
    throw new ContextError(`Invalid CDK context: ${describeIssues(parsed.error, present)}`);
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
