import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AICC_DATETIME,
  type CaseRecord,
  caseRecordSchema,
} from '../../functions/case-digest/aicc/schemas.js';
import { formatLocal, parseLocal } from '../../functions/case-digest/time/zoned.js';
import {
  CaseStore,
  compareNewestFirst,
  generateCases,
  localFormatter,
  pageOf,
  QUEUES,
} from '../../sandbox/data.js';
import { DEMO_DATA } from '../../sandbox/local-env.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const OPTIONS = {
  seed: 11,
  casesPerDay: 200,
  days: 60,
  endDate: '2026-11-26',
  timezone: 'Asia/Dubai',
  now: () => NOW,
};
const cases = generateCases(OPTIONS);
// The vendor's field table (SPEC §3).
const DOCUMENTED = [
  'id',
  'caseNo',
  'title',
  'type',
  'typeName',
  'extternalNo',
  'status',
  'state',
  'isUpgraded',
  'priority',
  'origin',
  'reason',
  'stayDate',
  'suspendDate',
  'suspendAccumulatedTime',
  'contactId',
  'ownerType',
  'ownerId',
  'parentId',
  'contactPhone',
  'dueDate',
  'closedDate',
  'creatorId',
  'createdDate',
];
const SLA: Record<string, number> = { Critical: 4, High: 24, Medium: 72, Low: 7 * 24, Unspecified: 5 * 24 };
const share = (keep: (c: CaseRecord) => boolean) => cases.filter(keep).length / cases.length;

