/**
 * The AICC client over real HTTP against the sandbox: exact results through every fault, or a
 * typed failure — never a silently wrong count.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiccClient, type AiccClientOptions } from '../../functions/case-digest/aicc/client.js';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import { type CredentialSource, createTokenSource } from '../../functions/case-digest/aicc/token.js';
import {
  AiccApiError,
  AiccDeadlineError,
  AiccHttpError,
  AiccNetworkError,
  AiccResponseError,
} from '../../functions/case-digest/errors.js';
import { type Fault, LIST_PATH, type Sandbox, startSandbox, TOKEN_PATH } from '../../sandbox/server.js';
import { createdBetween } from '../helpers/oracle.js';

const WINDOW = { startTime: '2026-11-26 00:00:00', endTime: '2026-11-26 23:59:59' };
const FAST_RETRY = { minDelayMs: 1, maxDelayMs: 5 };

let sandbox: Sandbox;
let expected: CaseRecord[];

beforeEach(async () => {
  // Fresh data per test: some faults (grow) change it.
  sandbox = await startSandbox({
    timezone: 'UTC',
    casesPerDay: 330,
    days: 4,
    endDate: '2026-11-27',
    now: () => new Date('2026-11-28T00:00:00Z'),
    seed: 7,
  });
  expected = createdBetween(sandbox.cases, WINDOW.startTime, WINDOW.endTime);
});

afterEach(async () => {
  await sandbox.close();
});

function makeClient(overrides: Partial<AiccClientOptions> & { credentials?: CredentialSource } = {}) {
  const { credentials = { kind: 'token', token: 'sandbox-token' }, ...rest } = overrides;
  return new AiccClient({
    baseUrl: sandbox.url,
    tokenSource: createTokenSource({ baseUrl: sandbox.url, credentials, timeoutMs: 1_000 }),
    timeoutMs: 1_000,
    concurrency: 4,
    retry: FAST_RETRY,
    ...rest,
  });
}

async function fetchAll(client: AiccClient, filters: Record<string, string> = {}) {
  const ids: string[] = [];
  const outcome = await client.forEachCase({ ...WINDOW, filters }, (cases) => {
    for (const c of cases) ids.push(String(c.id));
  });
  return { ids, outcome };
}

const listRequests = () => sandbox.requests.filter((r) => r.path === LIST_PATH);
const startOf = (r: { body: unknown }) => (r.body as { start: number }).start;
const sortedIds = (cases: readonly CaseRecord[]) => cases.map((c) => String(c.id)).sort();

/** Each offset requested once, except after a fault or a non-200 answer. */
function expectNoRefetchWithoutFailure() {
  const byStart = new Map<number, { status: number; fault: string | null }[]>();
  for (const r of listRequests()) byStart.set(startOf(r), [...(byStart.get(startOf(r)) ?? []), r]);
  for (const [start, attempts] of byStart) {
    const failures = attempts.filter((a) => a.fault !== null || a.status !== 200).length;
    expect(attempts.length, `requests at start ${start}`).toBeLessThanOrEqual(1 + failures);
    expect(attempts.at(-1)?.status, `last answer at start ${start}`).toBe(200);
  }
}

describe('paging against the sandbox', () => {
  it('returns exactly the sandbox data for a window of 250+ cases at concurrency 4', async () => {
    // Prepare
    expect(expected.length).toBeGreaterThan(250);
    const client = makeClient();
    // Act
    const { ids, outcome } = await fetchAll(client);
    // Assess
    expect(ids.sort()).toEqual(sortedIds(expected));
    const pages = Math.ceil(expected.length / 100);
    expect(outcome).toEqual({ reportedCount: expected.length, uniqueCount: expected.length, pages });
    expect(client.stats).toEqual({ requests: pages, pages, retries: 0, throttled: 0 });
    expect(
      listRequests()
        .map(startOf)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: pages }, (_, i) => i * 100));
    expectNoRefetchWithoutFailure();
  });

  it('sends the filters on every request and gets the filtered data', async () => {
    const critical = expected.filter((c) => c.priority === 'Critical');
    const { ids, outcome } = await fetchAll(makeClient(), { priority: '3' });
    expect(ids.sort()).toEqual(sortedIds(critical));
    expect(outcome.reportedCount).toBe(critical.length);
    expect(listRequests().every((r) => (r.body as { priority?: string }).priority === '3')).toBe(true);
  });

  it('countCases is one limit-1 request', async () => {
    const count = await makeClient().countCases({ ...WINDOW, filters: {} });
    expect(count).toBe(expected.length);
    expect(listRequests().map((r) => r.body)).toEqual([{ ...WINDOW, start: 0, limit: 1 }]);
  });
});

