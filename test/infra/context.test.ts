import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { ContextError, parseSettings, readSettings } from '../../infra/context.js';
import { cronHours, rateExpression, rateMinutes } from '../../infra/schedule-expression.js';
import { contextWith, exampleContext } from './helpers.js';

/** Only the keys that have no default, as `-c key=value` would pass them: all strings. */
const required = {
  aiccBaseUrl: 'https://service.besclouds.com/',
  aiccSecretName: 'aicc/case-digest',
  mailFrom: 'Case Digest <digest@example.com>',
  sesIdentity: 'example.com',
  digestRecipients: 'managers@example.com',
  alertRecipients: 'oncall@example.com',
};

const errorOf = (raw: Record<string, unknown>): Error => {
  try {
    parseSettings(raw);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a ContextError');
};

describe('context settings', () => {
  it('accept the example context of cdk.json', () => {
    const s = parseSettings(exampleContext);
    expect(s).toMatchObject({
      aiccBaseUrl: 'https://service.besclouds.com',
      aiccTimezone: 'Asia/Dubai',
      reportTimezone: 'Asia/Dubai',
      digestRecipients: ['managers@example.com'],
      operatorEmail: 'ops@example.com',
      lambdaTimeoutSeconds: 900,
    });
    expect(s.reports?.map((r) => [r.name, r.job, r.schedule])).toEqual([
      ['daily', 'digest', 'cron(0 6 * * ? *)'],
      ['emea-voice', 'digest', 'cron(0 7 * * ? *)'],
      ['oncall-emea', 'overdue-alert', 'rate(15 minutes)'],
    ]);
  });

  it('apply the documented defaults to `-c` strings with only the required keys', () => {
    expect(parseSettings(required)).toEqual({
      stackName: 'AiccCaseDigest',
      aiccBaseUrl: 'https://service.besclouds.com',
      aiccSecretName: 'aicc/case-digest',
      aiccSecretKmsKeyArn: undefined,
      aiccTimezone: 'UTC',
      reportTimezone: 'UTC',
      mailFrom: 'Case Digest <digest@example.com>',
      sesIdentity: 'example.com',
      sesConfigurationSet: undefined,
      digestRecipients: ['managers@example.com'],
      alertRecipients: ['oncall@example.com'],
      alertPriorities: ['Critical'],
      alertRepeatHours: 24,
      overdueLookbackDays: 30,
      closedStates: ['Completed', 'Closed', 'Cancelled', 'Canceled'],
      caseUrlTemplate: undefined,
      aiccConcurrency: 4,
      aiccMaxConcurrency: undefined,
      aiccTimeoutMs: 15_000,
      alertWarnHours: undefined,
      atRiskHours: undefined,
      pagerdutySecretName: undefined,
      pagerdutyEventsUrl: undefined,
      alertTopicArn: undefined,
      createAlertTopic: false,
      alertTopicSmsNumbers: undefined,
      alertTopicEmails: undefined,
      alertTopicFormat: undefined,
      digestSchedule: 'cron(0 6 * * ? *)',
      alertIntervalMinutes: 60,
      reports: undefined,
      operatorEmail: undefined,
      logRetentionDays: 90,
      lambdaMemoryMb: 512,
      lambdaTimeoutSeconds: 900,
    });
  });

  it('take lists as comma-separated strings or arrays, and numbers as strings or numbers', () => {
    const fromStrings = parseSettings({
      ...required,
      digestRecipients: ' a@example.com , b@example.com,',
      alertPriorities: 'Critical, High',
      alertIntervalMinutes: '15',
    });
    const fromJson = parseSettings({
      ...required,
      digestRecipients: ['a@example.com', 'b@example.com'],
      alertPriorities: ['Critical', 'High'],
      alertIntervalMinutes: 15,
    });
    expect(fromStrings).toEqual(fromJson);
    expect(fromJson).toMatchObject({
      digestRecipients: ['a@example.com', 'b@example.com'],
      alertPriorities: ['Critical', 'High'],
      alertIntervalMinutes: 15,
    });
  });

  it('treat `-c key=` (empty) as unset', () => {
    const s = parseSettings({ ...required, operatorEmail: '', alertIntervalMinutes: '' });
    expect(s.operatorEmail).toBeUndefined();
    expect(s.alertIntervalMinutes).toBe(60);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['missing aiccBaseUrl', { aiccBaseUrl: undefined }, /aiccBaseUrl: required/],
    ['non-URL aiccBaseUrl', { aiccBaseUrl: 'service.besclouds.com' }, /aiccBaseUrl: must be an https URL/],
    [
      'plain-http aiccBaseUrl (the function refuses it outside a loopback host)',
      { aiccBaseUrl: 'http://service.besclouds.com' },
      /aiccBaseUrl: must be an https URL/,
    ],
    ['missing aiccSecretName', { aiccSecretName: undefined }, /aiccSecretName: required/],
    [
      'partial secret ARN',
      { aiccSecretName: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/casedigest' },
      /aiccSecretName: must be a secret name or a complete secret ARN/,
    ],
    [
      'bad KMS key ARN',
      { aiccSecretKmsKeyArn: 'alias/aws/secretsmanager' },
      /aiccSecretKmsKeyArn: must be a KMS key ARN/,
    ],
    [
      'unknown aiccTimezone',
      { aiccTimezone: 'Asia/Dubay' },
      /aiccTimezone: unknown IANA time zone "Asia\/Dubay"/,
    ],
    ['unknown reportTimezone', { reportTimezone: 'GMT+4' }, /reportTimezone: unknown IANA time zone/],
    ['missing mailFrom', { mailFrom: undefined }, /mailFrom: required/],
    ['bad mailFrom', { mailFrom: 'Case Digest <digest>' }, /mailFrom: must be an email address/],
    [
      'mailFrom outside sesIdentity',
      { mailFrom: 'digest@example.org' },
      /mailFrom: sender digest@example.org is not covered by sesIdentity "example.com"/,
    ],
    ['bad sesIdentity', { sesIdentity: 'example' }, /sesIdentity: must be a domain/],
    [
      'bad sesConfigurationSet',
      { sesConfigurationSet: 'case digest' },
      /sesConfigurationSet: must be an SES configuration set name/,
    ],
    [
      'bad digest recipient',
      { digestRecipients: 'a@example.com, bob' },
      /digestRecipients\.1: must be an email address/,
    ],
    ['missing digestRecipients', { digestRecipients: undefined }, /digestRecipients: /],
    [
      'empty alertRecipients',
      { alertRecipients: ' , ' },
      /alertRecipients: must list at least one email address/,
    ],
    [
      'alertRecipients not a list',
      { alertRecipients: 42 },
      /alertRecipients: must be a list of email addresses/,
    ],
    [
      'zero alertIntervalMinutes',
      { alertIntervalMinutes: '0' },
      /alertIntervalMinutes: must be greater than 0/,
    ],
    [
      'negative alertIntervalMinutes',
      { alertIntervalMinutes: -5 },
      /alertIntervalMinutes: must be greater than 0/,
    ],
    [
      'fractional alertIntervalMinutes',
      { alertIntervalMinutes: '1.5' },
      /alertIntervalMinutes: must be a whole number/,
    ],
    [
      'non-numeric alertIntervalMinutes',
      { alertIntervalMinutes: 'hourly' },
      /alertIntervalMinutes: must be a number/,
    ],
    ['negative alertRepeatHours', { alertRepeatHours: '-1' }, /alertRepeatHours: must be at least 0/],
    ['zero overdueLookbackDays', { overdueLookbackDays: '0' }, /overdueLookbackDays: must be greater than 0/],
    ['aiccConcurrency over 64', { aiccConcurrency: '65' }, /aiccConcurrency: must be at most 64/],
    [
      'rate as digestSchedule',
      { digestSchedule: 'rate(1 day)' },
      /digestSchedule: must be an EventBridge Scheduler cron expression/,
    ],
    [
      'five-field cron digestSchedule',
      { digestSchedule: 'cron(0 6 * * ?)' },
      /digestSchedule: must be an EventBridge Scheduler cron/,
    ],
    [
      'digestSchedule in the DST hours of a DST zone',
      { digestSchedule: 'cron(30 2 * * ? *)', reportTimezone: 'Europe/Berlin' },
      /digestSchedule: fires between 01:00 and 03:00 in Europe\/Berlin/,
    ],
    [
      'caseUrlTemplate without placeholder',
      { caseUrlTemplate: 'https://x.example.com/case' },
      /caseUrlTemplate: must contain \{id\} or \{caseNo\}/,
    ],
    ['bad operatorEmail', { operatorEmail: 'ops' }, /operatorEmail: must be an email address/],
    ['unsupported logRetentionDays', { logRetentionDays: '100' }, /logRetentionDays: must be one of 1, 3, 5/],
    ['too little lambdaMemoryMb', { lambdaMemoryMb: '64' }, /lambdaMemoryMb: must be at least 128/],
    [
      'lambdaTimeoutSeconds over 900',
      { lambdaTimeoutSeconds: '1000' },
      /lambdaTimeoutSeconds: must be at most 900/,
    ],
    ['bad stackName', { stackName: '1-stack' }, /stackName: must be a CloudFormation stack name/],
    [
      'lambdaTimeoutSeconds under 30',
      { lambdaTimeoutSeconds: '29' },
      /lambdaTimeoutSeconds: must be at least 30/,
    ],
    [
      'no alert channel at all',
      { alertRecipients: undefined },
      /alertRecipients: the overdue alert reaches nobody: set alertRecipients, pagerdutySecretName, or alertTopicArn \/ createAlertTopic/,
    ],
    [
      'partial pagerdutySecretName ARN',
      { pagerdutySecretName: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/pagerduty' },
      /pagerdutySecretName: must be a secret name or a complete secret ARN/,
    ],
    [
      'pagerdutySecretName with a space',
      { pagerdutySecretName: 'aicc pagerduty' },
      /pagerdutySecretName: must be a secret name/,
    ],
    [
      'plain-http pagerdutyEventsUrl',
      { pagerdutyEventsUrl: 'http://events.pagerduty.com/v2/enqueue' },
      /pagerdutyEventsUrl: must be an https URL/,
    ],
    [
      'non-URL pagerdutyEventsUrl',
      { pagerdutyEventsUrl: 'events.pagerduty.com' },
      /pagerdutyEventsUrl: must be an https URL/,
    ],
    [
      'FIFO alertTopicArn',
      { alertTopicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall.fifo' },
      /alertTopicArn: must be the ARN of a standard SNS topic/,
    ],
    [
      'alertTopicArn not an ARN',
      { alertTopicArn: 'oncall' },
      /alertTopicArn: must be the ARN of a standard SNS topic/,
    ],
    [
      'createAlertTopic not a boolean',
      { createAlertTopic: 'yes' },
      /createAlertTopic: must be true or false/,
    ],
    [
      'alertTopicArn and createAlertTopic together',
      { alertTopicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall', createAlertTopic: 'true' },
      /createAlertTopic: set either alertTopicArn \(an existing topic\) or createAlertTopic, not both/,
    ],
    [
      'a phone number that is not E.164',
      { createAlertTopic: true, alertTopicSmsNumbers: '+971501234567, 0501234567' },
      /alertTopicSmsNumbers\.1: must be an E\.164 phone number/,
    ],
    [
      'alertTopicSmsNumbers without createAlertTopic',
      { alertTopicSmsNumbers: '+971501234567' },
      /alertTopicSmsNumbers: subscribes to the created alert topic: needs createAlertTopic: true/,
    ],
    [
      'a bad alertTopicEmails address',
      { createAlertTopic: true, alertTopicEmails: 'oncall' },
      /alertTopicEmails\.0: must be an email address/,
    ],
    [
      'alertTopicEmails without createAlertTopic',
      { alertTopicEmails: 'oncall@example.com' },
      /alertTopicEmails: subscribes to the created alert topic: needs createAlertTopic: true/,
    ],
    [
      'unknown alertTopicFormat',
      { createAlertTopic: true, alertTopicFormat: 'markdown' },
      /alertTopicFormat: must be "text" or "chat"/,
    ],
    [
      'alertTopicFormat without a topic',
      { alertTopicFormat: 'chat' },
      /alertTopicFormat: there is no alert topic to format for: set alertTopicArn or createAlertTopic/,
    ],
    ['aiccMaxConcurrency over 64', { aiccMaxConcurrency: '65' }, /aiccMaxConcurrency: must be at most 64/],
    [
      'aiccMaxConcurrency below aiccConcurrency',
      { aiccConcurrency: '8', aiccMaxConcurrency: '4' },
      /aiccMaxConcurrency: 4 is below aiccConcurrency \(8\)/,
    ],
    ['zero atRiskHours', { atRiskHours: '0' }, /atRiskHours: must be greater than 0/],
    ['fractional atRiskHours', { atRiskHours: '1.5' }, /atRiskHours: must be a whole number/],
    ['negative alertWarnHours', { alertWarnHours: '-1' }, /alertWarnHours: must be at least 0/],
    ['alertWarnHours over a year', { alertWarnHours: '9000' }, /alertWarnHours: must be at most 8784/],
    ['reports not JSON', { reports: '[{name:' }, /reports: must be a list of report definitions \(JSON\)/],
    ['reports not a list', { reports: { name: 'daily' } }, /reports: must be a list of report definitions/],
    [
      'digestSchedule beside reports',
      { reports: '[]', digestSchedule: 'cron(0 5 * * ? *)' },
      /digestSchedule: has no effect with reports/,
    ],
    [
      'alertIntervalMinutes beside reports',
      { reports: '[]', alertIntervalMinutes: '15' },
      /alertIntervalMinutes: has no effect with reports/,
    ],
  ])('reject %s, naming the key', (_name, change, message) => {
    const raw: Record<string, unknown> = { ...required, ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete raw[k];
    const error = errorOf(raw);
    expect(error).toBeInstanceOf(ContextError);
    expect(error.message).toMatch(message);
  });

  it('name every bad key at once', () => {
    const error = errorOf({
      ...required,
      aiccTimezone: 'Nowhere/City',
      lambdaMemoryMb: '1',
      operatorEmail: 'x',
    });
    for (const key of ['aiccTimezone', 'lambdaMemoryMb', 'operatorEmail'])
      expect(error.message).toContain(`${key}: `);
  });

  it('allow a 02:00 digest where the report zone has no DST, and 06:00 anywhere', () => {
    expect(
      parseSettings({ ...required, digestSchedule: 'cron(0 2 * * ? *)', reportTimezone: 'Asia/Dubai' }),
    ).toBeTruthy();
    expect(
      parseSettings({ ...required, digestSchedule: 'cron(0 6 * * ? *)', reportTimezone: 'America/New_York' }),
    ).toBeTruthy();
  });

  it('expand the hour field of a cron', () => {
    expect(cronHours('cron(0 6 * * ? *)')).toEqual([6]);
    expect(cronHours('cron(0 5,7 * * ? *)')).toEqual([5, 7]);
    expect(cronHours('cron(0 0-3 * * ? *)')).toEqual([0, 1, 2, 3]);
    expect(cronHours('cron(0 0/8 * * ? *)')).toEqual([0, 8, 16]);
    expect(cronHours('cron(0 * * * ? *)')).toBeUndefined();
  });

  it('read a rate as Scheduler does: singular for 1, plural otherwise', () => {
    expect(rateMinutes('rate(1 minute)')).toBe(1);
    expect(rateMinutes('rate(15 minutes)')).toBe(15);
    expect(rateMinutes('rate(2 hours)')).toBe(120);
    expect(rateMinutes('rate(1 day)')).toBe(1440);
    for (const bad of ['rate(1 hours)', 'rate(5 hour)', 'rate(0 minutes)', 'rate(1.5 hours)', 'rate(1 week)'])
      expect(rateMinutes(bad)).toBeUndefined();
    expect([1, 15, 60, 90, 120, 1440, 2880].map(rateExpression)).toEqual([
      'rate(1 minute)',
      'rate(15 minutes)',
      'rate(1 hour)',
      'rate(90 minutes)',
      'rate(2 hours)',
      'rate(1 day)',
      'rate(2 days)',
    ]);
  });

  it('make alertRecipients optional when the default alert has another channel', () => {
    const { alertRecipients: _, ...withoutRecipients } = required;
    for (const channel of [
      { pagerdutySecretName: 'aicc/pagerduty' },
      { alertTopicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall' },
      { createAlertTopic: 'true' },
    ]) {
      expect(parseSettings({ ...withoutRecipients, ...channel }).alertRecipients).toBeUndefined();
    }
  });

  it('take the on-call channel keys and the capacity keys', () => {
    const s = parseSettings({
      ...required,
      pagerdutySecretName: 'aicc/pagerduty',
      pagerdutyEventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue/',
      createAlertTopic: 'true',
      alertTopicSmsNumbers: '+971501234567, +971501234567, +4915112345678',
      alertTopicEmails: 'oncall@example.com',
      alertTopicFormat: 'chat',
      aiccConcurrency: '4',
      aiccMaxConcurrency: '16',
      atRiskHours: '12',
      alertWarnHours: '0',
    });
    expect(s).toMatchObject({
      pagerdutySecretName: 'aicc/pagerduty',
      pagerdutyEventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
      createAlertTopic: true,
      alertTopicSmsNumbers: ['+971501234567', '+4915112345678'],
      alertTopicEmails: ['oncall@example.com'],
      alertTopicFormat: 'chat',
      aiccMaxConcurrency: 16,
      atRiskHours: 12,
      alertWarnHours: 0,
    });
    expect(
      parseSettings({ ...required, aiccConcurrency: '8', aiccMaxConcurrency: '8' }).aiccMaxConcurrency,
    ).toBe(8);
  });
});

/** The example context with reports[1] replaced by `report` (reports[0] stays the valid "daily"). */
const withReport = (report: unknown, overrides: Record<string, unknown> = {}, without: string[] = []) =>
  contextWith(
    { reports: [{ name: 'daily', job: 'digest', schedule: 'cron(0 6 * * ? *)' }, report], ...overrides },
    without,
  );

const reportError = (context: Record<string, unknown>): string => {
  try {
    parseSettings(context);
  } catch (e) {
    expect(e).toBeInstanceOf(ContextError);
    return (e as Error).message;
  }
  throw new Error('expected a ContextError');
};

const voice = {
  name: 'emea-voice',
  job: 'digest',
  schedule: 'cron(0 7 * * ? *)',
  timezone: 'Europe/Berlin',
};
const oncall = {
  name: 'oncall-emea',
  job: 'overdue-alert',
  schedule: 'rate(15 minutes)',
  recipients: ['oncall-emea@example.com'],
};

describe('reports', () => {
  it.each<[string, unknown, string]>([
    [
      'a bad name',
      { ...voice, name: 'EMEA_voice' },
      'reports[1] "EMEA_voice".name: must be 1–40 lowercase letters',
    ],
    [
      'a name over 40 characters',
      { ...voice, name: 'a'.repeat(41) },
      `reports[1] "${'a'.repeat(41)}".name: must be 1–40`,
    ],
    ['no name', { job: 'digest', schedule: 'cron(0 7 * * ? *)' }, 'reports[1].name: required'],
    [
      'a duplicate name',
      { ...voice, name: 'daily' },
      'reports[1] "daily".name: "daily" is also reports[0]: names must be unique',
    ],
    [
      'an unknown job',
      { ...voice, job: 'weekly' },
      'reports[1] "emea-voice".job: must be "digest" or "overdue-alert"',
    ],
    [
      'no job',
      { name: 'x', schedule: 'cron(0 7 * * ? *)' },
      'reports[1] "x".job: must be "digest" or "overdue-alert"',
    ],
    ['no schedule', { name: 'x', job: 'digest' }, 'reports[1] "x".schedule: required'],
    [
      'a five-field cron',
      { ...voice, schedule: 'cron(0 7 * * ?)' },
      'reports[1] "emea-voice".schedule: must be cron(',
    ],
    [
      'rate(1 hours)',
      { ...oncall, schedule: 'rate(1 hours)' },
      'reports[1] "oncall-emea".schedule: must be cron(',
    ],
    [
      'rate(0 minutes)',
      { ...oncall, schedule: 'rate(0 minutes)' },
      'reports[1] "oncall-emea".schedule: must be cron(',
    ],
    [
      'an at() schedule',
      { ...voice, schedule: 'at(2026-11-27T06:00:00)' },
      'reports[1] "emea-voice".schedule: must be cron(',
    ],
    [
      'an unknown field',
      { ...voice, recipient: ['a@example.com'] },
      'reports[1] "emea-voice".recipient: unknown field',
    ],
    [
      'an unknown timezone',
      { ...voice, timezone: 'Europe/Berlim' },
      'reports[1] "emea-voice".timezone: unknown IANA time zone "Europe/Berlim"',
    ],
    [
      'a title over 80 characters',
      { ...voice, title: 'x'.repeat(81) },
      'reports[1] "emea-voice".title: must be at most 80 characters',
    ],
    ['a blank title', { ...voice, title: '  ' }, 'reports[1] "emea-voice".title: must not be blank'],
    [
      'an unknown origin',
      { ...voice, filters: { origin: 'Fax' } },
      'reports[1] "emea-voice".filters.origin: unknown origin "Fax" (expected one of Email/0, Voice/1, webchat/2, Whatsapp/3)',
    ],
    [
      'an unknown priority filter',
      { ...voice, filters: { priority: 'Urgent' } },
      'reports[1] "emea-voice".filters.priority: unknown priority "Urgent"',
    ],
    [
      'an unknown filter field',
      { ...voice, filters: { queueId: 'q-emea' } },
      'reports[1] "emea-voice".filters.queueId: unknown field',
    ],
    [
      'an ownerId filter over 20 characters',
      { ...voice, filters: { ownerId: 'o'.repeat(21) } },
      'reports[1] "emea-voice".filters.ownerId: ',
    ],
    [
      'a bad extended field name',
      { ...voice, filters: { extended: { '1queue': 'q' } } },
      'reports[1] "emea-voice".filters.extended.1queue: ',
    ],
    [
      'a non-text extended value',
      { ...voice, filters: { extended: { queueId: 7 } } },
      'reports[1] "emea-voice".filters.extended.queueId: ',
    ],
    [
      'a bad recipient',
      { ...voice, recipients: ['leads@example.com', 'bob'] },
      'reports[1] "emea-voice".recipients.1: must be an email address',
    ],
    [
      'an empty recipient list',
      { ...voice, recipients: [] },
      'reports[1] "emea-voice".recipients: must list at least one address',
    ],
    [
      'recipients as a string',
      { ...voice, recipients: 'leads@example.com' },
      'reports[1] "emea-voice".recipients: ',
    ],
    [
      'a priority filter on an alert',
      { ...oncall, filters: { priority: 'High' } },
      'reports[1] "oncall-emea".filters.priority: not allowed on the alert',
    ],
    [
      'an unknown alert priority',
      { ...oncall, priorities: ['Critical', 'Urgent'] },
      'reports[1] "oncall-emea".priorities.1: unknown priority "Urgent"',
    ],
    [
      'an empty priorities list',
      { ...oncall, priorities: [] },
      'reports[1] "oncall-emea".priorities: must list at least one priority',
    ],
    [
      'a negative repeatHours',
      { ...oncall, repeatHours: -1 },
      'reports[1] "oncall-emea".repeatHours: must be 0 or more',
    ],
    ['repeatHours as a string', { ...oncall, repeatHours: '4' }, 'reports[1] "oncall-emea".repeatHours: '],
    [
      'a fractional warnHours',
      { ...oncall, warnHours: 1.5 },
      'reports[1] "oncall-emea".warnHours: must be a whole number',
    ],
    [
      'warnHours over a year',
      { ...oncall, warnHours: 9000 },
      'reports[1] "oncall-emea".warnHours: must be at most 8784',
    ],
    [
      'a partial pagerdutySecretName ARN',
      { ...oncall, pagerdutySecretName: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/pd' },
      'reports[1] "oncall-emea".pagerdutySecretName: must be a secret name or a complete secret ARN',
    ],
    [
      'a FIFO topicArn',
      { ...oncall, topicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall.fifo' },
      'reports[1] "oncall-emea".topicArn: must be the ARN of a standard SNS topic',
    ],
    [
      'a cron alert without intervalMinutes',
      { ...oncall, schedule: 'cron(0/15 * * * ? *)' },
      'reports[1] "oncall-emea".intervalMinutes: required with a cron(…) schedule',
    ],
    [
      'an intervalMinutes that disagrees with the rate',
      { ...oncall, intervalMinutes: 30 },
      'reports[1] "oncall-emea".intervalMinutes: 30 disagrees with rate(15 minutes) (15 minutes)',
    ],
    [
      'an intervalMinutes over 7 days',
      { ...oncall, schedule: 'cron(0 8 ? * MON *)', intervalMinutes: 20_160 },
      'reports[1] "oncall-emea".intervalMinutes: must be at most 10080 (7 days)',
    ],
    [
      'a rate longer than 7 days on an alert',
      { ...oncall, schedule: 'rate(8 days)' },
      'reports[1] "oncall-emea".schedule: its interval (intervalMinutes 11520) must be at most 10080 (7 days)',
    ],
    [
      'alert fields on a digest',
      { ...voice, priorities: ['High'] },
      'reports[1] "emea-voice".priorities: only an overdue-alert report takes this',
    ],
    [
      'intervalMinutes on a digest',
      { ...voice, intervalMinutes: 60 },
      'reports[1] "emea-voice".intervalMinutes: only an overdue-alert report takes this',
    ],
    [
      'a digest cron in the DST hours of its zone',
      { ...voice, schedule: 'cron(30 2 * * ? *)' },
      'reports[1] "emea-voice".schedule: fires between 01:00 and 03:00 in Europe/Berlin',
    ],
    ['a report that is not an object', 'daily', 'reports[1]: must be a report definition (a JSON object)'],
  ])('reject %s, naming the report and the field', (_name, report, expected) => {
    expect(reportError(withReport(report))).toContain(expected);
  });

  it('check a digest cron in reportTimezone when the report names no zone', () => {
    const { timezone: _, ...noZone } = voice;
    expect(
      reportError(
        withReport({ ...noZone, schedule: 'cron(0 1 * * ? *)' }, { reportTimezone: 'Europe/London' }),
      ),
    ).toContain('reports[1] "emea-voice".schedule: fires between 01:00 and 03:00 in Europe/London');
    expect(parseSettings(withReport({ ...noZone, schedule: 'cron(0 1 * * ? *)' })).reports).toHaveLength(2);
  });

  it('refuse an alert report that reaches nobody, naming the three channels', () => {
    const { recipients: _, ...silent } = oncall;
    expect(reportError(withReport(silent, {}, ['alertRecipients']))).toContain(
      'reports[1] "oncall-emea".recipients: the alert reaches nobody: give the report recipients, pagerdutySecretName or topicArn, ' +
        "or set the stack's alertRecipients, pagerdutySecretName, or alertTopicArn / createAlertTopic",
    );
    // The stack's defaults, or any one of the report's own channels, are enough.
    expect(parseSettings(withReport(silent)).reports).toHaveLength(2);
    for (const channel of [
      { recipients: ['oncall-emea@example.com'] },
      { pagerdutySecretName: 'aicc/pagerduty-emea' },
      { topicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall' },
    ]) {
      expect(
        parseSettings(withReport({ ...silent, ...channel }, {}, ['alertRecipients'])).reports,
      ).toHaveLength(2);
    }
  });

  it('name every bad report and field at once', () => {
    const message = reportError(
      contextWith({
        reports: [
          { ...voice, filters: { origin: 'Fax' }, recipients: ['bob'] },
          { ...oncall, priorities: ['Urgent'], surprise: true },
        ],
      }),
    );
    for (const expected of [
      'reports[0] "emea-voice".filters.origin: unknown origin "Fax"',
      'reports[0] "emea-voice".recipients.0: must be an email address',
      'reports[1] "oncall-emea".surprise: unknown field',
      // An unknown field does not hide the report's other problems.
      'reports[1] "oncall-emea".priorities.0: unknown priority "Urgent"',
    ])
      expect(message).toContain(expected);
  });

  it('accept a cron alert with its intervalMinutes, a matching explicit one, and a 02:00 digest where there is no DST', () => {
    const s = parseSettings(
      contextWith({
        reports: [
          {
            ...oncall,
            name: 'weekday-mornings',
            schedule: 'cron(0/30 7-18 ? * MON-FRI *)',
            intervalMinutes: 30,
          },
          { ...oncall, intervalMinutes: 15 },
          { ...voice, name: 'gulf', timezone: 'Asia/Dubai', schedule: 'cron(0 2 * * ? *)' },
        ],
      }),
    );
    expect(s.reports?.map((r) => r.name)).toEqual(['weekday-mornings', 'oncall-emea', 'gulf']);
  });

  it('drop the example reports with `-c reports=` (empty), back to the two default schedules', () => {
    expect(parseSettings(contextWith({ reports: '' })).reports).toBeUndefined();
  });

  it('take reports as a JSON string, as `-c reports=…` passes it', () => {
    const reports = exampleContext.reports;
    expect(parseSettings(contextWith({ reports: JSON.stringify(reports) })).reports).toEqual(
      parseSettings(exampleContext).reports,
    );
  });
});

describe('readSettings / buildApp', () => {
  it('reject an unknown camelCase key (a typo) instead of using a default', () => {
    const app = new App({ context: contextWith({ alertIntervalMinute: '5' }) });
    expect(() => readSettings(app)).toThrow(/alertIntervalMinute: unknown key/);
  });

  it('fail synth with a message naming the bad key', () => {
    const app = new App({ context: { ...contextWith({}, ['aiccBaseUrl']), 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildApp(app)).toThrow(/Invalid CDK context: aiccBaseUrl: required/);
  });

  it('ignore CDK feature flags and other framework context', () => {
    const app = new App({ context: { ...exampleContext, '@aws-cdk/core:newStyleStackSynthesis': true } });
    expect(readSettings(app).stackName).toBe('AiccCaseDigest');
  });
});
