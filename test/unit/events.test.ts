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
    ['filters', { job: 'overdue-alert', filters: {} }],
    ['intervalMinutes', { job: 'digest', intervalMinutes: 60 }],
  ])('rejects a bad %s, naming it', (field, event) => {
    const err = errorOf(event);
    expect(err).toBeInstanceOf(EventError);
    expect(err.message).toContain(field);
  });

  it('accepts exactly 366 days and a leap day', () => {
    expect(() => parseEvent({ job: 'digest', from: '2028-01-01', to: '2028-12-31' }, clock)).not.toThrow();
    expect(() => parseEvent({ job: 'digest', from: '2028-02-29', to: '2028-02-29' }, clock)).not.toThrow();
  });
});