describe('faults that retries absorb: exact results', () => {
  const cases: [string, Fault, number][] = [
    ['HTTP 503 twice', { kind: 'status', status: 503 }, 2],
    ['HTTP 502', { kind: 'status', status: 502 }, 1],
    ['HTTP 429 with Retry-After 0', { kind: 'rate-limit', retryAfterSeconds: 0 }, 1],
    ['a hang past the timeout', { kind: 'hang', ms: 1_000 }, 1],
    ['a connection reset mid-body', { kind: 'reset' }, 1],
    ['a truncated (invalid JSON) body', { kind: 'malformed' }, 2],
  ];

  it.each(cases)('%s on the second page', async (_name, fault, times) => {
    // Prepare
    sandbox.injectFault({ fault, times, when: { start: 100 } });
    const client = makeClient({ timeoutMs: 200 });
    // Act
    const { ids, outcome } = await fetchAll(client);
    // Assess
    expect(ids.sort()).toEqual(sortedIds(expected));
    expect(outcome.uniqueCount).toBe(expected.length);
    expect(client.stats.retries).toBe(times);
    expect(listRequests().filter((r) => startOf(r) === 100)).toHaveLength(times + 1);
    expectNoRefetchWithoutFailure();
  });

  it('waits at least Retry-After before repeating a rate-limited request', async () => {
    sandbox.injectFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 1 }, when: { start: 0 } });
    const { outcome } = await fetchAll(makeClient());
    expect(outcome.uniqueCount).toBe(expected.length);
    const [limited, repeat] = listRequests().filter((r) => startOf(r) === 0);
    expect(limited?.status).toBe(429);
    expect((repeat?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });
});

describe('faults that fail the query: typed errors', () => {
  it('a resCode error is an AiccApiError, not retried', async () => {
    sandbox.injectFault({
      fault: { kind: 'res-code', resCode: '500001', resMsg: 'system busy' },
      when: { start: 200 },
    });
    const client = makeClient();
    const error = await fetchAll(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccApiError);
    expect(error).toMatchObject({ resCode: '500001', resMsg: 'system busy' });
    expect((error as Error).message).toContain('start 200');
    expect(listRequests().filter((r) => startOf(r) === 200)).toHaveLength(1);
    expect(client.stats.retries).toBe(0);
  });

  it('a persistent 503 fails after the policy retries with AiccHttpError', async () => {
    sandbox.injectFault({
      fault: { kind: 'status', status: 503 },
      times: Number.POSITIVE_INFINITY,
      when: { start: 100 },
    });
    const client = makeClient({ retry: { ...FAST_RETRY, retries: 3 } });
    const error = await fetchAll(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccHttpError);
    expect((error as AiccHttpError).status).toBe(503);
    expect(listRequests().filter((r) => startOf(r) === 100)).toHaveLength(4);
  });

  it('persistent invalid JSON fails with AiccResponseError', async () => {
    sandbox.injectFault({
      fault: { kind: 'malformed' },
      times: Number.POSITIVE_INFINITY,
      when: { start: 0 },
    });
    await expect(fetchAll(makeClient({ retry: { ...FAST_RETRY, retries: 1 } }))).rejects.toThrow(
      AiccResponseError,
    );
  });

  it('a page that keeps hanging fails with AiccNetworkError', async () => {
    sandbox.injectFault({
      fault: { kind: 'hang', ms: 1_000 },
      times: Number.POSITIVE_INFINITY,
      when: { start: 0 },
    });
    const error = await fetchAll(makeClient({ timeoutMs: 100, retry: { ...FAST_RETRY, retries: 1 } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AiccNetworkError);
    expect((error as Error).message).toMatch(/timed out after 100 ms/);
  });

  it('the deadline stops a hanging run cleanly', async () => {
    sandbox.injectFault({
      fault: { kind: 'hang', ms: 5_000 },
      times: Number.POSITIVE_INFINITY,
      when: { start: 100 },
    });
    const before = sandbox.requests.length;
    const error = await fetchAll(makeClient({ timeoutMs: 2_000, signal: AbortSignal.timeout(300) })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AiccDeadlineError);
    expect((error as Error).message).toMatch(/invocation deadline was reached/);
    // Stopped by the deadline while the page hung: no per-request timeout fired, nothing was retried.
    const hanging = sandbox.requests
      .slice(before)
      .filter((r) => (r.body as { start?: number }).start === 100);
    expect(hanging).toHaveLength(1);
  });
});

describe('live data', () => {
  it('counts duplicated rows once and shows uniqueCount < reportedCount', async () => {
    // Prepare
    sandbox.injectFault({ fault: { kind: 'duplicate', rows: 7 }, when: { start: 100 } });
    const batches: string[][] = [];
    // Act
    const outcome = await makeClient().forEachCase({ ...WINDOW, filters: {} }, (page) =>
      batches.push(page.map((c) => String(c.id))),
    );
    // Assess
    const ids = batches.flat();
    expect(new Set(ids).size).toBe(ids.length);
    expect(outcome).toMatchObject({ reportedCount: expected.length, uniqueCount: expected.length - 7 });
    const known = new Set(sortedIds(expected));
    expect(ids.every((id) => known.has(id))).toBe(true);
    expectNoRefetchWithoutFailure();
  });

  it('a growing count extends the paging; every case there before is still found', async () => {
    // Prepare: 150 new cases appear ahead of the window's newest right after the first page.
    sandbox.injectFault({ fault: { kind: 'grow', by: 150 }, when: { start: 0 } });
    const before = sortedIds(expected);
    // Act
    const { ids, outcome } = await fetchAll(makeClient());
    // Assess
    const grown = expected.length + 150;
    expect(outcome.reportedCount).toBe(grown);
    expect(outcome.pages).toBe(Math.ceil(grown / 100));
    expect(new Set(ids).size).toBe(ids.length);
    const got = new Set(ids);
    expect(before.every((id) => got.has(id))).toBe(true);
    expect(outcome.uniqueCount).toBeLessThan(outcome.reportedCount);
    expect(
      listRequests()
        .map(startOf)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: outcome.pages }, (_, i) => i * 100));
  });
});

