/**
 * Capacity (SPEC §11) against the sandbox over real HTTP: one request pool per run (the first pages
 * of every query go out together), adaptive concurrency under a rate-limited API, and a run that
 * cannot finish failing early with a CapacityError. Order, overlap and counts from the sandbox's
 * request log — never elapsed times.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapacityError } from '../../functions/case-digest/errors.js';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import { peakInFlight, type RequestLogEntry } from '../../sandbox/server.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import { createdBetween } from '../helpers/oracle.js';

const ZONE = 'UTC';
const SCHEDULED = '2026-11-27T06:00:00Z';

const lambdaContext = (remainingMs: number): Context =>
  ({
    functionName: 'case-digest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:case-digest',
    memoryLimitInMB: '512',
    awsRequestId: 'capacity-test',
    logGroupName: '/aws/lambda/case-digest',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

const lists = (entries: readonly RequestLogEntry[]) => entries.filter((r) => r.path.endsWith('/case/list'));
const body = (r: RequestLogEntry) =>
  r.body as { startTime: string; endTime: string; start: number; limit: number };

describe('one request pool per run', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack(
      {
        timezone: ZONE,
        casesPerDay: 400,
        days: 65,
        endDate: '2026-11-26',
        now: () => new Date(SCHEDULED),
        latencyMs: 100,
      },
      { DIGEST_RECIPIENTS: 'managers@example.com', AICC_CONCURRENCY: '8', OVERDUE_LOOKBACK_DAYS: '60' },
    );
  });
  afterAll(() => stack?.close());

  it('sends the first page of every query — window, trend count, both lookback windows — before any second page, all in flight together', async () => {
    const result = (await stack.handler()({
      job: 'digest',
      scheduledTime: SCHEDULED,
      dryRun: true,
    })) as DigestResult;
    const log = lists(stack.sandbox.requests);
    // Four queries: the day (1 API window), its trend count, and a 60-day lookback (2 API windows).
    const firsts = log.slice(0, 4).map(body);
    expect(firsts.map((b) => [b.start, b.limit])).toEqual([
      [0, 100],
      [0, 1],
      [0, 100],
      [0, 100],
    ]);
    expect(firsts[0]).toMatchObject({ startTime: '2026-11-26 00:00:00', endTime: '2026-11-26 23:59:59' });
    expect(firsts[1]).toMatchObject({ startTime: '2026-11-25 00:00:00', endTime: '2026-11-25 23:59:59' });
    // The fourth arrived while the other three were still in flight.
    expect(log[3]?.inFlight).toBe(4);
    // Nothing waited for the window's paging: every later request is a further page.
    expect(log.slice(4).every((r) => body(r).start > 0)).toBe(true);
    // The pool's eight slots were used, never more; every request was needed (no retries, no repeats).
    expect(peakInFlight(log)).toBe(8);
    const keys = log.map((r) => `${body(r).startTime}|${body(r).limit}|${body(r).start}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(result.stats).toMatchObject({ requests: log.length, pages: log.length, retries: 0 });
    expect(result.total).toBe(
      createdBetween(stack.sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59').length,
    );
  });
});

describe('adaptive concurrency against a rate-limited API', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack(
      {
        timezone: ZONE,
        casesPerDay: 4_000,
        days: 3,
        endDate: '2026-11-26',
        now: () => new Date(SCHEDULED),
        latencyMs: 200,
        rateLimit: 20,
      },
      {
        DIGEST_RECIPIENTS: 'managers@example.com',
        AICC_CONCURRENCY: '2',
        AICC_MAX_CONCURRENCY: '16',
        OVERDUE_LOOKBACK_DAYS: '1',
      },
    );
  });
  afterAll(() => stack?.close());

  it('grows from its start, backs off on 429, stays under its ceiling, and the numbers are exact', async () => {
    const result = (await stack.handler()({
      job: 'digest',
      scheduledTime: SCHEDULED,
      dryRun: true,
    })) as DigestResult;
    const log = lists(stack.sandbox.requests);
    const throttled = log.filter((r) => r.throttled).length;

    expect(result.total).toBe(
      createdBetween(stack.sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59').length,
    );
    expect(result.previousTotal).toBe(
      createdBetween(stack.sandbox.cases, '2026-11-25 00:00:00', '2026-11-25 23:59:59').length,
    );
    expect(result.warnings).toEqual([]);
    expect(result.stats.concurrency).toMatchObject({ start: 2, max: 16 });
    // It grew past its start (answers take 200 ms: 2 in flight make 10 requests a second, 4 make 20)…
    expect(result.stats.concurrency.peak).toBeGreaterThan(2);
    // …met the limit, and backed off: few of its requests were refused.
    expect(throttled).toBeGreaterThan(0);
    expect(result.stats.throttled).toBe(throttled);
    expect(throttled).toBeLessThan(result.stats.pages / 4);
    expect(peakInFlight(log)).toBeLessThanOrEqual(16);
    // Every refused request was repeated once it was allowed; nothing else was repeated.
    expect(result.stats.requests).toBe(result.stats.pages + throttled);
  });
});

describe('a run that cannot finish before its deadline', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack(
      {
        timezone: ZONE,
        casesPerDay: 1_000,
        days: 31,
        endDate: '2026-11-26',
        now: () => new Date(SCHEDULED),
        latencyMs: 300,
      },
      { DIGEST_RECIPIENTS: 'managers@example.com', AICC_CONCURRENCY: '2', AICC_MAX_CONCURRENCY: '4' },
    );
  });
  afterAll(() => stack?.close());

  it('fails with a CapacityError after its first round of answers, naming the figures and the settings, and mails nothing', async () => {
    // ~310 pages at 300 ms with at most 4 in flight need ~25 s; 25 s remaining less the 10 s margin leave 15 s.
    const failure = await stack
      .handler()({ job: 'digest', scheduledTime: SCHEDULED }, lambdaContext(25_000))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(CapacityError);
    const error = failure as CapacityError;
    expect(error.message).toMatch(/\d+ pages done, \d+ left/);
    expect(error.message).toMatch(/pages\/s/);
    expect(error.message).toMatch(/\d+ s are left/);
    expect(error.message).toContain('AICC_MAX_CONCURRENCY (now 4)');
    expect(error.message).toContain('OVERDUE_LOOKBACK_DAYS (now 30');
    expect(error.message).toMatch(/function timeout/);
    expect(error.figures.pagesLeft).toBeGreaterThan(250);
    expect(error.figures.secondsNeeded).toBeGreaterThan(error.figures.secondsLeft);
    // Early: it stopped after a handful of requests, not at the deadline.
    expect(lists(stack.sandbox.requests).length).toBeLessThan(12);
    expect(await stack.ses.emails()).toHaveLength(0);
  });
});
