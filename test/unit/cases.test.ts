import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import {
  bucketOf,
  caseRules,
  dueInstant,
  isAlertDue,
  isOpen,
  isOverdue,
} from '../../functions/case-digest/core/cases.js';
import { CaseTally } from '../../functions/case-digest/core/tally.js';

const rules = caseRules('UTC', ['Completed', 'Closed', 'Cancelled', 'Canceled']);
const kase = (patch: Partial<CaseRecord>): CaseRecord => ({
  id: 'c1',
  state: 'Processing',
  closedDate: null,
  dueDate: '2026-11-27 10:00:00',
  isCanced: false,
  ...patch,
});
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('bucketOf', () => {
  it.each([
    [null, 'Unspecified'],
    [undefined, 'Unspecified'],
    ['', 'Unspecified'],
    ['   ', 'Unspecified'],
    [' Critical ', 'Critical'],
    ['webchat', 'webchat'],
    ['__proto__', '__proto__'],
  ])('%j → %s', (v, want) => expect(bucketOf(v)).toBe(want));
});

describe('isOpen', () => {
  it('is open without closedDate, closed state or cancellation', () => {
    expect(isOpen(kase({}), rules)).toBe(true);
  });
  it.each([
    ['a closedDate', { closedDate: '2026-11-27 09:00:00' }],
    ['a closed state in another case', { state: 'COMPLETED' }],
    ['a closed state with spaces', { state: ' cancelled ' }],
    ['isCanced true', { isCanced: true }],
    ['isCanced "true"', { isCanced: 'true' }],
  ])('is closed with %s', (_, patch) => expect(isOpen(kase(patch), rules)).toBe(false));
  it('treats a blank closedDate as open', () => expect(isOpen(kase({ closedDate: ' ' }), rules)).toBe(true));
});

describe('isOverdue', () => {
  const at = new Date('2026-11-27T10:00:00Z');
  it('is overdue exactly at the due date and after', () => {
    expect(isOverdue(kase({}), at, rules)).toBe(true);
    expect(isOverdue(kase({}), new Date(at.getTime() - 1000), rules)).toBe(false);
  });
  it('is never overdue without a (valid) due date, or when closed', () => {
    expect(isOverdue(kase({ dueDate: null }), at, rules)).toBe(false);
    expect(isOverdue(kase({ dueDate: '27/11/2026' }), at, rules)).toBe(false);
    expect(isOverdue(kase({ state: 'Completed' }), at, rules)).toBe(false);
  });
  it('applies the rule to a case due before its creation (bad data is still overdue, not skipped)', () => {
    const c = kase({ createdDate: '2026-11-27 12:00:00', dueDate: '2026-11-27 09:00:00' });
    expect(isOverdue(c, new Date('2026-11-27T12:00:00Z'), rules)).toBe(true);
    const due = dueInstant(c, rules) as Date;
    // Alerted by the run whose interval holds the due date, even though that run predates the creation.
    expect(isAlertDue(due, new Date('2026-11-27T09:30:00Z'), 60 * MIN, 24 * HOUR)).toBe(true);
    expect(isAlertDue(due, new Date('2026-11-27T12:00:00Z'), 60 * MIN, 24 * HOUR)).toBe(false);
  });

  it('reads the due date in AICC_TIMEZONE', () => {
    const dubai = caseRules('Asia/Dubai', ['Completed']);
    // 10:00 in Dubai is 06:00Z: overdue at 06:00Z, not at 05:59:59Z.
    expect(isOverdue(kase({}), new Date('2026-11-27T06:00:00Z'), dubai)).toBe(true);
    expect(isOverdue(kase({}), new Date('2026-11-27T05:59:59Z'), dubai)).toBe(false);
  });
});