describe('tokens', () => {
  it('token expiry mid-run: one refresh (client credentials), exact results', async () => {
    // Prepare: tokens expire after the first page, while 4 pages are about to run at once.
    let expired = false;
    const client = makeClient({
      credentials: { kind: 'client', clientId: 'sandbox-client', clientSecret: 'sandbox-secret' },
      onProgress: () => {
        if (!expired) sandbox.expireTokens();
        expired = true;
      },
    });
    // Act
    const { ids } = await fetchAll(client);
    // Assess
    expect(ids.sort()).toEqual(sortedIds(expected));
    const tokenRequests = sandbox.requests.filter((r) => r.path === TOKEN_PATH);
    expect(tokenRequests).toHaveLength(2);
    expect(tokenRequests[0]?.body).toEqual({
      grant_type: 'client_credentials',
      client_id: 'sandbox-client',
      client_secret: 'sandbox-secret',
    });
    const rejected = listRequests().filter((r) => r.status === 401);
    expect(rejected.length).toBeGreaterThan(0);
    expect(client.stats.requests).toBe(client.stats.pages + rejected.length);
    expect(client.stats.retries).toBe(0);
  });

  it('one unauthorized answer: the request is repeated and the run completes', async () => {
    sandbox.injectFault({ fault: { kind: 'unauthorized' }, when: { start: 100 } });
    const client = makeClient();
    const { outcome } = await fetchAll(client);
    expect(outcome.uniqueCount).toBe(expected.length);
    expect(listRequests().filter((r) => startOf(r) === 100)).toHaveLength(2);
  });

  it('a second 403 is an AiccHttpError; no token in the error, its causes or the logs', async () => {
    // Prepare
    sandbox.injectFault({ fault: { kind: 'unauthorized', status: 403 }, times: 2, when: { start: 0 } });
    const logged: unknown[] = [];
    const logger = { debug: (...a: unknown[]) => logged.push(a), warn: (...a: unknown[]) => logged.push(a) };
    const client = makeClient({ logger });
    // Act
    const error = await fetchAll(client).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AiccHttpError);
    expect((error as AiccHttpError).status).toBe(403);
    const shown = [
      JSON.stringify(error),
      String(error),
      String((error as Error).cause),
      inspect(error, { depth: 10, showHidden: true }),
      JSON.stringify(logged),
      JSON.stringify(client.stats),
    ].join('\n');
    expect(shown).not.toContain('sandbox-token');
  });

  it('refused client credentials are an AiccAuthError without the secret', async () => {
    const client = makeClient({
      credentials: { kind: 'client', clientId: 'sandbox-client', clientSecret: 'wrong-secret-123' },
    });
    const error = await client.countCases({ ...WINDOW, filters: {} }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AiccAuthError');
    expect((error as Error).message).toContain('invalid_client');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('wrong-secret-123');
    expect(listRequests()).toHaveLength(0);
  });
});
