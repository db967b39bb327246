import libmime from 'libmime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/case-digest/config.js';
import { ConfigError } from '../../functions/case-digest/errors.js';

const base = {
  AICC_BASE_URL: 'https://service.besclouds.com/',
  AICC_SECRET_ID: 'aicc/case-digest',
  MAIL_FROM: 'Case Digest <digest@example.com>',
  DIGEST_RECIPIENTS: 'a@example.com, b@example.com',
};

const errorOf = (env: Record<string, string | undefined>) => {
  try {
    loadConfig(env);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('applies the SPEC defaults', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({
      aiccBaseUrl: 'https://service.besclouds.com',
      credentials: { kind: 'secret', secretId: 'aicc/case-digest' },
      aiccTimezone: 'UTC',
      reportTimezone: 'UTC',
      digestRecipients: ['a@example.com', 'b@example.com'],
      alertRecipients: [],
      alertPriorities: ['Critical'],
      alertRepeatHours: 24,
      overdueLookbackDays: 30,
      closedStates: ['Completed', 'Closed', 'Cancelled', 'Canceled'],
      concurrency: 4,
      timeoutMs: 15_000,
      caseUrlTemplate: undefined,
      sesConfigurationSet: undefined,
      idempotencyTable: undefined,
    });
  });

  it('parses lists with spaces trimmed and priorities case-insensitively', () => {
    const c = loadConfig({
      ...base,
      ALERT_PRIORITIES: ' critical , HIGH ',
      CLOSED_STATES: 'Done, Resolved ',
    });
    expect(c.alertPriorities).toEqual(['Critical', 'High']);
    expect(c.closedStates).toEqual(['Done', 'Resolved']);
  });

  it('allows ALERT_REPEAT_HOURS=0 (alert once)', () => {
    expect(loadConfig({ ...base, ALERT_REPEAT_HOURS: '0' }).alertRepeatHours).toBe(0);
  });

  it.each([
    ['AICC_BASE_URL', { AICC_BASE_URL: undefined }],
    ['AICC_BASE_URL', { AICC_BASE_URL: 'not a url' }],
    ['MAIL_FROM', { MAIL_FROM: undefined }],
    ['MAIL_FROM', { MAIL_FROM: 'Case Digest <nobody>' }],
    ['AICC_TIMEZONE', { AICC_TIMEZONE: 'Mars/Olympus' }],
    ['REPORT_TIMEZONE', { REPORT_TIMEZONE: 'GMT+25' }],
    ['DIGEST_RECIPIENTS', { DIGEST_RECIPIENTS: 'a@example.com, not-an-address' }],
    ['ALERT_RECIPIENTS', { ALERT_RECIPIENTS: 'oncall@' }],
    ['ALERT_PRIORITIES', { ALERT_PRIORITIES: 'Critical, Urgent' }],
    ['ALERT_REPEAT_HOURS', { ALERT_REPEAT_HOURS: '-1' }],
    ['ALERT_REPEAT_HOURS', { ALERT_REPEAT_HOURS: '1.5' }],
    ['OVERDUE_LOOKBACK_DAYS', { OVERDUE_LOOKBACK_DAYS: '0' }],
    ['AICC_CONCURRENCY', { AICC_CONCURRENCY: 'four' }],
    ['AICC_CONCURRENCY', { AICC_CONCURRENCY: '0' }],
    ['AICC_TIMEOUT_MS', { AICC_TIMEOUT_MS: '-5' }],
    ['CASE_URL_TEMPLATE', { CASE_URL_TEMPLATE: 'https://aicc.example.com/case' }],
  ])('names %s when it is bad', (name, patch) => {
    const err = errorOf({ ...base, ...patch });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(name);
  });

  it('names every bad variable at once', () => {
    const err = errorOf({ ...base, AICC_TIMEZONE: 'Nowhere/Land', AICC_CONCURRENCY: '0' });
    expect(err.message).toContain('AICC_TIMEZONE');
    expect(err.message).toContain('AICC_CONCURRENCY');
  });

  it('picks one credential source: secret, else token, else client credentials, else an error', () => {
    const local = { ...base, AICC_SECRET_ID: undefined };
    expect(loadConfig({ ...base, AICC_TOKEN: 't' }).credentials.kind).toBe('secret');
    expect(
      loadConfig({ ...local, AICC_TOKEN: 't', AICC_CLIENT_ID: 'i', AICC_CLIENT_SECRET: 's' }).credentials,
    ).toEqual({
      kind: 'token',
      token: 't',
    });
    expect(loadConfig({ ...local, AICC_CLIENT_ID: 'i', AICC_CLIENT_SECRET: 's' }).credentials).toEqual({
      kind: 'client',
      clientId: 'i',
      clientSecret: 's',
    });
    const err = errorOf({ ...local, AICC_CLIENT_ID: 'only-the-id' });
    expect(err.message).toContain('AICC_SECRET_ID');
  });
});

