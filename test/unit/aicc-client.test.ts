import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AiccClient,
  type AiccClientOptions,
  CASE_LIST_PATH,
} from '../../functions/case-digest/aicc/client.js';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import { createTokenSource, TOKEN_PATH, type TokenSource } from '../../functions/case-digest/aicc/token.js';
import {
  AiccApiError,
  AiccAuthError,
  AiccDeadlineError,
  AiccHttpError,
  AiccNetworkError,
  AiccResponseError,
} from '../../functions/case-digest/errors.js';

const TOKEN = 'S3CRET-access-token-0000';
const WINDOW = { startTime: '2026-11-26 00:00:00', endTime: '2026-11-26 23:59:59' };

// --- A tiny AICC stand-in: one per test, real HTTP on 127.0.0.1 -------------------------------

interface Seen {
  body: Record<string, unknown>;
  token: string | undefined;
  contentType: string | undefined;
}

type Reply =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string>; delayMs?: number }
  | 'reset';

interface StubOptions {
  cases?: CaseRecord[];
  latencyMs?: number;
  /** Overrides the normal answer for the n-th (0-based) list request or a given request. */
  reply?: (seen: Seen, n: number) => Reply | undefined;
  /** Token endpoint: issues `issued-1`, `issued-2`, … */
  validTokens?: (token: string | undefined) => boolean;
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function makeCases(n: number, prefix = 'c'): CaseRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(6, '0')}`,
    caseNo: String(i),
    priority: i % 4 === 0 ? 'Critical' : 'Low',
    state: 'Processing',
    'type.__objectType': 'AICC__CaseType__CST',
  }));
}

async function startStub(options: StubOptions = {}) {
  const cases = options.cases ?? makeCases(250);
  const seen: Seen[] = [];
  const tokenRequests: URLSearchParams[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const answer = (res: ServerResponse, reply: Exclude<Reply, 'reset'>) => {
    const body = reply.text ?? JSON.stringify(reply.json);
    const headers = { 'Content-Type': 'application/json%3Bcharset=UTF-8', ...reply.headers };
    setTimeout(
      () => {
        inFlight--;
        res.writeHead(reply.status ?? 200, headers).end(body);
      },
      reply.delayMs ?? options.latencyMs ?? 0,
    );
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (req.url === TOKEN_PATH) {
      const form = new URLSearchParams(raw);
      tokenRequests.push(form);
      answer(res, {
        json: { access_token: `issued-${tokenRequests.length}`, expires_in: 7200, token_type: 'Bearer' },
      });
      return;
    }
    expect(req.url).toBe(CASE_LIST_PATH);
    const token = req.headers['access-token'] as string | undefined;
    const s: Seen = { body: JSON.parse(raw), token, contentType: req.headers['content-type'] };
    const n = seen.push(s) - 1;
    const custom = options.reply?.(s, n);
    if (custom === 'reset') {
      inFlight--;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"resCode":"0","resMsg":"succ', () => res.destroy());
      return;
    }
    if (custom) return answer(res, custom);
    if (options.validTokens && !options.validTokens(token)) {
      return answer(res, {
        status: 401,
        json: { resCode: '401', resMsg: `token ${token} invalid or expired` },
      });
    }
    const start = Number(s.body.start);
    const limit = Number(s.body.limit);
    answer(res, {
      json: {
        resCode: '0',
        resMsg: 'success',
        result: [{ caseList: cases.slice(start, start + limit), count: cases.length }],
      },
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() && server.closeAllConnections() });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    tokenRequests,
    get maxInFlight() {
      return maxInFlight;
    },
    starts: () => seen.map((s) => Number(s.body.start)),
  };
}

function staticTokens(...tokens: string[]) {
  let i = 0;
  const source: TokenSource & { refreshes: (string | undefined)[] } = {
    refreshes: [],
    async getToken(options) {
      if (options?.stale !== undefined) {
        source.refreshes.push(options.stale);
        i = Math.min(i + 1, tokens.length - 1);
      }
      return tokens[i] ?? '';
    },
  };
  return source;
}

function recordingLogger() {
  const calls: unknown[][] = [];
  return {
    calls,
    debug: (...args: unknown[]) => calls.push(['debug', ...args]),
    warn: (...args: unknown[]) => calls.push(['warn', ...args]),
  };
}

function client(url: string, overrides: Partial<AiccClientOptions> = {}) {
  return new AiccClient({
    baseUrl: url,
    tokenSource: staticTokens(TOKEN),
    timeoutMs: 2_000,
    concurrency: 4,
    retry: { minDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  });
}

async function collect(c: AiccClient, filters: Record<string, string> = {}) {
  const ids: string[] = [];
  const outcome = await c.forEachCase({ ...WINDOW, filters }, (cases) => {
    for (const x of cases) ids.push(String(x.id));
  });
  return { ids, outcome };
}

const listOk = (cases: CaseRecord[], count: number) => ({
  json: { resCode: '0', resMsg: 'success', result: [{ caseList: cases, count }] },
});

/** Everything an error could show: message, enumerable props, the cause chain, the stack. */
const everythingIn = (error: unknown) =>
  [JSON.stringify(error), String(error), inspect(error, { depth: 10, showHidden: true })].join('\n');

// --- Tests ---------------------------------------------------------------------------------------

describe('AiccClient requests', () => {
  it('POSTs JSON with access-token; body is filters, window, start and limit', async () => {
    // Prepare
    const stub = await startStub({ cases: makeCases(3) });
    // Act
    const page = await client(stub.url).fetchPage({ start: 0, limit: 2, priority: '3' });
    const count = await client(stub.url).countCases({
      ...WINDOW,
      filters: { priority: '3', region: 'North' },
    });
    // Assess
    expect(page).toEqual({ cases: makeCases(2), count: 3 });
    expect(count).toBe(3);
    expect(stub.seen[0]).toEqual({
      body: { start: 0, limit: 2, priority: '3' },
      token: TOKEN,
      contentType: 'application/json',
    });
    expect(stub.seen[1]?.body).toEqual({ priority: '3', region: 'North', ...WINDOW, start: 0, limit: 1 });
  });

  it('a filter cannot override the window or the paging fields', async () => {
    const stub = await startStub({ cases: makeCases(1) });
    await client(stub.url).countCases({
      ...WINDOW,
      filters: { startTime: '2000-01-01 00:00:00', start: '7' },
    });
    expect(stub.seen[0]?.body).toMatchObject({ startTime: WINDOW.startTime, start: 0, limit: 1 });
  });
});

describe('AiccClient.forEachCase paging', () => {
  it('fetches every page once and streams every case once', async () => {
    // Prepare
    const stub = await startStub({ cases: makeCases(250) });
    const progress: [number, number][] = [];
    const c = client(stub.url, { onProgress: (p) => progress.push([p.pagesDone, p.pagesTotal]) });
    // Act
    const { ids, outcome } = await collect(c);
    // Assess
    expect(outcome).toEqual({ reportedCount: 250, uniqueCount: 250, pages: 3 });
    expect(new Set(ids).size).toBe(250);
    expect(stub.starts().sort((a, b) => a - b)).toEqual([0, 100, 200]);
    expect(stub.seen.every((s) => s.body.limit === 100)).toBe(true);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(c.stats).toEqual({ requests: 3, pages: 3, retries: 0, throttled: 0 });
  });

  it('never has more than `concurrency` pages in flight', async () => {
    const stub = await startStub({ cases: makeCases(2_000), latencyMs: 15 });
    const { outcome } = await collect(client(stub.url, { concurrency: 3 }));
    expect(outcome.uniqueCount).toBe(2_000);
    expect(stub.maxInFlight).toBe(3);
    expect(new Set(stub.starts()).size).toBe(20);
  });

  it('grows the shared pool with successes up to maxConcurrency, and reports it', async () => {
    const stub = await startStub({ cases: makeCases(1_000), latencyMs: 5 });
    const c = client(stub.url, { concurrency: 1, maxConcurrency: 3 });
    const { outcome } = await collect(c);
    expect(outcome.uniqueCount).toBe(1_000);
    // 1 success at C = 1 → 2, 2 more at C = 2 → 3; the remaining 7 pages stay at the ceiling.
    expect(c.concurrency).toEqual({ start: 1, max: 3, final: 3, peak: 3 });
    expect(stub.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('an empty query is one request', async () => {
    const stub = await startStub({ cases: [] });
    const { outcome } = await collect(client(stub.url));
    expect(outcome).toEqual({ reportedCount: 0, uniqueCount: 0, pages: 1 });
    expect(stub.seen).toHaveLength(1);
  });

  it('counts a case seen on two pages once, and shows the shortfall against count', async () => {
    // Prepare: page 2 repeats the last 5 rows of page 1 (data shifted between requests)
    const cases = makeCases(250);
    const stub = await startStub({
      cases,
      reply: (s) => (s.body.start === 100 ? listOk(cases.slice(95, 195), 250) : undefined),
    });
    const batches: string[][] = [];
    // Act
    const outcome = await client(stub.url).forEachCase({ ...WINDOW, filters: {} }, (page) =>
      batches.push(page.map((x) => String(x.id))),
    );
    // Assess
    const all = batches.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(outcome).toEqual({ reportedCount: 250, uniqueCount: 245, pages: 3 });
  });

  it('extends the paging when a later page reports a larger count', async () => {
    const cases = makeCases(330);
    const stub = await startStub({
      cases,
      reply: (_s, n) => (n === 0 ? listOk(cases.slice(0, 100), 150) : undefined),
    });
    const { ids, outcome } = await collect(client(stub.url, { concurrency: 2 }));
    expect(outcome).toEqual({ reportedCount: 330, uniqueCount: 330, pages: 4 });
    expect(new Set(ids).size).toBe(330);
    expect(stub.starts().sort((a, b) => a - b)).toEqual([0, 100, 200, 300]);
  });

  it('a failed page fails the query, and no new page starts after it', async () => {
    // Prepare
    const stub = await startStub({
      cases: makeCases(1_000),
      reply: (s) =>
        s.body.start === 300 ? { json: { resCode: '500001', resMsg: 'internal error' } } : undefined,
    });
    // Act
    const error = await collect(client(stub.url, { concurrency: 1 })).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AiccApiError);
    expect((error as Error).message).toContain('start 300');
    expect((error as Error).message).toContain(WINDOW.startTime);
    expect(stub.starts()).toEqual([0, 100, 200, 300]);
  });

  it('an error thrown by onPage fails the query (a bug is not retried)', async () => {
    const stub = await startStub({ cases: makeCases(250) });
    const bug = new TypeError('cannot read x');
    const c = client(stub.url, { concurrency: 1 });
    let pages = 0;
    await expect(
      c.forEachCase({ ...WINDOW, filters: {} }, () => {
        if (++pages === 2) throw bug;
      }),
    ).rejects.toBe(bug);
    expect(c.stats.retries).toBe(0);
    expect(stub.seen).toHaveLength(2);
  });
});

describe('AiccClient retries', () => {
  it.each([
    ['HTTP 503', { status: 503, text: '<html>503</html>', headers: { 'Content-Type': 'text/html' } }, 0],
    [
      'HTTP 429 with Retry-After: 0',
      { status: 429, json: { error_code: 'APIG.0308' }, headers: { 'Retry-After': '0' } },
      1,
    ],
    ['invalid JSON', { text: '{"resCode":"0","res' }, 0],
    ['a connection reset', 'reset' as const, 0],
  ])('retries %s and then gets the exact data', async (_name, fault, throttled) => {
    // Prepare
    const stub = await startStub({ cases: makeCases(250), reply: (_s, n) => (n === 1 ? fault : undefined) });
    const c = client(stub.url);
    // Act
    const { ids, outcome } = await collect(c);
    // Assess
    expect(outcome.uniqueCount).toBe(250);
    expect(new Set(ids).size).toBe(250);
    expect(c.stats).toEqual({ requests: 4, pages: 3, retries: 1, throttled });
  });

  it('a request past its timeout is retried', async () => {
    const stub = await startStub({
      cases: makeCases(50),
      reply: (_s, n) => (n === 0 ? { delayMs: 500, json: {} } : undefined),
    });
    const c = client(stub.url, { timeoutMs: 100 });
    const { outcome } = await collect(c);
    expect(outcome.uniqueCount).toBe(50);
    expect(c.stats).toEqual({ requests: 2, pages: 1, retries: 1, throttled: 0 });
  });

  it('gives up after the policy retries with a typed error', async () => {
    const stub = await startStub({ reply: () => ({ text: 'not json' }) });
    const c = client(stub.url, { retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } });
    const error = await c.countCases({ ...WINDOW, filters: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccResponseError);
    expect(c.stats).toEqual({ requests: 3, pages: 0, retries: 2, throttled: 0 });
  });

  it('times out for good as an AiccNetworkError', async () => {
    const stub = await startStub({ reply: () => ({ delayMs: 300, json: {} }) });
    const c = client(stub.url, { timeoutMs: 50, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
    await expect(c.countCases({ ...WINDOW, filters: {} })).rejects.toThrow(AiccNetworkError);
  });

  it.each([
    ['HTTP 404', { status: 404, text: 'no route' }, AiccHttpError],
    ['HTTP 400', { status: 400, text: 'bad request' }, AiccHttpError],
    [
      'a wrong shape',
      { json: { resCode: '0', result: [{ caseList: [{ id: { nested: 7 } }], count: 1 }] } },
      AiccResponseError,
    ],
    [
      'a resCode error',
      { json: { resCode: '400', resMsg: 'limit must be between 1 and 100' } },
      AiccApiError,
    ],
  ])('does not retry %s', async (_name, reply, type) => {
    const stub = await startStub({ reply: () => reply });
    const c = client(stub.url);
    await expect(c.countCases({ ...WINDOW, filters: {} })).rejects.toThrow(type);
    expect(c.stats).toEqual({ requests: 1, pages: 0, retries: 0, throttled: 0 });
  });

  it('stops at the deadline with a clear error, the last failure as cause', async () => {
    // Prepare
    const stub = await startStub({ reply: () => ({ status: 503, text: 'down' }) });
    const c = client(stub.url, {
      signal: AbortSignal.timeout(150),
      retry: { retries: 100, minDelayMs: 20, maxDelayMs: 20 },
    });
    // Act
    const error = await collect(c).catch((e: unknown) => e);
    // Assess: the deadline stopped it, not the exhausted policy (an attempt count, not a timing).
    expect(error).toBeInstanceOf(AiccDeadlineError);
    expect((error as Error).message).toMatch(/deadline was reached/);
    expect((error as Error).cause).toBeInstanceOf(AiccHttpError);
    expect(c.stats.requests).toBeGreaterThanOrEqual(1);
    expect(c.stats.retries).toBeLessThan(100);
  });

  it('does not start a wait that would outlast a known deadline', async () => {
    const stub = await startStub({
      reply: () => ({ status: 429, json: {}, headers: { 'Retry-After': '30' } }),
    });
    // The client's clock is fixed: the deadline is 5 s after its "now", the wait asked for 30 s.
    const now = new Date('2026-11-27T02:00:00Z');
    const c = client(stub.url, {
      now: () => now,
      signal: AbortSignal.timeout(20_000),
      deadlineAt: now.getTime() + 5_000,
    });
    const error = await c.countCases({ ...WINDOW, filters: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccDeadlineError);
    expect((error as Error).message).toMatch(/outlast the invocation deadline/);
    // Given up after the one answer, without waiting for a second attempt.
    expect(c.stats).toEqual({ requests: 1, pages: 0, retries: 0, throttled: 1 });
  });
});

describe('AiccClient tokens', () => {
  it('a resCode error whose resMsg quotes the token names the error without the token', async () => {
    const stub = await startStub({
      reply: () => ({
        json: { resCode: '1', resMsg: `access-token ${TOKEN} is not authorised for this tenant` },
      }),
    });
    const error = await client(stub.url)
      .countCases({ ...WINDOW, filters: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccApiError);
    expect(String(error)).toContain('is not authorised for this tenant');
    expect(`${String(error)} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain(TOKEN);
  });

  it('refuses a token with a line break before any request, without quoting it', async () => {
    const stub = await startStub({ cases: makeCases(1) });
    const tokenSource = createTokenSource({
      baseUrl: stub.url,
      credentials: { kind: 'token', token: 'tok\nS3CRET-line-two' },
      timeoutMs: 1000,
    });
    const error = await client(stub.url, { tokenSource })
      .countCases({ ...WINDOW, filters: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccAuthError);
    expect(`${String(error)} ${inspect(error)}`).not.toContain('S3CRET-line-two');
    expect(stub.seen).toHaveLength(0);
  });

  it('on 401 refreshes once and repeats the request', async () => {
    // Prepare
    const stub = await startStub({ cases: makeCases(10), validTokens: (t) => t === 'fresh-token' });
    const tokens = staticTokens('old-token', 'fresh-token');
    const c = client(stub.url, { tokenSource: tokens });
    // Act
    const { outcome } = await collect(c);
    // Assess
    expect(outcome.uniqueCount).toBe(10);
    expect(tokens.refreshes).toEqual(['old-token']);
    expect(stub.seen.map((s) => s.token)).toEqual(['old-token', 'fresh-token']);
    expect(c.stats).toEqual({ requests: 2, pages: 1, retries: 0, throttled: 0 });
  });

  it('a second 401/403 is an AiccHttpError with the status; the token shows up nowhere', async () => {
    // Prepare
    const stub = await startStub({
      reply: (s) => ({
        status: s.token === TOKEN ? 401 : 403,
        json: { resCode: '403', resMsg: `access denied for ${s.token}` },
      }),
    });
    const logger = recordingLogger();
    const refreshed = `${TOKEN}-refreshed`;
    const c = client(stub.url, { tokenSource: staticTokens(TOKEN, refreshed), logger });
    // Act
    const error = await collect(c).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AiccHttpError);
    expect((error as AiccHttpError).status).toBe(403);
    const exposed = [everythingIn(error), JSON.stringify(logger.calls), JSON.stringify(c.stats)].join('\n');
    expect(exposed).not.toContain(TOKEN);
    expect(stub.seen).toHaveLength(2);
  });

  it('quotes error bodies with the token redacted, and never logs it while retrying', async () => {
    const stub = await startStub({ reply: () => ({ status: 500, text: `upstream rejected ${TOKEN}` }) });
    const logger = recordingLogger();
    const c = client(stub.url, { logger, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 } });
    const error = await c.countCases({ ...WINDOW, filters: {} }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('upstream rejected [redacted]');
    expect(logger.calls.filter(([level]) => level === 'warn')).toHaveLength(2);
    expect([everythingIn(error), JSON.stringify(logger.calls)].join()).not.toContain(TOKEN);
  });

  it('16 pages rejected at once cause one token refresh (client credentials)', async () => {
    // Prepare: after the first page, the first token stops working while 16 pages are in flight.
    let accepted = 'issued-1';
    const stub = await startStub({
      cases: makeCases(1_700),
      latencyMs: 10,
      validTokens: (t) => t === accepted,
    });
    const tokenSource = createTokenSource({
      baseUrl: stub.url,
      credentials: { kind: 'client', clientId: 'id', clientSecret: 'secret' },
      timeoutMs: 1_000,
    });
    const onProgress = () => {
      accepted = 'issued-2';
    };
    const c = client(stub.url, { tokenSource, concurrency: 16, onProgress });
    // Act
    const { outcome } = await collect(c);
    // Assess
    expect(outcome.uniqueCount).toBe(1_700);
    expect(stub.tokenRequests).toHaveLength(2);
    expect(stub.seen.filter((s) => s.token === 'issued-1')).toHaveLength(17);
    expect(c.stats).toEqual({ requests: 33, pages: 17, retries: 0, throttled: 0 });
    expect(stub.tokenRequests[0]?.get('client_secret')).toBe('secret');
  });
});

describe('AiccClient options', () => {
  it('rejects impossible settings', () => {
    const base = { baseUrl: 'http://x', tokenSource: staticTokens('t'), timeoutMs: 1, concurrency: 1 };
    expect(() => new AiccClient({ ...base, pageSize: 101 })).toThrow(/pageSize/);
    expect(() => new AiccClient({ ...base, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new AiccClient({ ...base, retry: { retires: 1 } as never })).toThrow(/retires/);
  });

  it('uses the injected fetch', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify(listOk(makeCases(1), 1).json)));
    const c = new AiccClient({
      baseUrl: 'http://aicc.invalid/',
      tokenSource: staticTokens('t'),
      timeoutMs: 100,
      concurrency: 1,
      fetch,
    });
    expect(await c.countCases({ ...WINDOW, filters: {} })).toBe(1);
    expect(fetch).toHaveBeenCalledWith(`http://aicc.invalid${CASE_LIST_PATH}`, expect.anything());
  });
});