describe('generateCases', () => {
  it('is deterministic: same options, same cases; another seed, other cases', () => {
    expect(generateCases(OPTIONS)).toEqual(cases);
    expect(generateCases({ ...OPTIONS, seed: 12 })[0]).not.toEqual(cases[0]);
  });

  it('makes casesPerDay cases on each local day, newest first, ties by id', () => {
    expect(cases).toHaveLength(200 * 60);
    const perDay = new Map<string, number>();
    for (const c of cases)
      perDay.set(c.createdDate?.slice(0, 10) ?? '', (perDay.get(c.createdDate?.slice(0, 10) ?? '') ?? 0) + 1);
    expect(perDay.size).toBe(60);
    expect(new Set(perDay.values())).toEqual(new Set([200]));
    expect([...perDay.keys()][0]).toBe('2026-11-26');
    expect([...cases].sort(compareNewestFirst)).toEqual(cases);
    const ties = cases.filter((c, i) => c.createdDate === cases[i + 1]?.createdDate);
    expect(ties.length).toBeGreaterThan(0);
    expect(
      cases.every(
        (c, i) =>
          c.createdDate !== cases[i + 1]?.createdDate ||
          String(c.id) < String((cases[i + 1] as CaseRecord).id),
      ),
    ).toBe(true);
  });

  it('writes every documented field, in the vendor formats', () => {
    const wellFormed = (c: CaseRecord) =>
      DOCUMENTED.every((key) => key in c) &&
      caseRecordSchema.safeParse(c).success &&
      /^c6m8[0-9A-Za-z]{16}$/.test(String(c.id)) &&
      /^\d{30}$/.test(c.caseNo ?? '') &&
      AICC_DATETIME.test(c.createdDate ?? '') &&
      [c.ownerId, c.creatorId, c.contactId, c.type].every((id) => id?.length === 20) &&
      (c.contactPhone === null || (c.contactPhone?.length ?? 99) <= 20) &&
      c.status === 'y' &&
      c['type.__objectType'] === 'AICC__CaseType__CST' &&
      typeof c.isCanced === 'boolean' &&
      typeof c.isSuspend === 'boolean';
    expect(cases.filter((c) => !wellFormed(c))).toEqual([]);
    expect(new Set(cases.map((c) => String(c.id))).size).toBe(cases.length);
    expect(new Set(cases.map((c) => c.caseNo)).size).toBe(cases.length);
  });

  it('mixes priorities, origins and states like a contact centre', () => {
    const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(0.02);
    near(
      share((c) => c.priority === 'Critical'),
      0.05,
    );
    near(
      share((c) => c.priority === 'High'),
      0.2,
    );
    near(
      share((c) => c.priority === 'Medium'),
      0.45,
    );
    near(
      share((c) => c.priority === 'Low'),
      0.25,
    );
    near(
      share((c) => c.priority === ''),
      0.045,
    );
    expect(share((c) => c.priority === null)).toBeGreaterThan(0);
    expect(share((c) => c.origin === null)).toBeGreaterThan(0);
    for (const origin of ['Email', 'Voice', 'webchat', 'Whatsapp'])
      expect(share((c) => c.origin === origin)).toBeGreaterThan(0.1);
    // Most cases are resolved once past their SLA; a few stay open and overdue.
    expect(share((c) => c.state === 'Completed')).toBeGreaterThan(0.35);
    const now = formatLocal(NOW, 'Asia/Dubai');
    const pastDue = cases.filter((c) => c.dueDate !== null && (c.dueDate as string) < now);
    const stillOpen =
      pastDue.filter((c) => c.state === 'Processing' || c.state === 'Pending').length / pastDue.length;
    expect(stillOpen).toBeGreaterThan(0.01);
    expect(stillOpen).toBeLessThan(0.1);
    expect(share((c) => c.state === 'Closed')).toBeGreaterThan(0.005);
    expect(cases.every((c) => (c.isCanced === true) === (c.state === 'Closed'))).toBe(true);
    expect(share((c) => c.isSuspend === true)).toBeGreaterThan(0.002);
  });

  it('sets dueDate = createdDate + SLA of the priority, a few null', () => {
    for (const c of cases) {
      if (c.dueDate === null) continue;
      const hours = SLA[c.priority || 'Unspecified'] as number;
      const created = parseLocal(c.createdDate as string, 'Asia/Dubai') as Date;
      expect(formatLocal(created.getTime() + hours * 3_600_000, 'Asia/Dubai')).toBe(c.dueDate);
    }
    expect(share((c) => c.dueDate === null)).toBeGreaterThan(0);
    expect(share((c) => c.dueDate === null)).toBeLessThan(0.03);
  });

  it('closes Completed and cancelled cases after creation and before now; some open ones are past due', () => {
    const now = formatLocal(NOW, 'Asia/Dubai');
    for (const c of cases) {
      const closed = c.state === 'Completed' || c.state === 'Closed';
      expect(c.closedDate === null).toBe(!closed);
      if (closed)
        expect((c.closedDate as string) > (c.createdDate as string) && (c.closedDate as string) <= now).toBe(
          true,
        );
    }
    const open = cases.filter((c) => c.closedDate === null && c.dueDate !== null);
    expect(open.some((c) => (c.dueDate as string) <= now)).toBe(true);
    expect(open.some((c) => (c.dueDate as string) > now)).toBe(true);
  });

  it('creates nothing after now, and by default ends today in the zone', () => {
    const today = generateCases({ ...OPTIONS, endDate: undefined, days: 2 });
    const now = formatLocal(NOW, 'Asia/Dubai'); // 2026-11-27 14:00:00
    expect(today[0]?.createdDate?.startsWith('2026-11-27')).toBe(true);
    expect(today.every((c) => (c.createdDate as string) <= now)).toBe(true);
    expect(today.filter((c) => c.createdDate?.startsWith('2026-11-27')).length).toBeLessThan(200);
    // A later clock adds the rest of today and leaves the cases already made as they were created.
    const later = generateCases({
      ...OPTIONS,
      endDate: '2026-11-27',
      days: 2,
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    const made = (list: CaseRecord[]) =>
      list
        .filter((c) => (c.createdDate as string) <= now)
        .map((c) => [c.id, c.createdDate, c.priority, c.title]);
    expect(later).toHaveLength(400);
    expect(made(later)).toEqual(made(today));
  });

  it('spreads cases over a 25-hour DST day in its zone', () => {
    const ny = generateCases({
      ...OPTIONS,
      timezone: 'America/New_York',
      endDate: '2026-11-01',
      days: 1,
      casesPerDay: 2000,
    });
    expect(ny).toHaveLength(2000);
    expect(ny.every((c) => c.createdDate?.startsWith('2026-11-01'))).toBe(true);
    // 01:00–01:59 happens twice that day: about 2/25 of the cases.
    const repeatedHour = ny.filter((c) => c.createdDate?.startsWith('2026-11-01 01:')).length;
    expect(repeatedHour).toBeGreaterThan(2000 * (1.5 / 25));
  });

  it('formats local time like formatLocal, across DST changes and odd zones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }),
        fc.constantFrom(
          'UTC',
          'America/New_York',
          'Europe/London',
          'Asia/Kolkata',
          'Australia/Lord_Howe',
          'Asia/Kathmandu',
        ),
        (seconds, zone) => {
          expect(localFormatter(zone)(seconds * 1000)).toBe(formatLocal(seconds * 1000, zone));
        },
      ),
    );
  });
});

