import * as z from 'zod/mini';
import { canonicalName, PRIORITY_CODES } from './aicc/schemas.js';
import type { CredentialSource } from './aicc/token.js';
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
const mailbox = z.string().check(
  z.trim(),
  // No control characters anywhere: a CR/LF in the display name would forge mail headers.
  z.refine((v) => !/\p{Cc}/u.test(v), 'must not contain control characters (CR, LF, …)'),
  z.refine((v) => {
    const m = /^(?:[^<>]*<([^<>]+)>|([^<>]+))$/.exec(v);
    const addr = (m?.[1] ?? m?.[2] ?? '').trim();
    return ADDRESS_RE.test(addr);
  }, 'must be an email address, optionally as "Name <address>"'),
);

const zone = z
  .string()
  .check(
    z.trim(),
    z.refine(isValidTimeZone, { error: (iss) => `unknown IANA time zone "${String(iss.input)}"` }),
  );
const positiveInt = z.coerce
  .number()
  .check(z.int('must be a whole number'), z.positive('must be greater than 0'));
const nonNegativeInt = z.coerce
  .number()
  .check(z.int('must be a whole number'), z.minimum(0, 'must be 0 or more'));
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
  AICC_BASE_URL: z.pipe(
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    z.transform((u: string) => u.replace(/\/+$/, '')),
  ),
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
      z.pipe(
        nameList,
        z.transform((names: string[], ctx) =>
          names.map((n) => {
            const name = canonicalName(PRIORITY_CODES, n);
            // As classic zod's `ctx.addIssue` in a transform did (zod/mini's ctx is the bare payload).
            if (!name)
              ctx.issues.push({
                code: 'custom',
                message: `unknown priority "${n}" (expected Low, Medium, High or Critical)`,
                input: ctx.value,
              });
            return name ?? n;
          }),
        ),
      ),
      z.pipe(
        z.array(z.string()),
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
  AICC_CONCURRENCY: z._default(positiveInt.check(z.maximum(64, 'must be at most 64')), 4),
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

export interface Config {
  aiccBaseUrl: string;
  credentials: CredentialSource;
  aiccTimezone: string;
  reportTimezone: string;
  mailFrom: string;
  digestRecipients: string[];
  alertRecipients: string[];
  alertPriorities: string[];
  alertRepeatHours: number;
  overdueLookbackDays: number;
  closedStates: string[];
  caseUrlTemplate: string | undefined;
  concurrency: number;
  timeoutMs: number;
  sesConfigurationSet: string | undefined;
  idempotencyTable: string | undefined;
}

/** Formats zod issues as `NAME: message; NAME2: message`, naming each bad field. */
export function describeIssues(error: z.core.$ZodError, prefix = ''): string {
  const nameOf = (path: PropertyKey[]) => {
    const joined = [prefix, ...path.map(String)].filter(Boolean).join('.');
    return joined || '(root)';
  };
  return error.issues
    .flatMap((i) =>
      // An unknown key is named itself, not its parent object.
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => `${nameOf([...i.path, k])}: unknown field`)
        : [`${nameOf(i.path)}: ${i.message}`],
    )
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
    overdueLookbackDays: e.OVERDUE_LOOKBACK_DAYS,
    closedStates: e.CLOSED_STATES,
    caseUrlTemplate: e.CASE_URL_TEMPLATE,
    concurrency: e.AICC_CONCURRENCY,
    timeoutMs: e.AICC_TIMEOUT_MS,
    sesConfigurationSet: e.SES_CONFIGURATION_SET,
    idempotencyTable: e.IDEMPOTENCY_TABLE,
  };
}
