import { describe, expect, it } from 'vitest';
import { EventError } from '../../functions/case-digest/errors.js';
import { apiFilters, displayFilters, parseEvent } from '../../functions/case-digest/events.js';

const clock = () => new Date('2026-11-27T12:34:56Z');
const errorOf = (event: unknown) => {
  try {
    parseEvent(event, clock);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an EventError');
};

describe('parseEvent', () => {
  it('takes a scheduled digest with asOf = scheduledTime', () => {
    const input = parseEvent({ job: 'digest', scheduledTime: '2026-11-27T02:00:00Z' }, clock);
    expect(input).toMatchObject({
      job: 'digest',
      dryRun: false,
      range: undefined,
      scheduledTime: '2026-11-27T02:00:00Z',
    });
    expect(input.asOf.toISOString()).toBe('2026-11-27T02:00:00.000Z');
  });

  it('takes an ad-hoc digest with filters by name or code', () => {
    const input = parseEvent(
      {
        job: 'digest',
        from: '2026-11-01',
        to: '2026-11-15',
        filters: { priority: '3', origin: 'email', ownerId: 'o1' },
        recipients: ['lead@example.com'],
        dryRun: true,
      },
      clock,
    );
    if (input.job !== 'digest') throw new Error('wrong job');
    expect(input.asOf.toISOString()).toBe('2026-11-27T12:34:56.000Z');
    expect(input.range).toEqual({ from: '2026-11-01', to: '2026-11-15' });
    expect(apiFilters(input.filters)).toEqual({ priority: '3', origin: '0', ownerId: 'o1' });
    expect(displayFilters(input.filters)).toEqual({ priority: 'Critical', origin: 'Email', ownerId: 'o1' });
  });

  it('sends a contactPhone filter whole to the API but shows it masked', () => {
    const input = parseEvent({ job: 'digest', filters: { contactPhone: '+971501234567' } }, clock);
    if (input.job !== 'digest') throw new Error('wrong job');
    expect(apiFilters(input.filters)).toEqual({ contactPhone: '+971501234567' });
    expect(displayFilters(input.filters).contactPhone).toMatch(/4567$/);
    expect(displayFilters(input.filters).contactPhone).not.toContain('50123');
  });

  it('passes extended template fields through as they are', () => {
    const input = parseEvent({ job: 'digest', filters: { extended: { ext_region: 'north' } } }, clock);
    if (input.job !== 'digest') throw new Error('wrong job');
    expect(apiFilters(input.filters)).toEqual({ ext_region: 'north' });
  });

  it('takes an alert with intervalMinutes defaulting to 60, asOf = at', () => {
    const input = parseEvent({ job: 'overdue-alert', at: '2026-11-27T10:00:00+04:00', dryRun: true }, clock);
    expect(input).toMatchObject({
      job: 'overdue-alert',
      intervalMinutes: 60,
      dryRun: true,
      scheduledTime: undefined,
    });
    expect(input.asOf.toISOString()).toBe('2026-11-27T06:00:00.000Z');
  });

  it.each([
    ['job', { job: 'report' }],
    ['job', {}],
    ['(root)', 'digest'],
    ['extra', { job: 'digest', extra: 1 }],
    ['scheduledTime', { job: 'digest', scheduledTime: 'yesterday' }],
    ['at', { job: 'overdue-alert', at: '2026-11-27 10:00:00' }],
    ['from', { job: 'digest', from: '2026-02-30', to: '2026-03-01' }],
    ['to', { job: 'digest', from: '2026-11-01' }],
    ['to', { job: 'digest', from: '2026-11-15', to: '2026-11-01' }],
    ['to', { job: 'digest', from: '2025-01-01', to: '2026-01-02' }],
    ['filters.priority', { job: 'digest', filters: { priority: 'Urgent' } }],
    ['filters.origin', { job: 'digest', filters: { origin: 9 } }],
    ['filters.ownerId', { job: 'digest', filters: { ownerId: 'x'.repeat(21) } }],
    ['filters.title', { job: 'digest', filters: { title: 't'.repeat(129) } }],
    ['filters.colour', { job: 'digest', filters: { colour: 'red' } }],
    ['recipients.1', { job: 'digest', recipients: ['a@example.com', 'nope'] }],
    ['recipients', { job: 'digest', recipients: [] }],
    ['dryRun', { job: 'digest', dryRun: 'yes' }],
    ['intervalMinutes', { job: 'overdue-alert', intervalMinutes: 0 }],
    ['intervalMinutes', { job: 'overdue-alert', intervalMinutes: 7.5 }],
    ['intervalMinutes', { job: 'digest', intervalMinutes: 60 }],
  ])('rejects a bad %s, naming it', (field, event) => {
    const err = errorOf(event);
    expect(err).toBeInstanceOf(EventError);
    expect(err.message).toContain(field);
  });

  it("takes filters on the alert too (SPEC §12), sent to the API like the digest's", () => {
    const input = parseEvent(
      { job: 'overdue-alert', filters: { origin: 'voice', ownerId: 'o1', extended: { queueId: 'q-emea' } } },
      clock,
    );
    expect(apiFilters(input.filters)).toEqual({ origin: '1', ownerId: 'o1', queueId: 'q-emea' });
  });

  it('accepts exactly 366 days and a leap day', () => {
    expect(() => parseEvent({ job: 'digest', from: '2028-01-01', to: '2028-12-31' }, clock)).not.toThrow();
    expect(() => parseEvent({ job: 'digest', from: '2028-02-29', to: '2028-02-29' }, clock)).not.toThrow();
  });
});

describe('parseEvent: named reports (SPEC §5, §12)', () => {
  it.each(['digest', 'overdue-alert'] as const)('takes report, title and timezone on a %s', (job) => {
    const input = parseEvent(
      {
        job,
        report: 'emea-voice',
        title: 'EMEA voice',
        timezone: 'Europe/Berlin',
        scheduledTime: '2026-11-27T05:00:00Z',
      },
      clock,
    );
    expect(input).toMatchObject({ report: 'emea-voice', title: 'EMEA voice', timezone: 'Europe/Berlin' });
  });

  it('titles a report by its name when it has no title, and a plain run has no report', () => {
    expect(parseEvent({ job: 'digest', report: 'daily' }, clock)).toMatchObject({
      report: 'daily',
      title: 'daily',
    });
    expect(parseEvent({ job: 'digest' }, clock)).toMatchObject({
      report: null,
      title: undefined,
      timezone: undefined,
    });
  });

  it('accepts the edges of a report name and a title', () => {
    const name = `a${'b-'.repeat(19)}9`; // 40 characters
    expect(name).toHaveLength(40);
    expect(parseEvent({ job: 'digest', report: name }, clock).report).toBe(name);
    expect(parseEvent({ job: 'digest', report: '0' }, clock).report).toBe('0');
    const title = 'É'.repeat(80);
    expect(parseEvent({ job: 'digest', title }, clock).title).toBe(title);
    expect(parseEvent({ job: 'digest', title: '  EMEA voice  ' }, clock).title).toBe('EMEA voice');
  });

  it.each([
    ['report', { report: 'EMEA-voice' }],
    ['report', { report: '-emea' }],
    ['report', { report: '' }],
    ['report', { report: 'emea_voice' }],
    ['report', { report: `a${'b'.repeat(40)}` }],
    ['report', { report: 7 }],
    ['title', { title: '' }],
    ['title', { title: '   ' }],
    ['title', { title: 'x'.repeat(81) }],
    ['title', { title: 'EMEA\r\nBcc: x@example.com' }],
    ['title', { title: 'EMEA\u2028voice' }],
    ['title', { title: 'tab\there' }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['timezone', { timezone: '' }],
    ['timezone', { timezone: 'GMT+25' }],
  ])('rejects a bad %s on either job, naming it', (field, patch) => {
    for (const job of ['digest', 'overdue-alert']) {
      const err = errorOf({ job, ...patch });
      expect(err).toBeInstanceOf(EventError);
      expect(err.message).toContain(`${field}:`);
    }
  });
});

describe('parseEvent: the alert rule fields', () => {
  const alert = (patch: Record<string, unknown>) => {
    const input = parseEvent({ job: 'overdue-alert', ...patch }, clock);
    if (input.job !== 'overdue-alert') throw new Error('wrong job');
    return input;
  };

  it('refuses a priority filter, pointing at "priorities"', () => {
    for (const priority of ['Critical', 3, 'high']) {
      const err = errorOf({ job: 'overdue-alert', filters: { priority } });
      expect(err).toBeInstanceOf(EventError);
      expect(err.message).toContain('filters.priority');
      expect(err.message).toContain('"priorities"');
    }
  });

  it('takes priorities by name (any case) or code, as display names, each once', () => {
    expect(alert({ priorities: ['Critical', 'High'] }).priorities).toEqual(['Critical', 'High']);
    expect(alert({ priorities: [3, '2'] }).priorities).toEqual(['Critical', 'High']);
    expect(alert({ priorities: ['critical', 'LOW', 1] }).priorities).toEqual(['Critical', 'Low', 'Medium']);
    expect(alert({ priorities: ['High', 2, 'high'] }).priorities).toEqual(['High']);
    expect(alert({}).priorities).toBeUndefined();
  });

  it.each([
    ['priorities.1', { priorities: ['Critical', 'Urgent'] }, 'Urgent'],
    ['priorities.0', { priorities: [4] }, '4'],
    ['priorities.0', { priorities: [2.5] }, undefined],
    ['priorities', { priorities: [] }, undefined],
    ['priorities', { priorities: 'Critical' }, undefined],
  ])('rejects bad priorities, naming %s', (field, patch, value) => {
    const err = errorOf({ job: 'overdue-alert', ...patch });
    expect(err).toBeInstanceOf(EventError);
    expect(err.message).toContain(`${field}:`);
    expect(err.message).toContain(value ?? field);
  });

  it.each(['repeatHours', 'warnHours'])('takes %s as whole hours from 0 to 8784', (field) => {
    expect(alert({ [field]: 0 })[field as 'repeatHours']).toBe(0);
    expect(alert({ [field]: 4 })[field as 'repeatHours']).toBe(4);
    expect(alert({ [field]: 8784 })[field as 'repeatHours']).toBe(8784);
    expect(alert({})[field as 'repeatHours']).toBeUndefined();
    for (const bad of [-1, 8785, 1.5, '4', null]) {
      const err = errorOf({ job: 'overdue-alert', [field]: bad });
      expect(err).toBeInstanceOf(EventError);
      expect(err.message).toContain(`${field}:`);
    }
  });

  it('takes a PagerDuty secret by name or ARN', () => {
    expect(alert({ pagerdutySecretId: 'aicc/pagerduty-emea' }).pagerdutySecretId).toBe('aicc/pagerduty-emea');
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:aicc/pagerduty-AbCdEf';
    expect(alert({ pagerdutySecretId: arn }).pagerdutySecretId).toBe(arn);
  });

  it.each(['', 'has space', 'x'.repeat(513), 'arn:aws:sns:eu-west-1:123456789012:oncall;drop'])(
    'rejects the PagerDuty secret id %j, naming the field',
    (pagerdutySecretId) => {
      const err = errorOf({ job: 'overdue-alert', pagerdutySecretId });
      expect(err).toBeInstanceOf(EventError);
      expect(err.message).toContain('pagerdutySecretId:');
    },
  );

  it('takes a standard SNS topic ARN, in any partition', () => {
    for (const arn of [
      'arn:aws:sns:eu-west-1:123456789012:oncall',
      'arn:aws-us-gov:sns:us-gov-west-1:123456789012:on_call-2',
    ])
      expect(alert({ topicArn: arn }).topicArn).toBe(arn);
  });

  it.each([
    ['a FIFO topic', 'arn:aws:sns:eu-west-1:123456789012:oncall.fifo'],
    ['an SQS queue', 'arn:aws:sqs:eu-west-1:123456789012:oncall'],
    ['a short account', 'arn:aws:sns:eu-west-1:1234:oncall'],
    ['a topic name alone', 'oncall'],
    ['a subscription ARN', 'arn:aws:sns:eu-west-1:123456789012:oncall:0d5e3c1a-1111-2222-3333-444455556666'],
  ])('rejects %s as topicArn, naming the field', (_name, topicArn) => {
    const err = errorOf({ job: 'overdue-alert', topicArn });
    expect(err).toBeInstanceOf(EventError);
    expect(err.message).toContain('topicArn:');
  });
});

describe('parseEvent: unknown keys per job', () => {
  it.each([
    ['priorities', ['Critical']],
    ['repeatHours', 4],
    ['warnHours', 2],
    ['pagerdutySecretId', 'aicc/pagerduty'],
    ['topicArn', 'arn:aws:sns:eu-west-1:123456789012:oncall'],
    ['intervalMinutes', 15],
  ])('a digest refuses the alert field %s, naming it', (field, value) => {
    const err = errorOf({ job: 'digest', [field]: value });
    expect(err).toBeInstanceOf(EventError);
    expect(err.message).toContain(`${field}: unknown field`);
  });

  it.each([
    ['from', '2026-11-01'],
    ['to', '2026-11-02'],
    ['pagerdutySecretName', 'aicc/pagerduty'],
    ['schedule', 'rate(15 minutes)'],
  ])('an alert refuses %s, naming it', (field, value) => {
    const err = errorOf({ job: 'overdue-alert', [field]: value });
    expect(err).toBeInstanceOf(EventError);
    expect(err.message).toContain(`${field}: unknown field`);
  });

  it('refuses an unknown key inside the alert filters', () => {
    const err = errorOf({ job: 'overdue-alert', filters: { queueId: 'q-emea' } });
    expect(err.message).toContain('filters.queueId: unknown field');
  });
});
