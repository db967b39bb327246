import libmime from 'libmime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AiccApiError, ConfigError, EventError } from '../../functions/case-digest/errors.js';
import type { Handler } from '../../functions/case-digest/runtime.js';
import type { LocalSes } from '../../sandbox/local-ses.js';
import type { Sandbox } from '../../sandbox/server.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import {
  ageCounts,
  attainment,
  countBy,
  createdBetween,
  dueSoonIds,
  overdueIds,
  ownerCounts,
} from '../helpers/oracle.js';

// Asia/Dubai (UTC+4) for both zones: 02:00Z on the 27th is 06:00 local, so "yesterday" is the 26th.
const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z';
const AS_OF_LOCAL = '2026-11-27 06:00:00';
const LOOKBACK_FROM_LOCAL = '2026-10-28 06:00:00';
/** AT_RISK_HOURS 24 after asOf. */
const HORIZON_LOCAL = '2026-11-28 06:00:00';

let stack: LocalStack;
let sandbox: Sandbox;
let ses: LocalSes;
let handler: Handler;

beforeAll(async () => {
  stack = await startLocalStack(
    {
      timezone: ZONE,
      casesPerDay: 260,
      days: 40,
      endDate: '2026-11-27',
      now: () => new Date(SCHEDULED),
      seed: 42,
    },
    {
      DIGEST_RECIPIENTS: 'managers@example.com, leads@example.com',
      ALERT_RECIPIENTS: 'on-call@example.com',
      AICC_CONCURRENCY: '4',
      AICC_TIMEOUT_MS: '2000',
    },
  );
  ({ sandbox, ses } = stack);
  handler = stack.handler();
});
afterAll(() => stack?.close());

beforeEach(() => stack.reset());