describe('CaseStore', () => {
  const store = new CaseStore(cases);
  const days = [...new Set(cases.map((c) => c.createdDate?.slice(0, 10) as string))];
  const time = fc
    .tuple(fc.constantFrom(...days), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([d, h, m]) => `${d} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`);

  it('selects exactly what a linear scan over the window and filters finds, in order', () => {
    fc.assert(
      fc.property(
        fc.option(time, { nil: undefined }),
        fc.option(time, { nil: undefined }),
        fc.option(fc.constantFrom('Critical', 'High', ''), { nil: undefined }),
        fc.nat(300),
        (startTime, endTime, priority, start) => {
          const filters = priority === undefined ? [] : [{ field: 'priority', value: priority }];
          const selection = store.select({ startTime, endTime, filters });
          const expected = cases.filter(
            (c) =>
              (startTime === undefined || (c.createdDate as string) >= startTime) &&
              (endTime === undefined || (c.createdDate as string) <= endTime) &&
              (priority === undefined || c.priority === priority),
          );
          expect(selection.count).toBe(expected.length);
          expect(pageOf(selection, start, 50)).toEqual(expected.slice(start, start + 50));
        },
      ),
    );
  });

  it('memoizes a query: paging it again does not filter again', () => {
    const query = {
      startTime: '2026-11-01 00:00:00',
      endTime: '2026-11-20 00:00:00',
      filters: [{ field: 'origin', value: 'Voice' }],
    };
    expect(store.select({ ...query })).toBe(store.select({ ...query }));
  });

  it('insertNewest puts copies ahead of every case of the same createdDate and forgets memoized answers', () => {
    const local = new CaseStore(cases.slice(0, 50));
    const query = { filters: [] };
    const before = local.select(query);
    const template = local.cases[10] as CaseRecord;
    const fresh = local.insertNewest(template, 2, '2026-11-27 00:00:00');
    expect(local.cases.indexOf(fresh[0] as CaseRecord)).toBe(
      local.cases.findIndex((c) => c.createdDate === template.createdDate),
    );
    expect(fresh.map((c) => c.priority)).toEqual([template.priority, template.priority]);
    expect(local.select(query)).not.toBe(before);
    expect(local.select(query).count).toBe(52);
  });
});

describe('dailyVariation', () => {
  const base = {
    seed: 3,
    casesPerDay: 300,
    days: 10,
    endDate: '2026-11-26',
    timezone: 'UTC',
    now: () => new Date('2026-11-27T00:00:00Z'),
  };
  const perDay = (cases: CaseRecord[]) => {
    const counts = new Map<string, number>();
    for (const c of cases)
      counts.set(
        String(c.createdDate).slice(0, 10),
        (counts.get(String(c.createdDate).slice(0, 10)) ?? 0) + 1,
      );
    return [...counts.values()];
  };

  it('swings each day within ± the variation, deterministically, and not at all by default', () => {
    const varied = perDay(generateCases({ ...base, dailyVariation: 0.2 }));
    expect(varied).toHaveLength(10);
    expect(new Set(varied).size).toBeGreaterThan(5);
    for (const n of varied) expect(Math.abs(n - 300)).toBeLessThanOrEqual(60);
    expect(perDay(generateCases({ ...base, dailyVariation: 0.2 }))).toEqual(varied);
    expect(new Set(perDay(generateCases(base)))).toEqual(new Set([300]));
  });
});