describe('isAlertDue', () => {
  const due = new Date('2026-11-27T10:00:00Z');
  const at = (iso: string) => new Date(iso);
  it('alerts when due exactly at asOf, not when due exactly at asOf − interval', () => {
    expect(isAlertDue(due, at('2026-11-27T10:00:00Z'), 60 * MIN, 24 * HOUR)).toBe(true);
    expect(isAlertDue(due, at('2026-11-27T11:00:00Z'), 60 * MIN, 24 * HOUR)).toBe(false);
    expect(isAlertDue(due, at('2026-11-27T10:59:59Z'), 60 * MIN, 24 * HOUR)).toBe(true);
    expect(isAlertDue(due, at('2026-11-27T09:59:59Z'), 60 * MIN, 24 * HOUR)).toBe(false);
  });
  it('reminds every repeat period, and only once when the repeat is 0', () => {
    expect(isAlertDue(due, at('2026-11-28T10:30:00Z'), 60 * MIN, 24 * HOUR)).toBe(true);
    expect(isAlertDue(due, at('2026-11-29T10:00:00Z'), 60 * MIN, 24 * HOUR)).toBe(true);
    expect(isAlertDue(due, at('2026-11-28T12:00:00Z'), 60 * MIN, 24 * HOUR)).toBe(false);
    expect(isAlertDue(due, at('2026-11-28T10:30:00Z'), 60 * MIN, 0)).toBe(false);
    expect(isAlertDue(due, at('2026-11-27T10:30:00Z'), 60 * MIN, 0)).toBe(true);
  });
  it('handles a DST change inside the interval in a non-UTC AICC zone', () => {
    // New York falls back at 02:00 EDT → 01:00 EST on 2026-11-01; 01:30 happens twice.
    const ny = caseRules('America/New_York', ['Completed']);
    const c = kase({ dueDate: '2026-11-01 02:30:00' }); // unambiguous: 07:30Z
    const d = dueInstant(c, ny) as Date;
    expect(d.toISOString()).toBe('2026-11-01T07:30:00.000Z');
    // Hourly runs at 06:00Z, 07:00Z, 08:00Z (02:00 EDT, 02:00 EST, 03:00 EST): alerted only by 08:00Z.
    const runs = ['2026-11-01T06:00:00Z', '2026-11-01T07:00:00Z', '2026-11-01T08:00:00Z'].map(at);
    expect(runs.map((r) => isAlertDue(d, r, 60 * MIN, 0))).toEqual([false, false, true]);
  });

  it('property: consecutive runs alert each case exactly once per repeat period after it falls due', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 180 }), // interval minutes
        fc.integer({ min: 0, max: 48 }), // repeat hours (0 = once)
        fc.integer({ min: 0, max: 3 * 24 * 60 * 60 }), // due offset (s) within 3 days of the first run
        fc.integer({ min: 0, max: 10_000 }), // first run offset (minutes) from an epoch
        (intervalMin, repeatH, dueOffsetS, startMin) => {
          const interval = intervalMin * MIN;
          const repeat = repeatH * HOUR;
          // A repeat shorter than the interval collapses into one alert per run: not what this counts.
          fc.pre(repeat === 0 || repeat >= interval);
          const first = Date.UTC(2026, 0, 1) + startMin * MIN;
          const dueAt = new Date(first + dueOffsetS * 1000);
          const end = first + 4 * 24 * HOUR; // runs cover (first − interval, end]
          let alerts = 0;
          for (let t = first; t <= end; t += interval)
            if (isAlertDue(dueAt, new Date(t), interval, repeat)) alerts += 1;
          // Expected: every due + k·repeat in (first − interval, lastRun], once each (k = 0 only if repeat is 0).
          const lastRun = first + Math.floor((end - first) / interval) * interval;
          const reminders = repeat === 0 ? 1 : Infinity;
          let expected = 0;
          for (let k = 0; k < reminders && dueAt.getTime() + k * repeat <= lastRun; k++) expected += 1;
          expect(alerts).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('CaseTally', () => {
  it('counts by trimmed display values with Unspecified for blanks, as the vendor example shows', async () => {
    const { readFile } = await import('node:fs/promises');
    const body = JSON.parse(
      await readFile(new URL('../fixtures/vendor-example-response.json', import.meta.url), 'utf8'),
    );
    const tally = new CaseTally();
    for (const c of body.result[0].caseList) tally.add(c);
    expect(tally.total).toBe(2);
    expect(tally.byPriority).toEqual({ Critical: 1, Unspecified: 1 });
    expect(tally.byOrigin).toEqual({ Email: 1, Voice: 1 });
    expect(tally.byState).toEqual({ Processing: 2 });
  });
  it('keeps hostile keys as plain data', () => {
    const tally = new CaseTally();
    tally.add({ id: 'x', priority: '__proto__', origin: 'constructor', state: ' Pending ' });
    expect(tally.byPriority).toEqual({ ['__proto__']: 1 });
    expect(Object.keys(tally.byPriority)).toEqual(['__proto__']);
    expect(tally.byState).toEqual({ Pending: 1 });
  });
});