describe('loadConfig: the variables of this round', () => {
  it('applies their defaults', () => {
    expect(loadConfig(base)).toMatchObject({
      maxConcurrency: 4,
      atRiskHours: 24,
      alertWarnHours: 0,
      pagerduty: undefined,
      pagerdutyEventsUrl: 'https://events.pagerduty.com/v2/enqueue',
      alertTopicArn: undefined,
      alertTopicFormat: 'text',
    });
  });

  it('reads valid values', () => {
    const c = loadConfig({
      ...base,
      AICC_CONCURRENCY: '4',
      AICC_MAX_CONCURRENCY: '16',
      AT_RISK_HOURS: '48',
      ALERT_WARN_HOURS: '2',
      PAGERDUTY_SECRET_ID: 'aicc/pagerduty',
      PAGERDUTY_EVENTS_URL: 'https://events.eu.pagerduty.com/v2/enqueue',
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:oncall',
      ALERT_TOPIC_FORMAT: 'chat',
    });
    expect(c).toMatchObject({
      concurrency: 4,
      maxConcurrency: 16,
      atRiskHours: 48,
      alertWarnHours: 2,
      pagerduty: { kind: 'secret', secretId: 'aicc/pagerduty' },
      pagerdutyEventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
      alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
      alertTopicFormat: 'chat',
    });
  });

  it('defaults AICC_MAX_CONCURRENCY to AICC_CONCURRENCY (fixed), and accepts them equal', () => {
    expect(loadConfig({ ...base, AICC_CONCURRENCY: '8' }).maxConcurrency).toBe(8);
    expect(loadConfig({ ...base, AICC_CONCURRENCY: '8', AICC_MAX_CONCURRENCY: '8' }).maxConcurrency).toBe(8);
  });

  it('names both variables when AICC_MAX_CONCURRENCY is below AICC_CONCURRENCY', () => {
    const err = errorOf({ ...base, AICC_CONCURRENCY: '8', AICC_MAX_CONCURRENCY: '4' });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('AICC_MAX_CONCURRENCY');
    expect(err.message).toContain('AICC_CONCURRENCY (8)');
  });

  it('takes the PagerDuty routing key from the environment for local runs; the secret wins', () => {
    expect(loadConfig({ ...base, PAGERDUTY_ROUTING_KEY: 'R0UTING' }).pagerduty).toEqual({
      kind: 'key',
      routingKey: 'R0UTING',
    });
    expect(
      loadConfig({ ...base, PAGERDUTY_ROUTING_KEY: 'R0UTING', PAGERDUTY_SECRET_ID: 'aicc/pd' }).pagerduty,
    ).toEqual({ kind: 'secret', secretId: 'aicc/pd' });
  });

  it('takes a PagerDuty secret ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:aicc/pagerduty-AbCdEf';
    expect(loadConfig({ ...base, PAGERDUTY_SECRET_ID: arn }).pagerduty).toEqual({
      kind: 'secret',
      secretId: arn,
    });
  });

  it.each([
    ['AICC_MAX_CONCURRENCY', { AICC_MAX_CONCURRENCY: 'many' }],
    ['AICC_MAX_CONCURRENCY', { AICC_MAX_CONCURRENCY: '0' }],
    ['AICC_MAX_CONCURRENCY', { AICC_MAX_CONCURRENCY: '65' }],
    ['AICC_MAX_CONCURRENCY', { AICC_MAX_CONCURRENCY: '6.5' }],
    ['AT_RISK_HOURS', { AT_RISK_HOURS: '0' }],
    ['AT_RISK_HOURS', { AT_RISK_HOURS: '-24' }],
    ['AT_RISK_HOURS', { AT_RISK_HOURS: '1.5' }],
    ['AT_RISK_HOURS', { AT_RISK_HOURS: '8785' }],
    ['ALERT_WARN_HOURS', { ALERT_WARN_HOURS: '-1' }],
    ['ALERT_WARN_HOURS', { ALERT_WARN_HOURS: 'two' }],
    ['ALERT_WARN_HOURS', { ALERT_WARN_HOURS: '0.5' }],
    ['PAGERDUTY_SECRET_ID', { PAGERDUTY_SECRET_ID: 'has spaces in it' }],
    ['PAGERDUTY_EVENTS_URL', { PAGERDUTY_EVENTS_URL: 'events.pagerduty.com/v2/enqueue' }],
    ['PAGERDUTY_EVENTS_URL', { PAGERDUTY_EVENTS_URL: 'http://events.pagerduty.com/v2/enqueue' }],
    ['ALERT_TOPIC_ARN', { ALERT_TOPIC_ARN: 'oncall' }],
    ['ALERT_TOPIC_ARN', { ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:oncall.fifo' }],
    ['ALERT_TOPIC_ARN', { ALERT_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:123456789012:oncall' }],
    ['ALERT_TOPIC_FORMAT', { ALERT_TOPIC_FORMAT: 'markdown' }],
    ['ALERT_TOPIC_FORMAT', { ALERT_TOPIC_FORMAT: 'TEXT' }],
  ])('names %s when it is bad', (name, patch) => {
    const err = errorOf({ ...base, ...patch });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(`${name}:`);
  });

  it('no longer requires ALERT_RECIPIENTS (another channel may stand in)', () => {
    expect(loadConfig({ ...base, ALERT_RECIPIENTS: undefined }).alertRecipients).toEqual([]);
  });
});

describe('loadConfig: https only, except on a loopback host', () => {
  const urlVariables = [
    ['AICC_BASE_URL', 'aiccBaseUrl'],
    ['PAGERDUTY_EVENTS_URL', 'pagerdutyEventsUrl'],
  ] as const;

  describe.each(urlVariables)('%s', (name, field) => {
    it.each(['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787', 'http://localhost'])(
      'accepts the loopback %s over http',
      (url) => {
        expect(loadConfig({ ...base, [name]: url })[field]).toBe(url);
      },
    );

    it.each([
      'http://service.besclouds.com',
      'http://127.0.0.2',
      'http://localhost.evil.com',
      'http://10.0.0.1:8787',
      'http://[::2]',
      'ftp://localhost',
      'file:///etc/passwd',
      'localhost:8787',
    ])('refuses %s, naming the variable', (url) => {
      const err = errorOf({ ...base, [name]: url });
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toContain(`${name}:`);
    });

    it('accepts https anywhere', () => {
      expect(loadConfig({ ...base, [name]: 'https://example.com:8443/x' })[field]).toBe(
        'https://example.com:8443/x',
      );
    });
  });
});

/** An RFC 2047 encoded word: `=?charset?B|Q?text?=`. */
const ENCODED_WORD = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/g;
/** The display name part of `Name <address>`, decoded: a quoted string unescaped, encoded words decoded. */
function decodedName(from: string, address: string): string {
  const suffix = ` <${address}>`;
  expect(from.endsWith(suffix)).toBe(true);
  const phrase = from.slice(0, -suffix.length);
  const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(phrase);
  return quoted ? (quoted[1] ?? '').replace(/\\(.)/gs, '$1') : libmime.decodeWords(phrase);
}

/** 60 characters (code points), accents, CJK and an emoji among them. */
const NAME_60 = [...'Überwachung der Fälle – 東京オフィス 🚨 ✓ '.repeat(3)].slice(0, 60).join('');

describe('loadConfig: MAIL_FROM as SES takes it', () => {
  const mailFrom = (value: string) => loadConfig({ ...base, MAIL_FROM: value }).mailFrom;

  it('keeps plain names and bare addresses as they are', () => {
    expect(mailFrom('Case Digest <digest@example.com>')).toBe('Case Digest <digest@example.com>');
    expect(mailFrom('digest@example.com')).toBe('digest@example.com');
  });

  it('quotes a name with specials', () => {
    expect(mailFrom('Acme, Inc. <d@x.com>')).toBe('"Acme, Inc." <d@x.com>');
    expect(mailFrom('"Acme, Inc." <d@x.com>')).toBe('"Acme, Inc." <d@x.com>');
  });

  it('quotes a name with a double quote and a backslash, escaping both', () => {
    const from = mailFrom('"Ops \\"Night\\" \\\\ Desk" <d@x.com>');
    expect(from).toBe('"Ops \\"Night\\" \\\\ Desk" <d@x.com>');
    expect(decodedName(from, 'd@x.com')).toBe('Ops "Night" \\ Desk');
    expect(decodedName(mailFrom('Back\\slash <d@x.com>'), 'd@x.com')).toBe('Back\\slash');
  });

  it.each([
    ['an Arabic name', 'تقرير'],
    ['a 60-character non-ASCII name', NAME_60],
  ])('encodes %s as UTF-8 encoded words of at most 75 characters that decode exactly', (_what, name) => {
    expect([...NAME_60]).toHaveLength(60);
    const from = mailFrom(`${name} <d@x.com>`);
    expect(from).toMatch(/^[\x20-\x7e]+$/);
    const words = from.match(ENCODED_WORD) ?? [];
    expect(words.length).toBeGreaterThan(0);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodedName(from, 'd@x.com')).toBe(name);
  });

  it('has a 60-character name to encode', () => {
    expect([
      ...[...'Überwachung der Fälle – 東京オフィス 🚨 ✓ '.repeat(3)].slice(0, 60).join(''),
    ]).toHaveLength(60);
  });

  it('splits a long non-ASCII name into several words', () => {
    const name = 'ت'.repeat(60);
    const from = mailFrom(`${name} <d@x.com>`);
    expect((from.match(ENCODED_WORD) ?? []).length).toBeGreaterThan(1);
    expect(decodedName(from, 'd@x.com')).toBe(name);
  });

  it.each([
    'Case Digest\r\nBcc: victim@example.com <d@x.com>',
    'Case\nDigest <d@x.com>',
    'Case\rDigest <d@x.com>',
    'Case\u0000Digest <d@x.com>',
    '"Case\r\nDigest" <d@x.com>',
  ])('still refuses control characters: %j', (value) => {
    const err = errorOf({ ...base, MAIL_FROM: value });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('MAIL_FROM:');
  });

  it.each(['Case "Digest <d@x.com>', 'Case Digest <d@x>', '<d@x.com'])(
    'refuses a malformed mailbox %j',
    (value) => {
      expect(errorOf({ ...base, MAIL_FROM: value }).message).toContain('MAIL_FROM:');
    },
  );
});
