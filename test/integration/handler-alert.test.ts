import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import { ConfigError, EventError } from '../../functions/case-digest/errors.js';
import type { AlertResult } from '../../functions/case-digest/jobs/overdue-alert.js';
import type { Handler } from '../../functions/case-digest/runtime.js';
import { generateCases } from '../../sandbox/data.js';
import type { LocalSes } from '../../sandbox/local-ses.js';
import type { Sandbox } from '../../sandbox/server.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import { createdBetween, openCase } from '../helpers/oracle.js';

const ZONE = 'Asia/Dubai'; // UTC+4, no DST: the oracle converts with a fixed offset
const AS_OF = '2026-11-27T10:00:00Z';
const HOUR = 3_600_000;
const MIN = 60_000;
const dubai = (local: string) => Date.parse(`${local.replace(' ', 'T')}+04:00`);
const local = (ms: number) => new Date(ms + 4 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
const asOfMs = Date.parse(AS_OF);

/**
 * Hand-made cases on top of the generated ones, so every kind the rule tells apart is there whatever
 * the seed: due in the last hour, due soon, closed after falling due, of a team, of another priority.
 */
const craft = (id: string, over: Partial<CaseRecord>): CaseRecord => ({
  id,
  caseNo: `9900000000000${id.slice(-3)}`,
  title: `Crafted ${id}`,
  priority: 'Critical',
  origin: 'Voice',
  state: 'Processing',
  ownerId: 'owner-crafted',
  contactPhone: '+971501234567',
  createdDate: local(asOfMs - 5 * HOUR),
  dueDate: local(asOfMs - 30 * MIN),
  closedDate: null,
  isCanced: false,
  queueId: 'q-emea',
  ...over,
});
const CRAFTED: CaseRecord[] = [
  craft('craft-due-30min-ago', {}),
  craft('craft-due-in-90min', { dueDate: local(asOfMs + 90 * MIN) }),
  craft('craft-due-in-3h', { dueDate: local(asOfMs + 3 * HOUR) }),
  craft('craft-high-due-10min-ago', {
    priority: 'High',
    dueDate: local(asOfMs - 10 * MIN),
    queueId: 'q-apac',
  }),
  craft('craft-other-team', { dueDate: local(asOfMs - 20 * MIN), queueId: 'q-amer' }),
  craft('craft-closed-after-due', {
    state: 'Completed',
    dueDate: local(asOfMs - 2 * HOUR),
    closedDate: local(asOfMs - 20 * MIN),
  }),
];

let stack: LocalStack;
let sandbox: Sandbox;
let ses: LocalSes;
let handler: Handler;

beforeAll(async () => {
  const generated = generateCases({
    seed: 9,
    casesPerDay: 300,
    days: 40,
    endDate: '2026-11-27',
    timezone: ZONE,
    now: () => new Date(AS_OF),
  });
  stack = await startLocalStack(
    { timezone: ZONE, cases: [...generated, ...CRAFTED], now: () => new Date(AS_OF) },
    {
      DIGEST_RECIPIENTS: 'managers@example.com',
      ALERT_RECIPIENTS: 'on-call@example.com',
      ALERT_PRIORITIES: 'Critical',
      ALERT_REPEAT_HOURS: '24',
    },
  );
  ({ sandbox, ses } = stack);
  handler = stack.handler();
});
afterAll(() => stack?.close());

beforeEach(() => stack.reset());

interface Rule {
  priorities: string[];
  intervalMin: number;
  repeatH: number;
  asOfIso?: string;
  queueId?: string;
}

/** Open cases of the rule's priorities (and queue) created within the 30-day lookback. */
function candidates(rule: Rule): CaseRecord[] {
  const asOf = Date.parse(rule.asOfIso ?? AS_OF);
  return createdBetween(sandbox.cases, local(asOf - 30 * 24 * HOUR), local(asOf)).filter(
    (c) =>
      rule.priorities.includes(String(c.priority)) &&
      openCase(c) &&
      typeof c.dueDate === 'string' &&
      (rule.queueId === undefined || c.queueId === rule.queueId),
  );
}

/** The alert rule restated: some due + k·repeat in (asOf − interval, asOf]. */
function expectedAlerted(rule: Rule): string[] {
  const asOf = Date.parse(rule.asOfIso ?? AS_OF);
  return candidates(rule)
    .filter((c) => {
      const due = dubai(c.dueDate as string);
      for (let t = due; t <= asOf; t += rule.repeatH * HOUR) {
        if (t > asOf - rule.intervalMin * MIN) return true;
        if (rule.repeatH === 0) break;
      }
      return false;
    })
    .map((c) => String(c.id))
    .sort();
}

/** The warning rule restated: due after asOf, and due − W in (asOf − interval, asOf]. */
function expectedWarned(rule: Rule, warnH: number): string[] {
  const asOf = Date.parse(rule.asOfIso ?? AS_OF);
  return candidates(rule)
    .filter((c) => {
      const due = dubai(c.dueDate as string);
      const warnAt = due - warnH * HOUR;
      return due > asOf && warnAt <= asOf && warnAt > asOf - rule.intervalMin * MIN;
    })
    .map((c) => String(c.id))
    .sort();
}

const asAlert = (r: unknown) => r as AlertResult;
const listBodies = (from: number) =>
  sandbox.requests
    .slice(from)
    .filter((r) => r.path.endsWith('/case/list'))
    .map((r) => r.body as Record<string, unknown>);

describe('overdue-alert through the handler, the sandbox and local SES', () => {
  it('alerts every open Critical case whose due date or reminder fell in the last hour, and mails them once', async () => {
    const want = expectedAlerted({ priorities: ['Critical'], intervalMin: 60, repeatH: 24 });
    expect(want).toContain('craft-due-30min-ago');
    const before = sandbox.requests.length;
    const result = asAlert(
      await handler({ job: 'overdue-alert', scheduledTime: AS_OF, intervalMinutes: 60 }),
    );
    expect(result.alerted).toEqual({ count: want.length, caseIds: want });
    expect(result.warned).toEqual({ count: 0, caseIds: [] });
    expect(result.report).toBeNull();
    expect(result.window).toEqual({ from: '2026-10-28 14:00:00', to: '2026-11-27 14:00:00', timezone: ZONE });
    for (const b of listBodies(before)) expect(b).toMatchObject({ priority: '3' });

    const mail = await ses.emails();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.destination.to).toEqual(['on-call@example.com']);
    expect(mail[0]?.subject).toBe(
      `[Overdue] ${want.length} Critical case${want.length === 1 ? '' : 's'} past due`,
    );
    // Whenever the alert lists cases, every one is in the CSV.
    expect(mail[0]?.attachments.map((a) => a.filename)).toEqual(['overdue-2026-11-27.csv']);
    expect(result.emails).toEqual([
      {
        to: ['on-call@example.com'],
        subject: mail[0]?.subject,
        messageId: mail[0]?.messageId,
        status: 'sent',
      },
    ]);
  });

  it('with a 24-hour interval and daily reminders, alerts every open overdue Critical case exactly once', async () => {
    const want = expectedAlerted({ priorities: ['Critical'], intervalMin: 24 * 60, repeatH: 24 });
    expect(want.length).toBeGreaterThan(5);
    const result = asAlert(
      await handler({ job: 'overdue-alert', at: AS_OF, intervalMinutes: 24 * 60, dryRun: true }),
    );
    expect(result.alerted.caseIds).toEqual(want);
    expect(result.emails[0]).toMatchObject({ messageId: null, status: 'dry-run' });
    expect(result.emails[0]?.text).toContain(`${want.length} Critical`);
    expect(await ses.emails()).toHaveLength(0);
  });

  it('lists the overdue cases Critical first, then the oldest due date (HTML and text)', async () => {
    const result = asAlert(
      await stack.handler({ ALERT_PRIORITIES: 'High,Critical' })({
        job: 'overdue-alert',
        at: AS_OF,
        intervalMinutes: 24 * 60,
        dryRun: true,
      }),
    );
    const listed = [...sandbox.cases].filter((c) => result.alerted.caseIds.includes(String(c.id)));
    const order = [...listed].sort(
      (a, b) =>
        (a.priority === 'Critical' ? 0 : 1) - (b.priority === 'Critical' ? 0 : 1) ||
        dubai(String(a.dueDate)) - dubai(String(b.dueDate)),
    );
    expect(listed.some((c) => c.priority === 'High')).toBe(true);
    const text = result.emails[0]?.text ?? '';
    const positions = order.slice(0, 20).map((c) => text.indexOf(String(c.caseNo)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('sends one query per alerting priority with the API filter, and fetches no other priority', async () => {
    const before = sandbox.requests.length;
    const result = asAlert(
      await stack.handler({ ALERT_PRIORITIES: 'Critical, high' })({
        job: 'overdue-alert',
        at: AS_OF,
        intervalMinutes: 24 * 60,
        dryRun: true,
      }),
    );
    expect(result.alerted.caseIds).toEqual(
      expectedAlerted({ priorities: ['Critical', 'High'], intervalMin: 24 * 60, repeatH: 24 }),
    );
    const bodies = listBodies(before);
    expect(new Set(bodies.map((b) => b.priority))).toEqual(new Set(['3', '2']));
    for (const b of bodies)
      expect(
        Date.parse(`${String(b.endTime).replace(' ', 'T')}Z`) -
          Date.parse(`${String(b.startTime).replace(' ', 'T')}Z`),
      ).toBeLessThanOrEqual(31 * 24 * HOUR);
  });

  it('a named alert rule: its priorities, filters, repeat and warning replace the environment on every request', async () => {
    const rule: Rule = { priorities: ['Critical', 'High'], intervalMin: 60, repeatH: 4, queueId: 'q-emea' };
    const before = sandbox.requests.length;
    const result = asAlert(
      await handler({
        job: 'overdue-alert',
        report: 'oncall-emea',
        title: 'On-call EMEA',
        scheduledTime: AS_OF,
        intervalMinutes: 60,
        filters: { extended: { queueId: 'q-emea' } },
        priorities: ['Critical', 'High'],
        repeatHours: 4,
        warnHours: 2,
        recipients: ['oncall-emea@example.com'],
      }),
    );
    const alerted = expectedAlerted(rule);
    const warned = expectedWarned(rule, 2);
    expect(alerted).toContain('craft-due-30min-ago');
    expect(alerted).not.toContain('craft-other-team');
    expect(alerted).not.toContain('craft-high-due-10min-ago'); // another queue
    expect(warned).toEqual(['craft-due-in-90min']);
    expect(result).toMatchObject({
      report: 'oncall-emea',
      alerted: { count: alerted.length, caseIds: alerted },
      warned: { count: 1, caseIds: warned },
    });
    const bodies = listBodies(before);
    expect(new Set(bodies.map((b) => b.priority))).toEqual(new Set(['3', '2']));
    for (const b of bodies) expect(b.queueId).toBe('q-emea');

    const [mail] = await ses.emails();
    expect(mail?.destination.to).toEqual(['oncall-emea@example.com']);
    const present = ['Critical', 'High'].filter((p) =>
      sandbox.cases.some((c) => alerted.includes(String(c.id)) && c.priority === p),
    );
    expect(mail?.subject).toBe(
      `[Overdue] ${alerted.length} ${present.join('/')} case${alerted.length === 1 ? '' : 's'} past due · ` +
        '1 Critical case due within 2 h · On-call EMEA',
    );
    expect(mail?.body.text).toMatch(/Due soon, within 2 h \(1\):[\s\S]*9900000000000min/);
    expect(mail?.body.html).toContain('Report &quot;oncall-emea&quot;');
  });

  it('warns only, with the due-soon subject, when nothing fell overdue', async () => {
    // 35 minutes on, the 90-minute case is due in 55 min: W = 1 h puts its warning 5 min ago.
    const at = new Date(asOfMs + 35 * MIN).toISOString();
    const rule: Rule = {
      priorities: ['Critical'],
      intervalMin: 10,
      repeatH: 0,
      asOfIso: at,
      queueId: 'q-emea',
    };
    const result = asAlert(
      await handler({
        job: 'overdue-alert',
        at,
        intervalMinutes: 10,
        repeatHours: 0,
        warnHours: 1,
        filters: { extended: { queueId: 'q-emea' } },
        dryRun: true,
      }),
    );
    expect(expectedAlerted(rule)).toEqual([]);
    expect(result.warned.caseIds).toEqual(expectedWarned(rule, 1));
    expect(result.warned.caseIds).toEqual(['craft-due-in-90min']);
    expect(result.emails[0]?.subject).toBe('[Due soon] 1 Critical case due within 1 h');
  });

  it('rejects a priority filter on the alert, and an alert with no channel at all', async () => {
    const before = sandbox.requests.length;
    await expect(handler({ job: 'overdue-alert', at: AS_OF, filters: { priority: 'High' } })).rejects.toThrow(
      EventError,
    );
    await expect(
      stack.handler({ ALERT_RECIPIENTS: undefined })({ job: 'overdue-alert', at: AS_OF }),
    ).rejects.toThrow(/ALERT_RECIPIENTS.*PAGERDUTY_SECRET_ID.*ALERT_TOPIC_ARN/);
    await expect(
      stack.handler({ ALERT_RECIPIENTS: undefined })({ job: 'overdue-alert', at: AS_OF }),
    ).rejects.toThrow(ConfigError);
    expect(sandbox.requests.length).toBe(before);
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
    const start = asOfMs - 23 * HOUR;
    for (let t = start; t <= asOfMs; t += HOUR) {
      const at = new Date(t).toISOString();
      const result = asAlert(await handler({ job: 'overdue-alert', at, intervalMinutes: 60, dryRun: true }));
      const again = asAlert(await handler({ job: 'overdue-alert', at, intervalMinutes: 60, dryRun: true }));
      expect(again.alerted.caseIds).toEqual(result.alerted.caseIds);
      const want = expectedAlerted({ priorities: ['Critical'], intervalMin: 60, repeatH: 24, asOfIso: at });
      expect(result.alerted.caseIds).toEqual(want);
      for (const id of result.alerted.caseIds) seen.set(id, (seen.get(id) ?? 0) + 1);
      for (const id of want) expectedUnion.add(id);
    }
    expect(seen.size).toBeGreaterThan(0);
    // Runs every hour with a one-hour interval and 24-hour reminders: nobody is paged twice in a day.
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect([...seen.keys()].sort()).toEqual([...expectedUnion].sort());
  });
});
