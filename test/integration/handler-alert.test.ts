import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/case-digest/handler.js';
import type { LocalSes } from '../../sandbox/local-ses.js';
import type { Sandbox } from '../../sandbox/server.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import { createdBetween, openCase } from '../helpers/oracle.js';

const ZONE = 'Asia/Dubai'; // UTC+4, no DST: the oracle converts with a fixed offset
const AS_OF = '2026-11-27T10:00:00Z';
const HOUR = 3_600_000;
const dubai = (local: string) => Date.parse(`${local.replace(' ', 'T')}+04:00`);
const local = (ms: number) => new Date(ms + 4 * HOUR).toISOString().slice(0, 19).replace('T', ' ');

let stack: LocalStack;
let sandbox: Sandbox;
let ses: LocalSes;

beforeAll(async () => {
  stack = await startLocalStack(
    {
      timezone: ZONE,
      casesPerDay: 300,
      days: 40,
      endDate: '2026-11-27',
      now: () => new Date(AS_OF),
      seed: 9,
    },
    {
      DIGEST_RECIPIENTS: 'managers@example.com',
      ALERT_RECIPIENTS: 'on-call@example.com',
      ALERT_PRIORITIES: 'Critical',
      ALERT_REPEAT_HOURS: '24',
    },
  );
  ({ sandbox, ses } = stack);
});
afterAll(() => stack?.close());

beforeEach(() => stack.reset());

/** The alert rule restated: some due + k·repeat in (asOf − interval, asOf]. */
function expectedAlerted(
  priorities: string[],
  intervalMin: number,
  repeatH: number,
  asOfIso = AS_OF,
): string[] {
  const asOf = Date.parse(asOfIso);
  const lookback = createdBetween(sandbox.cases, local(asOf - 30 * 24 * HOUR), local(asOf));
  return lookback
    .filter((c) => priorities.includes(String(c.priority)) && openCase(c) && typeof c.dueDate === 'string')
    .filter((c) => {
      const due = dubai(c.dueDate as string);
      for (let t = due; t <= asOf; t += repeatH * HOUR) {
        if (t > asOf - intervalMin * 60_000) return true;
        if (repeatH === 0) break;
      }
      return false;
    })
    .map((c) => String(c.id))
    .sort();
}

describe('overdue-alert through the handler, the sandbox and local SES', () => {
  it('alerts every open Critical case whose due date or reminder fell in the last hour, and mails them once', async () => {
    const want = expectedAlerted(['Critical'], 60, 24);
    const before = sandbox.requests.length;
    const result = await handler({ job: 'overdue-alert', scheduledTime: AS_OF, intervalMinutes: 60 });
    if (result.job !== 'overdue-alert') throw new Error('wrong job');
    expect(result.alerted).toEqual({ count: want.length, caseIds: want });
    expect(result.window).toEqual({ from: '2026-10-28 14:00:00', to: '2026-11-27 14:00:00', timezone: ZONE });

    const lists = sandbox.requests.slice(before).filter((r) => r.path.endsWith('/case/list'));
    for (const r of lists) expect(r.body).toMatchObject({ priority: '3' });

    const mail = await ses.emails();
    if (want.length === 0) {
      expect(mail).toHaveLength(0);
      return;
    }
    expect(mail).toHaveLength(1);
    expect(mail[0]?.destination.to).toEqual(['on-call@example.com']);
    expect(mail[0]?.subject).toBe(
      `[Overdue] ${want.length} Critical case${want.length === 1 ? '' : 's'} past due`,
    );
  });

  it('with a 24-hour interval and daily reminders, alerts every open overdue Critical case exactly once', async () => {
    const want = expectedAlerted(['Critical'], 24 * 60, 24);
    expect(want.length).toBeGreaterThan(5);
    const result = await handler({ job: 'overdue-alert', at: AS_OF, intervalMinutes: 24 * 60, dryRun: true });
    if (result.job !== 'overdue-alert') throw new Error('wrong job');
    expect(result.alerted.caseIds).toEqual(want);
    expect(result.emails[0]?.messageId).toBeNull();
    expect(result.emails[0]?.text).toContain(`${want.length} Critical`);
    expect(await ses.emails()).toHaveLength(0);
  });

  it('sends one query per alerting priority with the API filter, and fetches no other priority', async () => {
    process.env.ALERT_PRIORITIES = 'Critical, high';
    try {
      const before = sandbox.requests.length;
      const result = await handler({
        job: 'overdue-alert',
        at: AS_OF,
        intervalMinutes: 24 * 60,
        dryRun: true,
      });
      if (result.job !== 'overdue-alert') throw new Error('wrong job');
      expect(result.alerted.caseIds).toEqual(expectedAlerted(['Critical', 'High'], 24 * 60, 24));
      const bodies = sandbox.requests
        .slice(before)
        .filter((r) => r.path.endsWith('/case/list'))
        .map((r) => r.body as Record<string, unknown>);
      expect(new Set(bodies.map((b) => b.priority))).toEqual(new Set(['3', '2']));
      for (const b of bodies)
        expect(
          Date.parse(`${String(b.endTime).replace(' ', 'T')}Z`) -
            Date.parse(`${String(b.startTime).replace(' ', 'T')}Z`),
        ).toBeLessThanOrEqual(31 * 24 * HOUR);
    } finally {
      process.env.ALERT_PRIORITIES = 'Critical';
    }
  });

  it('with nothing to alert, sends nothing', async () => {
    const result = await handler({
      job: 'overdue-alert',
      scheduledTime: '2026-09-01T00:00:00Z',
      intervalMinutes: 60,
    });
    expect(result).toMatchObject({ job: 'overdue-alert', alerted: { count: 0, caseIds: [] }, emails: [] });
    expect(await ses.emails()).toHaveLength(0);
  });

  it('consecutive hourly runs over a day alert each case at most once per day, and a retried run alerts the same set', async () => {
    const seen = new Map<string, number>();
    const expectedUnion = new Set<string>();
    const start = Date.parse(AS_OF) - 23 * HOUR;
    for (let t = start; t <= Date.parse(AS_OF); t += HOUR) {
      const at = new Date(t).toISOString();
      const result = await handler({ job: 'overdue-alert', at, intervalMinutes: 60, dryRun: true });
      if (result.job !== 'overdue-alert') throw new Error('wrong job');
      const again = await handler({ job: 'overdue-alert', at, intervalMinutes: 60, dryRun: true });
      if (again.job !== 'overdue-alert') throw new Error('wrong job');
      expect(again.alerted.caseIds).toEqual(result.alerted.caseIds);
      expect(result.alerted.caseIds).toEqual(expectedAlerted(['Critical'], 60, 24, at));
      for (const id of result.alerted.caseIds) seen.set(id, (seen.get(id) ?? 0) + 1);
      for (const id of expectedAlerted(['Critical'], 60, 24, at)) expectedUnion.add(id);
    }
    expect(seen.size).toBeGreaterThan(0);
    // Runs every hour with a one-hour interval and 24-hour reminders: nobody is paged twice in a day.
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect([...seen.keys()].sort()).toEqual([...expectedUnion].sort());
  });
});
