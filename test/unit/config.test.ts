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
