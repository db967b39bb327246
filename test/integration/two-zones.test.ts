/**
 * The digest end to end with the API's zone and the report's zone different — AICC in New York,
 * managers in Berlin (or Mexico City) — across both zones' DST changes of 2026 (Berlin: 25 October,
 * New York: 1 November). Every expected number comes from an `Intl` oracle (test/helpers/zones.ts) and
 * plain string comparisons on the sandbox's own data, never from the project's `time/` code; swapping
 * the two zones anywhere in the digest fails these tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import type { Handler } from '../../functions/case-digest/runtime.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import { countBy, createdBetween, overdueIds } from '../helpers/oracle.js';
import { dayBefore, localDay, wallClock } from '../helpers/zones.js';

const AICC = 'America/New_York';
const REPORT = 'Europe/Berlin';

let stack: LocalStack;
let handler: Handler;

beforeAll(async () => {
  stack = await startLocalStack(
    {
      timezone: AICC,
      casesPerDay: 150,
      days: 75,
      endDate: '2026-12-02',
      now: () => new Date('2026-12-03T12:00:00Z'),
      seed: 11,
    },
    { AICC_TIMEZONE: AICC, REPORT_TIMEZONE: REPORT, DIGEST_RECIPIENTS: 'managers@example.com' },
  );
  handler = stack.handler();
});
afterAll(() => stack?.close());

/** Cases whose `createdDate` (New York wall clock) falls in the instants [start, end]. */
const between = (start: number, end: number) =>
  createdBetween(stack.sandbox.cases, wallClock(AICC, start), wallClock(AICC, end));

const listBodies = (from: number) =>
  stack.sandbox.requests
    .slice(from)
    .filter((r) => r.path.endsWith('/case/list'))
    .map((r) => r.body as { startTime: string; endTime: string; limit: number });

describe.each([
  // 06:00 in Berlin the day after: 25 October is Berlin's 25-hour day (New York still on EDT).
  ['2026-10-26T05:00:00Z', '2026-10-25'],
  // 1 November: a 24-hour day in Berlin that holds New York's repeated hour 01:00–01:59.
  ['2026-11-02T05:00:00Z', '2026-11-01'],
  // 2 November: the day after both changes.
  ['2026-11-03T05:00:00Z', '2026-11-02'],
])("scheduled digest at %s reports Berlin's %s", (scheduledTime, berlinDate) => {
  it('counts exactly the cases created in that Berlin day, asks the API in New York time, and trends against the Berlin day before', async () => {
    const day = localDay(REPORT, berlinDate);
    const previous = localDay(REPORT, dayBefore(berlinDate));
    const cases = between(day.start, day.end);
    const asOf = Date.parse(scheduledTime);
    const before = stack.sandbox.requests.length;

    const result = (await handler({ job: 'digest', scheduledTime, dryRun: true })) as DigestResult;

    expect(cases.length).toBeGreaterThan(100);
    expect(result.window).toEqual({
      from: `${berlinDate} 00:00:00`,
      to: `${berlinDate} 23:59:59`,
      timezone: REPORT,
    });
    expect(result.total).toBe(cases.length);
    expect(result.byPriority).toEqual(countBy(cases, 'priority'));
    expect(result.byState).toEqual(countBy(cases, 'state'));
    expect(result.previousTotal).toBe(between(previous.start, previous.end).length);
    const lookbackStart = wallClock(AICC, asOf - 30 * 24 * 3_600_000);
    expect(result.overdue.caseIds).toEqual(
      overdueIds(stack.sandbox.cases, lookbackStart, wallClock(AICC, asOf), wallClock(AICC, asOf)),
    );
    // The window's requests carry the Berlin day as New York wall-clock times.
    const pages = listBodies(before).filter((b) => b.limit === 100);
    expect(
      pages.some((b) => b.startTime === wallClock(AICC, day.start) && b.endTime === wallClock(AICC, day.end)),
    ).toBe(true);
    // The subject and heading name the Berlin date.
    expect(result.emails[0]?.subject).toMatch(new RegExp(`^Case digest ${berlinDate}: `));
  });
});

describe("an ad-hoc range over New York's repeated hour, in a third zone", () => {
  it("counts each case once: the API windows meet, without overlap, on New York's wall clock", async () => {
    // The example: Mexico City (no DST) 1 October – 30 November, AICC in New York.
    const zone = 'America/Mexico_City';
    const start = localDay(zone, '2026-10-01').start;
    const end = localDay(zone, '2026-11-30').end;
    const cases = between(start, end);
    const before = stack.sandbox.requests.length;

    const result = (await stack.handler({ REPORT_TIMEZONE: zone })({
      job: 'digest',
      from: '2026-10-01',
      to: '2026-11-30',
      dryRun: true,
    })) as DigestResult;

    expect(result.total).toBe(cases.length);
    expect(result.byOrigin).toEqual(countBy(cases, 'origin'));
    expect(result.warnings).toEqual([]);
    // The range's API windows (limit 100) tile it on the wall clock: from its first second, each
    // next one starting the second after the last ended, up to its last second — no overlap, no gap.
    const next = (t: string) =>
      new Date(Date.parse(`${t.replace(' ', 'T')}Z`) + 1000).toISOString().slice(0, 19).replace('T', ' ');
    const pages = listBodies(before).filter((b) => b.limit === 100);
    const chain: { startTime: string; endTime: string }[] = [];
    let from = wallClock(AICC, start);
    for (let w = pages.find((b) => b.startTime === from); w; w = pages.find((b) => b.startTime === from)) {
      chain.push(w);
      from = next(w.endTime);
    }
    expect(chain.length).toBe(2);
    expect(chain.at(-1)?.endTime).toBe(wallClock(AICC, end));
    // No overlap on the wall clock: the first window ends before the second starts.
    expect((chain[0]?.endTime ?? '') < (chain[1]?.startTime ?? '')).toBe(true);
  });
});
