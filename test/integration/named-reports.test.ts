/**
 * Named reports (SPEC §12) through the real handler: a company-wide digest and a team digest in
 * another zone with its own filters, scheduled at the same instant, each mailed once — and a
 * redelivery of either sends nothing (idempotency on a local DynamoDB). The team's numbers come from
 * an independent count of the sandbox's cases of that slice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import type { Handler } from '../../functions/case-digest/runtime.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import { countBy, createdBetween, overdueIds } from '../helpers/oracle.js';
import { dayBefore, localDay, wallClock } from '../helpers/zones.js';

const AICC = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T05:00:00Z'; // 09:00 in Dubai, 06:00 in Berlin: both report the 26th
const TABLE = 'named-reports-idempotency';

const DAILY = { job: 'digest', report: 'daily', scheduledTime: SCHEDULED } as const;
const EMEA_VOICE = {
  job: 'digest',
  report: 'emea-voice',
  title: 'EMEA voice',
  timezone: 'Europe/Berlin',
  scheduledTime: SCHEDULED,
  filters: { origin: 'Voice', extended: { queueId: 'q-emea' } },
  recipients: ['emea-leads@example.com'],
} as const;

let stack: LocalStack;
let dynamo: LocalDynamoDb;
let handler: Handler;

beforeAll(async () => {
  stack = await startLocalStack(
    {
      timezone: AICC,
      casesPerDay: 300,
      days: 40,
      endDate: '2026-11-27',
      now: () => new Date(SCHEDULED),
      seed: 5,
    },
    { DIGEST_RECIPIENTS: 'managers@example.com', IDEMPOTENCY_TABLE: TABLE },
  );
  dynamo = await startLocalDynamoDb();
  await dynamo.createIdempotencyTable(TABLE);
  handler = stack.handler({}, { endpoints: { dynamodb: dynamo.url } });
});
afterAll(async () => {
  await Promise.all([stack?.close(), dynamo?.close()]);
});
beforeEach(() => stack.reset());

/** The team's slice created in Berlin's `date`: origin Voice, queue q-emea. */
function teamCases(date: string) {
  const { start, end } = localDay('Europe/Berlin', date);
  return createdBetween(stack.sandbox.cases, wallClock(AICC, start), wallClock(AICC, end)).filter(
    (c) => c.origin === 'Voice' && c.queueId === 'q-emea',
  );
}

describe('named reports', () => {
  it("a team digest is its slice of its own zone's previous day, and every request carries its filters", async () => {
    const before = stack.sandbox.requests.length;
    const result = (await handler({ ...EMEA_VOICE, dryRun: true })) as DigestResult;
    const cases = teamCases('2026-11-26');
    const asOfLocal = wallClock(AICC, Date.parse(SCHEDULED));
    const lookbackFrom = wallClock(AICC, Date.parse(SCHEDULED) - 30 * 24 * 3_600_000);
    const teamOverdue = overdueIds(
      stack.sandbox.cases.filter((c) => c.origin === 'Voice' && c.queueId === 'q-emea'),
      lookbackFrom,
      asOfLocal,
      asOfLocal,
    );

    expect(cases.length).toBeGreaterThan(5);
    // A slice, visibly: the company has far more.
    expect(teamCases('2026-11-26').length * 3).toBeLessThan(
      createdBetween(stack.sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59').length,
    );
    expect(result).toMatchObject({
      report: 'emea-voice',
      window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: 'Europe/Berlin' },
      filters: { origin: 'Voice', queueId: 'q-emea' },
      total: cases.length,
      previousTotal: teamCases(dayBefore('2026-11-26')).length,
      byPriority: countBy(cases, 'priority'),
      byOrigin: { Voice: cases.length },
      overdue: { count: teamOverdue.length, caseIds: teamOverdue },
    });
    const bodies = stack.sandbox.requests
      .slice(before)
      .filter((r) => r.path.endsWith('/case/list'))
      .map((r) => r.body as Record<string, unknown>);
    expect(bodies.length).toBeGreaterThan(2);
    for (const b of bodies) expect(b).toMatchObject({ origin: '1', queueId: 'q-emea' });

    const email = result.emails[0];
    expect(email?.subject).toBe(
      `Case digest · EMEA voice 2026-11-26: ${cases.length} new, ${teamOverdue.length} overdue`,
    );
    expect(email?.html).toContain(
      '<h1 style="margin:0;font-size:20px;line-height:1.3;font-weight:bold;color:#ffffff">Case digest · EMEA voice 2026-11-26</h1>',
    );
    expect(email?.text).toContain(
      `Report "emea-voice", sent by its schedule "emea-voice" in the stack's schedule group, scheduled run of 2026-11-27 06:00 (Europe/Berlin).`,
    );
    expect(email?.text).toContain('edit this report\'s "recipients"');
  });

  it('two reports scheduled at the same instant both send; a redelivery of either sends nothing', async () => {
    const first = (await handler(DAILY)) as DigestResult;
    const second = (await handler(EMEA_VOICE)) as DigestResult;
    expect(first.emails.map((e) => e.status)).toEqual(['sent']);
    expect(second.emails.map((e) => e.status)).toEqual(['sent']);
    const mail = await stack.ses.emails();
    expect(mail.map((m) => m.destination.to)).toEqual([['managers@example.com'], ['emea-leads@example.com']]);

    // Scheduler (or the DLQ redrive) delivers both events again: nothing more is sent.
    const again = [(await handler(DAILY)) as DigestResult, (await handler(EMEA_VOICE)) as DigestResult];
    expect(again.map((r) => r.emails.map((e) => e.status))).toEqual([['already-sent'], ['already-sent']]);
    expect(again.map((r) => r.emails[0]?.messageId)).toEqual([
      first.emails[0]?.messageId,
      second.emails[0]?.messageId,
    ]);
    expect(await stack.ses.emails()).toHaveLength(2);

    // The plain scheduled digest of that instant is another event: it sends.
    const plain = (await handler({ job: 'digest', scheduledTime: SCHEDULED })) as DigestResult;
    expect(plain.emails.map((e) => e.status)).toEqual(['sent']);
    expect(await stack.ses.emails()).toHaveLength(3);
  });
});
