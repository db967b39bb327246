import * as z from 'zod/mini';
import { codeText, PRIORITY_CODES } from './aicc/schemas.js';
import type { CredentialSource } from './aicc/token.js';
import { formatMailbox, parseMailbox } from './email/address.js';
import { ConfigError } from './errors.js';
import { isValidTimeZone } from './time/zoned.js';

/** Comma-separated list, spaces trimmed, empties dropped. */
export const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

// An address as SES takes it: a dot-atom local part, and a domain of two or more hostname labels.
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const ADDRESS_RE = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@${LABEL}(?:\\.${LABEL})+$`);
export const emailAddress = z.string().check(z.trim(), z.regex(ADDRESS_RE, 'must be an email address'));

/** `Name <address>` or an address, to a `From` value SES accepts (the name quoted or encoded as needed). */
const mailbox = z.pipe(
  z.string().check(
    z.trim(),
    // No control characters anywhere: a CR/LF in the display name would forge mail headers.
    z.refine((v) => !/\p{Cc}/u.test(v), 'must not contain control characters (CR, LF, …)'),
    z.refine((v) => {
      const m = parseMailbox(v);
      return m !== null && ADDRESS_RE.test(m.address);
    }, 'must be an email address, optionally as "Name <address>"'),
  ),
  z.transform((v: string) => formatMailbox(parseMailbox(v) as NonNullable<ReturnType<typeof parseMailbox>>)),
);

export const zone = z
  .string()
  .check(
    z.trim(),
    z.refine(isValidTimeZone, { error: (iss) => `unknown IANA time zone "${String(iss.input)}"` }),
  );

/** A Secrets Manager secret: its name, or its ARN. */
export const secretId = z
  .string()
  .check(
    z.trim(),
    z.regex(
      /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/,
      'must be a Secrets Manager secret name or ARN',
    ),
  );

/** A standard SNS topic (a FIFO topic cannot deliver to SMS or email, and needs a message group). */
export const topicArn = z
  .string()
  .check(
    z.trim(),
    z.regex(
      /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
      'must be the ARN of a standard SNS topic, e.g. arn:aws:sns:eu-west-1:123456789012:oncall',
    ),
  );

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** `https:`, or `http:` on a loopback host for local runs: a token must never cross a network in clear. */
const serviceUrl = z.pipe(
  z.url({
    protocol: /^https?$/,
    error: (iss) => (iss.code === 'invalid_type' ? 'required' : 'must be an https URL'),
  }),
  z.pipe(
    z.string().check(
      z.refine((u) => {
        const url = new URL(u);
        return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
      }, 'must be an https URL (http only on a loopback host: 127.0.0.1, localhost, [::1])'),
    ),
    z.transform((u: string) => u.replace(/\/+$/, '')),
  ),
);

const positiveInt = z.coerce
  .number()
  .check(z.int('must be a whole number'), z.positive('must be greater than 0'));
const nonNegativeInt = z.coerce
  .number()
  .check(z.int('must be a whole number'), z.minimum(0, 'must be 0 or more'));
const concurrency = positiveInt.check(z.maximum(64, 'must be at most 64'));
const addressList = z.pipe(
  z.pipe(z.string(), z.transform(splitList)),
  z.array(emailAddress).check(z.minLength(1, 'must list at least one address')),
);
const nameList = z.pipe(
  z.pipe(z.string(), z.transform(splitList)),
  z.array(z.string()).check(z.minLength(1, 'must list at least one value')),
);
const optionalText = z.pipe(
  z.optional(z.string().check(z.trim())),
  z.transform((v: string | undefined) => (v ? v : undefined)),
);

const envSchema = z.object({
  AICC_BASE_URL: serviceUrl,
  AICC_SECRET_ID: optionalText,
  AICC_TOKEN: optionalText,
  AICC_CLIENT_ID: optionalText,
  AICC_CLIENT_SECRET: optionalText,
  AICC_TIMEZONE: z._default(zone, 'UTC'),
  REPORT_TIMEZONE: z._default(zone, 'UTC'),
  MAIL_FROM: mailbox,
  DIGEST_RECIPIENTS: z.optional(addressList),
  ALERT_RECIPIENTS: z.optional(addressList),
  ALERT_PRIORITIES: z._default(
    z.pipe(
      z.pipe(z.string(), z.transform(splitList)),
      z.pipe(
        z.array(codeText(PRIORITY_CODES, 'priority')).check(z.minLength(1, 'must list at least one value')),
        z.transform((names: string[]) => [...new Set(names)]),
      ),
    ),
    ['Critical'],
  ),
  ALERT_REPEAT_HOURS: z._default(nonNegativeInt, 24),
  // Each 31 days of lookback is another query on every alert run; ten years is past any real need.
  OVERDUE_LOOKBACK_DAYS: z._default(
    positiveInt.check(z.maximum(3650, 'must be at most 3650 (10 years)')),
    30,
  ),
  CLOSED_STATES: z._default(nameList, ['Completed', 'Closed', 'Cancelled', 'Canceled']),
  CASE_URL_TEMPLATE: z.pipe(
    optionalText,
    z.optional(
      z
        .string()
        .check(
          z.refine((t) => t.includes('{id}') || t.includes('{caseNo}'), 'must contain {id} or {caseNo}'),
        ),
    ),
  ),
  AICC_CONCURRENCY: z._default(concurrency, 4),
  AICC_MAX_CONCURRENCY: z.optional(concurrency),
  AT_RISK_HOURS: z._default(positiveInt.check(z.maximum(8784, 'must be at most 8784 (a year)')), 24),
  ALERT_WARN_HOURS: z._default(nonNegativeInt.check(z.maximum(8784, 'must be at most 8784 (a year)')), 0),
  PAGERDUTY_SECRET_ID: z.optional(secretId),
  PAGERDUTY_ROUTING_KEY: optionalText,
  PAGERDUTY_EVENTS_URL: z._default(serviceUrl, 'https://events.pagerduty.com/v2/enqueue'),
  ALERT_TOPIC_ARN: z.optional(topicArn),
  ALERT_TOPIC_FORMAT: z._default(z.enum(['text', 'chat'], 'must be "text" or "chat"'), 'text'),
  // Lambda runs at most 15 minutes; a Node timer above 2^31−1 ms would fire at once.
  AICC_TIMEOUT_MS: z._default(
    positiveInt.check(z.maximum(900_000, 'must be at most 900000 (15 minutes)')),
    15_000,
  ),
  SES_CONFIGURATION_SET: optionalText,
  IDEMPOTENCY_TABLE: optionalText,
});

/** Every variable the configuration reads (SPEC §4 and the local stand-ins), from the schema itself. */
export const CONFIG_ENV_NAMES: readonly string[] = Object.keys(envSchema.shape);

/** Where the PagerDuty routing key comes from: Secrets Manager, or (local runs) the environment. */
export type RoutingKeySource = { kind: 'secret'; secretId: string } | { kind: 'key'; routingKey: string };

export interface Config {
  aiccBaseUrl: string;
  credentials: CredentialSource;
  aiccTimezone: string;
  reportTimezone: string;
  /** MAIL_FROM as SES takes it: the display name quoted or encoded as needed. */
  mailFrom: string;
  digestRecipients: string[];
  alertRecipients: string[];
  alertPriorities: string[];
  alertRepeatHours: number;
  alertWarnHours: number;
  atRiskHours: number;
  overdueLookbackDays: number;
  closedStates: string[];
  caseUrlTemplate: string | undefined;
  /** Requests in flight at the start of a run; `maxConcurrency` is the adaptive ceiling. */
  concurrency: number;
  maxConcurrency: number;
  timeoutMs: number;
  sesConfigurationSet: string | undefined;
  idempotencyTable: string | undefined;
  pagerduty: RoutingKeySource | undefined;
  pagerdutyEventsUrl: string;
  alertTopicArn: string | undefined;
  alertTopicFormat: 'text' | 'chat';
}

/** Formats zod issues as `NAME: message; NAME2: message`, naming each bad field. */
export function describeIssues(error: z.core.$ZodError, prefix = ''): string {
  const nameOf = (path: PropertyKey[]) => {
    const joined = [prefix, ...path.map(String)].filter(Boolean).join('.');
    return joined || '(root)';
  };
  return error.issues
    .flatMap((i) => {
      // An unknown key is named itself, not its parent object.
      if (i.code === 'unrecognized_keys')
        return i.keys.map((k) => `${nameOf([...i.path, k])}: unknown field`);
      // A bad record key ("extended" field names): the key's own problem, not "Invalid key in record".
      if (i.code === 'invalid_key') return [`${nameOf(i.path)}: ${i.issues[0]?.message ?? i.message}`];
      // A variable or field that is simply absent.
      // (zod reports no input by default; its message says what it got.)
      if (i.code === 'invalid_type' && /received undefined$/.test(i.message))
        return [`${nameOf(i.path)}: required`];
      return [`${nameOf(i.path)}: ${i.message}`];
    })
    .join('; ');
}

/** Parses the Lambda environment once (SPEC §4). Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable counts as unset, as a shell `FOO=` would mean.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  }
  const e = parsed.data;
  let credentials: CredentialSource;
  if (e.AICC_SECRET_ID) credentials = { kind: 'secret', secretId: e.AICC_SECRET_ID };
  else if (e.AICC_TOKEN) credentials = { kind: 'token', token: e.AICC_TOKEN };
  else if (e.AICC_CLIENT_ID && e.AICC_CLIENT_SECRET)
    credentials = { kind: 'client', clientId: e.AICC_CLIENT_ID, clientSecret: e.AICC_CLIENT_SECRET };
  else
    throw new ConfigError(
      'Invalid configuration: AICC_SECRET_ID: required (or, for local runs, AICC_TOKEN or AICC_CLIENT_ID + AICC_CLIENT_SECRET)',
    );
  const maxConcurrency = e.AICC_MAX_CONCURRENCY ?? e.AICC_CONCURRENCY;
  if (maxConcurrency < e.AICC_CONCURRENCY) {
    throw new ConfigError(
      `Invalid configuration: AICC_MAX_CONCURRENCY (${maxConcurrency}) must not be below AICC_CONCURRENCY (${e.AICC_CONCURRENCY}): it is the ceiling the concurrency may grow to from there`,
    );
  }
  const pagerduty: RoutingKeySource | undefined = e.PAGERDUTY_SECRET_ID
    ? { kind: 'secret', secretId: e.PAGERDUTY_SECRET_ID }
    : e.PAGERDUTY_ROUTING_KEY
      ? { kind: 'key', routingKey: e.PAGERDUTY_ROUTING_KEY }
      : undefined;
  return {
    aiccBaseUrl: e.AICC_BASE_URL,
    credentials,
    aiccTimezone: e.AICC_TIMEZONE,
    reportTimezone: e.REPORT_TIMEZONE,
    mailFrom: e.MAIL_FROM,
    digestRecipients: e.DIGEST_RECIPIENTS ?? [],
    alertRecipients: e.ALERT_RECIPIENTS ?? [],
    alertPriorities: e.ALERT_PRIORITIES,
    alertRepeatHours: e.ALERT_REPEAT_HOURS,
    alertWarnHours: e.ALERT_WARN_HOURS,
    atRiskHours: e.AT_RISK_HOURS,
    overdueLookbackDays: e.OVERDUE_LOOKBACK_DAYS,
    closedStates: e.CLOSED_STATES,
    caseUrlTemplate: e.CASE_URL_TEMPLATE,
    concurrency: e.AICC_CONCURRENCY,
    maxConcurrency,
    timeoutMs: e.AICC_TIMEOUT_MS,
    sesConfigurationSet: e.SES_CONFIGURATION_SET,
    idempotencyTable: e.IDEMPOTENCY_TABLE,
    pagerduty,
    pagerdutyEventsUrl: e.PAGERDUTY_EVENTS_URL,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    alertTopicFormat: e.ALERT_TOPIC_FORMAT,
  };
}
