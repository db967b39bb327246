/**
 * The pure core added this round: the pre-breach warning and resolve rules, due-date attainment,
 * date quality, overdue by age and owner, and the order of the case tables. Case dates are AICC
 * wall-clock times in America/New_York; instants are written in UTC.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import { AttainmentTally, attainmentRatio } from '../../functions/case-digest/core/attainment.js';
import {
  caseRules,
  isAlertDue,
  isResolvedInInterval,
  isWarnDue,
} from '../../functions/case-digest/core/cases.js';
import { DateQuality } from '../../functions/case-digest/core/date-quality.js';
import { overdueByAge, overdueByOwner } from '../../functions/case-digest/core/overdue-summary.js';
import {
  byPriorityThenDue,
  soonestDueFirst,
  toOverdueView,
} from '../../functions/case-digest/core/overdue-view.js';
import type { OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { overdueCase } from '../helpers/views.js';
import { wallClock } from '../helpers/zones.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const AICC = 'America/New_York';
const rules = caseRules(AICC, ['Completed', 'Closed', 'Cancelled', 'Canceled']);
const at = (iso: string) => new Date(iso);

/** Oracle: the AICC wall-clock text of an instant (New York), by Intl. */
const aiccText = (instant: number): string => wallClock(AICC, instant);