function expected() {
  const day = createdBetween(sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59');
  const overdue = overdueIds(sandbox.cases, LOOKBACK_FROM_LOCAL, AS_OF_LOCAL, AS_OF_LOCAL);
  const overdueCases = sandbox.cases.filter((c) => overdue.includes(String(c.id)));
  return {
    dueSoonIds: dueSoonIds(sandbox.cases, LOOKBACK_FROM_LOCAL, AS_OF_LOCAL, AS_OF_LOCAL, HORIZON_LOCAL),
    byAge: ageCounts(overdueCases, AS_OF_LOCAL),
    byOwner: ownerCounts(overdueCases),
    sla: attainment(day, AS_OF_LOCAL),
    total: day.length,
    previousTotal: createdBetween(sandbox.cases, '2026-11-25 00:00:00', '2026-11-25 23:59:59').length,
    byPriority: countBy(day, 'priority'),
    byOrigin: countBy(day, 'origin'),
    byState: countBy(day, 'state'),
    overdueIds: overdueIds(sandbox.cases, LOOKBACK_FROM_LOCAL, AS_OF_LOCAL, AS_OF_LOCAL),
  };
}

describe('scheduled digest through the handler, the sandbox and local SES', () => {
  it('mails the exact numbers once, with both parts and the CSV', async () => {
    const want = expected();
    expect(want.total).toBeGreaterThan(200);
    expect(want.overdueIds.length).toBeGreaterThan(0);

    const result = await handler({ job: 'digest', scheduledTime: SCHEDULED });

    expect(result).toMatchObject({
      job: 'digest',
      dryRun: false,
      asOf: '2026-11-27T02:00:00.000Z',
      window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: ZONE },
      filters: {},
      total: want.total,
      previousTotal: want.previousTotal,
      byPriority: want.byPriority,
      byOrigin: want.byOrigin,
      byState: want.byState,
      overdue: {
        count: want.overdueIds.length,
        caseIds: want.overdueIds,
        byAge: want.byAge,
        byOwner: want.byOwner,
      },
      atRisk: { count: want.dueSoonIds.length, caseIds: want.dueSoonIds },
      sla: want.sla,
      report: null,
      warnings: [],
    });
    // The data has every kind of number a manager acts on.
    expect(want.dueSoonIds.length).toBeGreaterThan(0);
    expect(Object.keys(want.byOwner).length).toBeGreaterThan(1);
    expect(want.sla.met).toBeGreaterThan(0);
    expect(want.sla.missed).toBeGreaterThan(0);
    if (result.job !== 'digest') throw new Error('wrong job');
    expect(result.stats.pages).toBeGreaterThanOrEqual(Math.ceil(want.total / 100));
    expect(result.stats.retries).toBe(0);

    const mail = await ses.emails();
    expect(mail).toHaveLength(1);
    const [m] = mail;
    expect(m?.destination.to).toEqual(['managers@example.com', 'leads@example.com']);
    const n = (x: number) => x.toLocaleString('en-US');
    expect(m?.subject).toBe(
      `Case digest 2026-11-26: ${n(want.total)} new, ${n(want.overdueIds.length)} overdue`,
    );
    expect(m?.body.html).toContain(String(want.total));
    expect(m?.body.text).toContain(String(want.total));
    expect(m?.attachments.map((a) => a.filename)).toEqual(['overdue-2026-11-27.csv']);
    expect(result.emails).toEqual([
      { to: m?.destination.to, subject: m?.subject, messageId: m?.messageId, status: 'sent' },
    ]);
  });

  it('returns the rendered email on a dry run and mails nothing', async () => {
    const result = await handler({ job: 'digest', from: '2026-11-20', to: '2026-11-26', dryRun: true });
    if (result.job !== 'digest') throw new Error('wrong job');
    expect(result.total).toBe(
      createdBetween(sandbox.cases, '2026-11-20 00:00:00', '2026-11-26 23:59:59').length,
    );
    expect(result.previousTotal).toBe(
      createdBetween(sandbox.cases, '2026-11-13 00:00:00', '2026-11-19 23:59:59').length,
    );
    expect(result.emails).toHaveLength(1);
    expect(result.emails[0]).toMatchObject({
      messageId: null,
      status: 'dry-run',
      to: ['managers@example.com', 'leads@example.com'],
    });
    expect(result.emails[0]?.html).toContain('<html');
    expect(result.emails[0]?.attachments?.[0]).toMatchObject({
      filename: expect.stringMatching(/^overdue-\d{4}-\d{2}-\d{2}\.csv$/),
    });
    expect(await ses.emails()).toHaveLength(0);
  });

  it('applies filters on every request, by name or code', async () => {
    const before = sandbox.requests.length;
    const result = await handler({
      job: 'digest',
      scheduledTime: SCHEDULED,
      filters: { priority: 'Critical' },
      dryRun: true,
    });
    if (result.job !== 'digest') throw new Error('wrong job');
    const day = createdBetween(sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59');
    expect(result.total).toBe(day.filter((c) => c.priority === 'Critical').length);
    expect(result.byPriority).toEqual({ Critical: result.total });
    expect(result.filters).toEqual({ priority: 'Critical' });
    const listRequests = sandbox.requests.slice(before).filter((r) => r.path.endsWith('/case/list'));
    expect(listRequests.length).toBeGreaterThan(0);
    for (const r of listRequests) expect(r.body).toMatchObject({ priority: '3' });
  });

  it('retries a 5xx burst and still mails the exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 503 }, times: 2 });
    const result = await handler({ job: 'digest', scheduledTime: SCHEDULED });
    if (result.job !== 'digest') throw new Error('wrong job');
    expect(result.total).toBe(expected().total);
    expect(result.stats.retries).toBe(2);
    expect(await ses.emails()).toHaveLength(1);
  });

  it('fails loudly on resCode ≠ "0" and mails nothing; the retried event then mails once', async () => {
    sandbox.injectFault({
      fault: { kind: 'res-code', resCode: '500001', resMsg: 'tenant busy' },
      when: { start: 100 },
    });
    await expect(handler({ job: 'digest', scheduledTime: SCHEDULED })).rejects.toThrow(AiccApiError);
    expect(await ses.emails()).toHaveLength(0);

    const again = await handler({ job: 'digest', scheduledTime: SCHEDULED });
    if (again.job !== 'digest') throw new Error('wrong job');
    expect(again.total).toBe(expected().total);
    expect(await ses.emails()).toHaveLength(1);
  });

  it('rejects a bad event before any request, naming the field', async () => {
    const before = sandbox.requests.length;
    await expect(handler({ job: 'digest', from: '2026-11-31', to: '2026-12-01' })).rejects.toThrow(
      EventError,
    );
    await expect(handler({ job: 'digest', from: '2026-11-31', to: '2026-12-01' })).rejects.toThrow(/from/);
    expect(sandbox.requests.length).toBe(before);
  });

  it('rejects a bad configuration when the handler is built, before any request, naming the variable', () => {
    const before = sandbox.requests.length;
    expect(() => stack.handler({ REPORT_TIMEZONE: 'Atlantis/Capital' })).toThrow(ConfigError);
    expect(() => stack.handler({ REPORT_TIMEZONE: 'Atlantis/Capital' })).toThrow(/REPORT_TIMEZONE/);
    expect(sandbox.requests.length).toBe(before);
  });

  it('splits more than 50 recipients into batches of at most 50', async () => {
    const recipients = Array.from({ length: 120 }, (_, i) => `person${i}@example.com`);
    const result = await handler({ job: 'digest', scheduledTime: SCHEDULED, recipients });
    expect(result.emails.map((e) => e.to.length)).toEqual([50, 50, 20]);
    const mail = await ses.emails();
    expect(mail.flatMap((m) => m.destination.to).sort()).toEqual([...recipients].sort());
  });

  it.each([
    ['تقرير الحالات اليومي للفريق <digest@example.com>', 'تقرير الحالات اليومي للفريق', 'digest@example.com'],
    ['Acme, Inc. <digest@example.com>', 'Acme, Inc.', 'digest@example.com'],
    ['"Case \\"Digest\\"" <digest@example.com>', 'Case "Digest"', 'digest@example.com'],
  ])(
    'sends as MAIL_FROM %s, which reads back as written after a local SES round trip',
    async (from, name, address) => {
      await stack.handler({ MAIL_FROM: from })({ job: 'digest', scheduledTime: SCHEDULED });
      const [mail] = await ses.emails();
      const stored = mail?.from ?? '';
      // What SES got is a header value: printable ASCII, the name quoted or in encoded-words.
      expect(stored).toMatch(/^[\x20-\x7e]+$/);
      const decoded = libmime.decodeWords(stored);
      const m = /^(.*) <([^<>]+)>$/.exec(decoded);
      const unquoted = (m?.[1] ?? '').replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
      expect([unquoted, m?.[2]]).toEqual([name, address]);
    },
  );
});