describe('teams (queueId)', () => {
  it('puts each case in one of three queues, ~2 % in none', () => {
    const counts = new Map<unknown, number>();
    for (const c of cases) counts.set(c.queueId, (counts.get(c.queueId) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...QUEUES, null].sort());
    expect(QUEUES).toEqual(['q-emea', 'q-apac', 'q-amer']);
    for (const queue of QUEUES) expect(share((c) => c.queueId === queue)).toBeGreaterThan(0.3);
    expect(share((c) => c.queueId === null)).toBeGreaterThan(0.01);
    expect(share((c) => c.queueId === null)).toBeLessThan(0.03);
  });

  it('is a team: each owner works in exactly one queue, eight owners a queue', () => {
    const queuesOf = new Map<unknown, Set<unknown>>();
    for (const c of cases.filter((c) => c.queueId !== null))
      queuesOf.set(c.ownerId, (queuesOf.get(c.ownerId) ?? new Set()).add(c.queueId));
    expect(queuesOf.size).toBe(24);
    expect([...queuesOf.values()].every((queues) => queues.size === 1)).toBe(true);
    for (const queue of QUEUES)
      expect([...queuesOf.values()].filter((queues) => queues.has(queue))).toHaveLength(8);
  });

  it('draws nothing from the case stream: every other field is as it was before queueId existed', () => {
    // The digest of these cases without queueId, as generated before the field was added: a draw
    // added to the case stream would change every case after the first.
    const stripped = cases.map(({ queueId: _queueId, ...rest }) => rest);
    expect(createHash('sha256').update(JSON.stringify(stripped)).digest('hex')).toBe(
      '3774f8cc7f0c90adcbae0d83191e4960cd3f2265662614289aad201d8fca3c0a',
    );
  });
});

describe('the demo data set: what a manager acts on', () => {
  // The demo's own data (sandbox/local-env.ts) at a fixed "now": 06:00 in Dubai, a digest morning.
  const NOW_DEMO = new Date('2026-11-27T02:00:00Z');
  const zone = DEMO_DATA.timezone;
  const demo = generateCases({ ...DEMO_DATA, now: () => NOW_DEMO });
  const now = formatLocal(NOW_DEMO, zone);
  const inADay = formatLocal(NOW_DEMO.getTime() + 24 * 3_600_000, zone);
  const yesterday = formatLocal(NOW_DEMO.getTime() - 24 * 3_600_000, zone).slice(0, 10);
  // SPEC §6 "open": no closedDate, a state not closed, not cancelled.
  const CLOSED = new Set(['completed', 'closed', 'cancelled', 'canceled']);
  const isOpen = (c: CaseRecord) =>
    !c.closedDate?.trim() && !CLOSED.has(String(c.state).toLowerCase()) && c.isCanced !== true;
  const due = (c: CaseRecord) => c.dueDate as string;
  const open = demo.filter((c) => isOpen(c) && c.dueDate);
  const dueSoon = open.filter((c) => due(c) > now && due(c) <= inADay);
  const overdue = open.filter((c) => due(c) <= now);

  it('has open cases due within the next 24 hours, in every team', () => {
    expect(dueSoon.length).toBeGreaterThan(50);
    for (const queue of QUEUES) expect(dueSoon.filter((c) => c.queueId === queue).length).toBeGreaterThan(10);
  });

  it('has several owners holding overdue cases, in every team', () => {
    const owners = new Set(overdue.map((c) => c.ownerId));
    expect(owners.size).toBeGreaterThanOrEqual(10);
    for (const queue of QUEUES)
      expect(new Set(overdue.filter((c) => c.queueId === queue).map((c) => c.ownerId)).size).toBeGreaterThan(
        3,
      );
    // Overdue by a few hours and by more than a week: every age bucket of the digest has cases.
    const hoursOver = overdue.map(
      (c) => (NOW_DEMO.getTime() - (parseLocal(due(c), zone) as Date).getTime()) / 3_600_000,
    );
    for (const [from, to] of [
      [0, 24],
      [24, 72],
      [72, 168],
      [168, Infinity],
    ] as const)
      expect(hoursOver.filter((h) => h >= from && h < to).length).toBeGreaterThan(0);
  });

  it("has yesterday's cases closed both before and after their due dates (attainment is neither 0 nor 100 %)", () => {
    const closed = demo.filter(
      (c) => c.createdDate?.startsWith(yesterday) && c.closedDate && c.dueDate && c.isCanced !== true,
    );
    const met = closed.filter((c) => (c.closedDate as string) <= due(c));
    const missed = closed.filter((c) => (c.closedDate as string) > due(c));
    expect(met.length).toBeGreaterThan(20);
    expect(missed.length).toBeGreaterThan(3);
  });
});