describe('isWarnDue', () => {
  const due = at('2026-11-27T12:00:00Z');
  const interval = 60 * MINUTE;
  const warn = 2 * HOUR; // warning time 10:00Z

  it('warns when due − W is exactly asOf (the end of the interval)', () => {
    expect(isWarnDue(due, at('2026-11-27T10:00:00Z'), interval, warn)).toBe(true);
  });

  it('does not warn when due − W is exactly asOf − interval (the start, excluded)', () => {
    expect(isWarnDue(due, at('2026-11-27T11:00:00Z'), interval, warn)).toBe(false);
    expect(isWarnDue(due, at('2026-11-27T10:59:59Z'), interval, warn)).toBe(true);
  });

  it('does not warn before the warning time', () => {
    expect(isWarnDue(due, at('2026-11-27T09:59:59Z'), interval, warn)).toBe(false);
  });

  it('is off with W = 0', () => {
    for (const asOf of ['2026-11-27T11:59:59Z', '2026-11-27T12:00:00Z', '2026-11-27T10:00:00Z'])
      expect(isWarnDue(due, at(asOf), interval, 0)).toBe(false);
  });

  it('never warns a case already due at asOf (it is overdue: the alert rule takes it)', () => {
    // W shorter than the interval: due − W and due both fall in (asOf − interval, asOf].
    expect(isWarnDue(due, at('2026-11-27T12:00:00Z'), 3 * HOUR, HOUR)).toBe(false);
    expect(isWarnDue(due, at('2026-11-27T12:30:00Z'), 3 * HOUR, HOUR)).toBe(false);
    expect(isWarnDue(due, at('2026-11-27T11:59:59Z'), 3 * HOUR, HOUR)).toBe(true);
  });

  it('looks at the due date only: a due date before the case was created does not matter', () => {
    // Created at 11:30Z with a due date of 12:00Z and W = 2 h: the warning time (10:00Z) predates it.
    const created = at('2026-11-27T11:30:00Z');
    expect(created.getTime()).toBeGreaterThan(due.getTime() - warn);
    expect(isWarnDue(due, at('2026-11-27T10:00:00Z'), interval, warn)).toBe(true);
    expect(isWarnDue(due, at('2026-11-27T11:30:00Z'), interval, warn)).toBe(false);
  });

  it('property: consecutive runs warn each case exactly once, or alert it instead when warning and due time share a run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 180 }), // interval, minutes
        fc.integer({ min: 1, max: 72 * 60 }), // warning lead, minutes
        fc.integer({ min: 0, max: 40 * 24 * 3600 }), // warning time, seconds after the first run's interval starts
        (intervalMin, warnMin, warnOffsetS) => {
          const intervalMs = intervalMin * MINUTE;
          const warnMs = warnMin * MINUTE;
          const t0 = Date.UTC(2026, 10, 1);
          // Runs every interval from t0: together they cover (t0 − interval, last].
          const warnAt = t0 - intervalMs + SECOND + warnOffsetS * SECOND;
          const dueMs = warnAt + warnMs;
          const runs: number[] = [];
          for (let t = t0; t < dueMs + intervalMs; t += intervalMs) runs.push(t);
          const warned = runs.filter((t) =>
            isWarnDue(new Date(dueMs), new Date(t), intervalMs, warnMs),
          ).length;
          const alertedAtDue = runs.filter((t) =>
            isAlertDue(new Date(dueMs), new Date(t), intervalMs, 0),
          ).length;
          const sameRun = runs.some((t) => warnAt > t - intervalMs && warnAt <= t && dueMs <= t);
          expect({ warned, alertedAtDue }).toEqual({ warned: sameRun ? 0 : 1, alertedAtDue: 1 });
          // A lead of at least the interval always leaves a run between warning and due time.
          expect(warnMs < intervalMs || warned === 1).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('isResolvedInInterval', () => {
  const asOf = at('2026-11-27T12:00:00Z');
  const interval = 15 * MINUTE;
  const due = at('2026-11-27T11:00:00Z');
  const resolved = (closedIso: string, warnMs = 0, dueAt = due) =>
    isResolvedInInterval(dueAt, at(closedIso), asOf, interval, warnMs);

  it('takes a case closed in (asOf − interval, asOf] after it fell due', () => {
    expect(resolved('2026-11-27T12:00:00Z')).toBe(true);
    expect(resolved('2026-11-27T11:45:01Z')).toBe(true);
  });

  it('leaves out a case closed at asOf − interval, or after asOf', () => {
    expect(resolved('2026-11-27T11:45:00Z')).toBe(false);
    expect(resolved('2026-11-27T12:00:01Z')).toBe(false);
  });

  it('without a warning lead, needs it closed after its due date (never overdue while open otherwise)', () => {
    const dueAt = at('2026-11-27T11:50:00Z');
    expect(resolved('2026-11-27T11:50:00Z', 0, dueAt)).toBe(false);
    expect(resolved('2026-11-27T11:50:01Z', 0, dueAt)).toBe(true);
    expect(resolved('2026-11-27T11:49:59Z', 0, dueAt)).toBe(false);
  });

  it('with a warning lead W, needs it closed after due − W (it was warned while open)', () => {
    const dueAt = at('2026-11-27T13:00:00Z'); // due − 2 h = 11:00Z
    expect(resolved('2026-11-27T11:50:00Z', 2 * HOUR, dueAt)).toBe(true);
    expect(resolved('2026-11-27T11:50:00Z', 0, dueAt)).toBe(false);
    const edge = at('2026-11-27T13:50:00Z'); // due − 2 h = 11:50Z
    expect(resolved('2026-11-27T11:50:00Z', 2 * HOUR, edge)).toBe(false);
    expect(resolved('2026-11-27T11:50:01Z', 2 * HOUR, edge)).toBe(true);
  });
});

// --- Due-date attainment ----------------------------------------------------------------------

type Kind = 'met' | 'missed' | 'pending' | 'unknown' | 'left out';

/** The SPEC §6 rule, written out: the category of a case at `asOf`, from instants the test chose. */
function oracle(
  c: {
    due: number | 'malformed' | null;
    closed: number | 'malformed' | 'blank' | null;
    closedState: boolean;
    cancelled: boolean;
  },
  asOf: number,
): Kind {
  if (c.cancelled) return 'left out';
  if (typeof c.due !== 'number') return 'left out';
  if (typeof c.closed === 'number') return c.closed <= c.due ? 'met' : 'missed';
  const open = (c.closed === null || c.closed === 'blank') && !c.closedState;
  if (open) return c.due <= asOf ? 'missed' : 'pending';
  return 'unknown';
}

const textOf = (v: number | 'malformed' | 'blank' | null): string | null =>
  v === null ? null : v === 'blank' ? '  ' : v === 'malformed' ? '2026-02-30 10:00:00' : aiccText(v);

describe('AttainmentTally', () => {
  // No DST change in New York within 40 days of this asOf: every wall-clock text names one instant.
  const asOf = Date.UTC(2026, 11, 15, 12);
  const tallyOf = (...cases: CaseRecord[]) => {
    const tally = new AttainmentTally(new Date(asOf), rules);
    for (const c of cases) tally.add(c);
    return tally.counts;
  };
  const kase = (patch: Partial<CaseRecord>): CaseRecord => ({
    id: 'c1',
    state: 'Processing',
    dueDate: aiccText(asOf),
    closedDate: null,
    isCanced: false,
    ...patch,
  });
  const none = { met: 0, missed: 0, pending: 0, unknown: 0 };

  it.each([
    ['closed exactly at its due date: met', { closedDate: aiccText(asOf), state: 'Completed' }, 'met'],
    [
      'closed 1 s after its due date: missed',
      { closedDate: aiccText(asOf + SECOND), state: 'Completed' },
      'missed',
    ],
    [
      'closed (with an open state) after its due date: missed',
      { closedDate: aiccText(asOf + HOUR) },
      'missed',
    ],
    ['open, due exactly at asOf: missed', {}, 'missed'],
    ['open, due 1 s after asOf: pending', { dueDate: aiccText(asOf + SECOND) }, 'pending'],
    ['in a closed state with no closedDate: unknown', { state: 'Completed' }, 'unknown'],
    ['with a malformed closedDate: unknown', { closedDate: '2026-12-15 7:00' }, 'unknown'],
  ] as const)('counts a case %s', (_name, patch, kind) => {
    expect(tallyOf(kase(patch))).toEqual({ ...none, [kind]: 1 });
  });

  it.each([
    ['cancelled', { isCanced: true, closedDate: aiccText(asOf) }],
    ['cancelled (as text)', { isCanced: 'true' }],
    ['without a due date', { dueDate: null }],
    ['with a blank due date', { dueDate: ' ' }],
    ['with a malformed due date', { dueDate: '2026-12-15' }],
    ['with an impossible due date', { dueDate: '2026-02-30 10:00:00' }],
  ])('leaves out a case %s', (_name, patch) => {
    expect(tallyOf(kase(patch))).toEqual(none);
  });

  it('reads due and closed dates in AICC_TIMEZONE', () => {
    // 07:00 in New York is 12:00Z: closed at 06:59:59 local is before a 12:00Z due date.
    expect(tallyOf(kase({ dueDate: '2026-12-15 07:00:00', closedDate: '2026-12-15 06:59:59' }))).toEqual({
      ...none,
      met: 1,
    });
  });

  it('property: agrees with the SPEC rule written out, case by case', () => {
    const offset = fc.integer({ min: -20 * 86_400, max: 20 * 86_400 }).map((s) => asOf + s * SECOND);
    const c = fc.record({
      due: fc.oneof(offset, fc.constant(asOf), fc.constantFrom<'malformed' | null>('malformed', null)),
      closed: fc.oneof(offset, fc.constantFrom<'malformed' | 'blank' | null>('malformed', 'blank', null)),
      closedState: fc.boolean(),
      cancelled: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(c, { maxLength: 30 }), (cases) => {
        const expected = { met: 0, missed: 0, pending: 0, unknown: 0 };
        for (const x of cases) {
          const kind = oracle(x, asOf);
          if (kind !== 'left out') expected[kind]++;
        }
        const counts = tallyOf(
          ...cases.map((x, i) => ({
            id: `c${i}`,
            state: x.closedState ? 'Closed' : 'Pending',
            dueDate: textOf(x.due),
            closedDate: textOf(x.closed),
            isCanced: x.cancelled,
          })),
        );
        expect(counts).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('shows attainment as met / (met + missed), null when nothing was decided', () => {
    expect(attainmentRatio({ met: 3, missed: 1, pending: 9, unknown: 9 })).toBe(0.75);
    expect(attainmentRatio({ met: 0, missed: 0, pending: 5, unknown: 2 })).toBeNull();
    expect(attainmentRatio({ met: 0, missed: 4, pending: 0, unknown: 0 })).toBe(0);
  });
});

// --- Date quality -----------------------------------------------------------------------------

describe('DateQuality', () => {
  /** The counts its warnings state: `N case(s) ha(s|ve) a dueDate …`, and the same for closedDate. */
  const counts = (q: DateQuality) => {
    const text = q.warnings().join('\n');
    const n = (field: string) =>
      Number(new RegExp(`(\\d+) cases? ha(?:s|ve) a ${field}`).exec(text)?.[1] ?? 0);
    return { due: n('dueDate'), closed: n('closedDate'), warnings: q.warnings().length };
  };

  it('says nothing when every date is valid, blank or null', () => {
    const q = new DateQuality();
    for (const v of ['2026-11-27 10:00:00', '', '   ', null, undefined])
      q.note({ id: 'x', dueDate: v, closedDate: v } as CaseRecord);
    expect(q.warnings()).toEqual([]);
  });

  it.each([
    '2026-02-30 10:00:00',
    '2026-11-27',
    '2026-11-27T10:00:00',
    '27/11/2026 10:00:00',
    '2026-11-27 24:00:00',
    '2026-11-27 10:00',
  ])('counts %j as malformed, in dueDate and in closedDate', (value) => {
    const q = new DateQuality();
    q.note({ id: 'a', dueDate: value });
    q.note({ id: 'b', closedDate: value });
    expect(counts(q)).toEqual({ due: 1, closed: 1, warnings: 2 });
  });

  it('counts a case once however many scans return it, and each case without an id', () => {
    const q = new DateQuality();
    for (let scan = 0; scan < 3; scan++) {
      q.note({ id: 'c1', dueDate: 'tomorrow' });
      q.note({ id: 'c2', dueDate: 'tomorrow', closedDate: 'yesterday' });
    }
    q.note({ id: null, dueDate: 'soon' });
    q.note({ dueDate: 'soon' });
    expect(counts(q)).toEqual({ due: 4, closed: 1, warnings: 2 });
    expect(q.warnings()[0]).toMatch(/^4 cases have a dueDate/);
    expect(q.warnings()[1]).toMatch(/^1 case has a closedDate/);
  });
});

// --- Overdue by age and by owner --------------------------------------------------------------

describe('overdueByAge', () => {
  const byAge = (...hours: number[]) => overdueByAge(hours.map((h) => ({ overdueMs: h * HOUR })));

  it.each([
    [0, '<1d'],
    [24 - 1 / 3600, '<1d'],
    [24, '1-3d'],
    [72 - 1 / 3600, '1-3d'],
    [72, '3-7d'],
    [168 - 1 / 3600, '3-7d'],
    [168, '>7d'],
    [10_000, '>7d'],
  ])('puts a case overdue %d h in %s', (hours, bucket) => {
    expect(byAge(hours)).toEqual({ '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0, [bucket]: 1 });
  });

  it('counts every case in exactly one bucket, and keeps empty buckets', () => {
    const age = byAge(1, 2, 30, 100, 200, 300);
    expect(age).toEqual({ '<1d': 2, '1-3d': 1, '3-7d': 1, '>7d': 2 });
    expect(overdueByAge([])).toEqual({ '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 });
  });
});

describe('overdueByOwner', () => {
  const owners = (...ids: (string | null)[]) =>
    overdueByOwner(ids.map((ownerId) => ({ ownerId: ownerId as string })));

  it('counts by trimmed owner, blank and null as "Unspecified"', () => {
    expect(owners(' alice ', 'alice', '', '   ', null, 'bob')).toEqual({ alice: 2, Unspecified: 3, bob: 1 });
  });

  it('sorts most cases first, then by name', () => {
    const result = owners('carol', 'bob', 'bob', 'alice', 'dave', 'dave', 'zed', 'zed', 'zed');
    expect(Object.entries(result)).toEqual([
      ['zed', 3],
      ['bob', 2],
      ['dave', 2],
      ['alice', 1],
      ['carol', 1],
    ]);
  });

  it('keeps an owner called "__proto__" as plain data', () => {
    const result = owners('__proto__', '__proto__');
    expect(Object.entries(result)).toEqual([['__proto__', 2]]);
  });
});

// --- The order of the tables ------------------------------------------------------------------

/** Oracle: the SPEC §8 order of priorities. */
const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const rankOf = (p: string) => RANK[p.toLowerCase()] ?? (p === 'Unspecified' ? 5 : 4);

describe('byPriorityThenDue', () => {
  it('puts Critical first, then High, Medium, Low, unknown ones, Unspecified; oldest due first within each', () => {
    const asOf = new Date('2026-11-27T12:00:00Z');
    const c = (id: string, priority: string, overdueH: number) =>
      overdueCase(
        0,
        {
          id,
          caseNo: id,
          priority,
          overdueMs: overdueH * HOUR,
          dueAt: new Date(asOf.getTime() - overdueH * HOUR),
        },
        asOf,
      );
    const cases = [
      c('low-old', 'Low', 500),
      c('unspecified', 'Unspecified', 900),
      c('high-new', 'High', 1),
      c('crit-new', 'Critical', 1),
      c('urgent', 'Urgent', 800),
      c('crit-old', 'Critical', 40),
      c('high-old', 'High', 300),
      c('medium', 'Medium', 2),
    ];
    expect([...cases].sort(byPriorityThenDue).map((x) => x.id)).toEqual([
      'crit-old',
      'crit-new',
      'high-old',
      'high-new',
      'medium',
      'low-old',
      'urgent',
      'unspecified',
    ]);
  });

  it('property: any list sorts by priority rank, then by due date', () => {
    const view = fc
      .record({
        priority: fc.constantFrom('Critical', 'High', 'Medium', 'Low', 'Urgent', 'Unspecified'),
        dueS: fc.integer({ min: 0, max: 30 * 86_400 }),
      })
      .map(({ priority, dueS }) =>
        overdueCase(0, { priority, dueAt: new Date(Date.UTC(2026, 10, 1) + dueS * SECOND) }),
      );
    fc.assert(
      fc.property(fc.array(view, { maxLength: 40 }), (cases) => {
        const sorted = [...cases].sort(byPriorityThenDue);
        // The oracle's order, by rank then due date: the comparator must agree with it.
        const expected = [...cases].sort(
          (a, b) => rankOf(a.priority) - rankOf(b.priority) || a.dueAt.getTime() - b.dueAt.getTime(),
        );
        const key = (x: OverdueCaseView) => `${rankOf(x.priority)}|${x.dueAt.getTime()}`;
        expect(sorted.map(key)).toEqual(expected.map(key));
      }),
      { numRuns: 300 },
    );
  });
});

describe('soonestDueFirst', () => {
  it('orders by due date, then priority', () => {
    const asOf = new Date('2026-11-27T12:00:00Z');
    const c = (id: string, priority: string, inH: number): OverdueCaseView =>
      overdueCase(0, { id, priority, overdueMs: 0, dueAt: new Date(asOf.getTime() + inH * HOUR) }, asOf);
    const cases = [
      c('later', 'Critical', 5),
      c('soon-low', 'Low', 1),
      c('soon-crit', 'Critical', 1),
      c('mid', 'High', 3),
    ];
    expect([...cases].sort(soonestDueFirst).map((x) => x.id)).toEqual([
      'soon-crit',
      'soon-low',
      'mid',
      'later',
    ]);
  });
});

describe('toOverdueView', () => {
  it('reads the due date in AICC time, measures how long overdue, masks the phone and links the case', () => {
    const asOf = new Date('2026-11-27T12:00:00Z');
    const v = toOverdueView(
      {
        id: 'c/1',
        caseNo: '000123',
        title: 'Router down',
        priority: ' Critical ',
        origin: null,
        state: 'Processing',
        ownerId: 'agent7',
        contactPhone: '+1 212 555 0147',
        dueDate: '2026-11-27 05:00:00', // 10:00Z in New York (EST)
        createdDate: '2026-11-26 05:00:00',
      },
      asOf,
      rules,
      'https://aicc.example.com/case?id={id}&no={caseNo}',
    );
    expect(v).toMatchObject({
      id: 'c/1',
      caseNo: '000123',
      priority: 'Critical',
      origin: 'Unspecified',
      contactPhone: '•••• 0147',
      dueAt: new Date('2026-11-27T10:00:00Z'),
      createdAt: new Date('2026-11-26T10:00:00Z'),
      overdueMs: 2 * HOUR,
      url: 'https://aicc.example.com/case?id=c%2F1&no=000123',
    });
  });

  it('says 0 overdue for a case not yet due', () => {
    const v = toOverdueView(
      { id: 'x', dueDate: '2026-11-27 09:00:00' },
      new Date('2026-11-27T12:00:00Z'),
      rules,
      undefined,
    );
    expect(v.overdueMs).toBe(0);
    expect(v.url).toBeNull();
  });
});
