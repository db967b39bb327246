import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { ContextError, cronHours, parseSettings, readSettings } from '../../infra/context.js';
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
    });
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
      aiccTimeoutMs: 15_000,
      digestSchedule: 'cron(0 6 * * ? *)',
      alertIntervalMinutes: 60,
      operatorEmail: undefined,
      logRetentionDays: 90,
      lambdaMemoryMb: 512,
      lambdaTimeoutSeconds: 300,
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
    [
      'non-URL aiccBaseUrl',
      { aiccBaseUrl: 'service.besclouds.com' },
      /aiccBaseUrl: must be an http\(s\) URL/,
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
