import * as z from 'zod';

/**
 * The field schemas the context keys (context.ts) and the report definitions (reports.ts) share.
 * A `-c` value is always a string, so numbers are coerced and lists accept either a JSON array
 * (in cdk.json) or a comma-separated string.
 */

/** Raised when the context is missing a key or holds a bad value; the message names every bad key. */
export class ContextError extends Error {
  override name = 'ContextError';
}

export const ADDRESS_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
export const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const SECRET_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
// A complete secret ARN ends in "-" and the six random characters Secrets Manager appends.
const COMPLETE_SECRET_ARN_RE = /-[A-Za-z0-9]{6}$/;
const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
// A standard topic: a FIFO topic (`.fifo`) delivers to neither SMS nor email, and needs a message group.
const TOPIC_ARN_RE = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

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

export const text = z.string({ error: 'required' }).trim().min(1, 'required');
export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));
export const zone = text.refine(isTimeZone, {
  error: (issue) => `unknown IANA time zone "${String(issue.input)}"`,
});
export const address = text.regex(ADDRESS_RE, 'must be an email address');
export const mailbox = text.refine(
  (v) => ADDRESS_RE.test(addressOf(v)),
  'must be an email address, optionally as "Name <address>"',
);
export const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, min === 1 ? 'must be greater than 0' : `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
/** `true`/`false`, also as the strings `-c key=true` passes. */
export const flag = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);
/** A list: a JSON array (cdk.json) or a comma-separated string (`-c`), each item validated. */
export const list = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? splitList(v) : v),
    z
      .array(item, { error: `must be a list of ${what} (a JSON array or a comma-separated string)` })
      .min(1, `must list at least one ${what.replace(/s$/, '')}`),
  );
/** A list whose repeated items count once. */
export const uniqueList = <T extends z.ZodType<string>>(item: T, what: string) =>
  list(item, what).transform((items) => [...new Set(items)]);

/** A Secrets Manager secret: its name, or its complete ARN (an IAM policy can only match those exactly). */
export const secretName = text.refine(
  (v) =>
    v.startsWith('arn:') ? SECRET_ARN_RE.test(v) && COMPLETE_SECRET_ARN_RE.test(v) : SECRET_NAME_RE.test(v),
  'must be a secret name or a complete secret ARN (ending in the 6-character suffix Secrets Manager adds)',
);

export const topicArn = text.regex(
  TOPIC_ARN_RE,
  'must be the ARN of a standard SNS topic, e.g. arn:aws:sns:eu-west-1:123456789012:oncall',
);

/** An https URL (the stack runs in AWS: no loopback exception), without a trailing slash. */
export const httpsUrl = text.pipe(
  z.url({ protocol: /^https$/, error: 'must be an https URL' }).transform((u) => u.replace(/\/+$/, '')),
);

/** An E.164 phone number, as SNS takes it for an SMS subscription. */
export const e164 = text.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +971501234567');

/** Reads a `-c` JSON value (a string) as JSON; cdk.json values pass through. */
export const json = <T extends z.ZodType>(schema: T, what: string) =>
  z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${what} (JSON)`, input: v });
      return z.NEVER;
    }
  }, schema);
