import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FaultRule,
  LIST_PATH,
  peakInFlight,
  type Sandbox,
  startSandbox,
  TOKEN_PATH,
  VENDOR_CONTENT_TYPE,
} from '../../sandbox/server.js';
import { CREDENTIALS, countOf, idsOf, postList, postToken } from './helpers.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const PAGE = { start: 0, limit: 100 };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    timezone: 'UTC',
    seed: 3,
    casesPerDay: 100,
    days: 3,
    endDate: '2026-11-26',
    now: () => NOW,
  });
});
afterAll(() => sandbox?.close());
beforeEach(() => {
  sandbox.clearFaults();
  sandbox.setLatency(0);
});

const rawList = (body: unknown = PAGE, signal?: AbortSignal) =>
  fetch(`${sandbox.url}${LIST_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'access-token': 'sandbox-token' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
const lastFault = () => sandbox.requests.at(-1)?.fault;

describe('fault kinds', () => {
  it('status: answers that status with a gateway HTML page, once, then normally', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 503 } });
    const res = await rawList();
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toContain('503 Service Unavailable');
    expect(lastFault()).toBe('status');
    expect((await postList(sandbox, PAGE)).json.resCode).toBe('0');
    expect(lastFault()).toBeNull();
  });

  it('status: with the given body', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 500, body: 'boom' } });
    const res = await rawList();
    expect([res.status, await res.text()]).toEqual([500, 'boom']);
  });

  it('rate-limit: HTTP 429 with Retry-After', async () => {
    sandbox.injectFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 7 } });
    const res = await rawList();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toMatchObject({ error_code: 'APIG.0308' });
  });

  it('hang: outlasts a client timeout', async () => {
    sandbox.injectFault({ fault: { kind: 'hang', ms: 2_000 } });
    await expect(rawList(PAGE, AbortSignal.timeout(50))).rejects.toThrow(/timeout|abort/i);
    // The client gave up while the sandbox still held the answer back.
    expect(sandbox.requests.at(-1)).toMatchObject({ fault: 'hang', status: 0, answeredAt: null });
    expect((await postList(sandbox, PAGE)).json.resCode).toBe('0');
  });

  it('hang: then answers normally', async () => {
    sandbox.injectFault({ fault: { kind: 'hang', ms: 60 } });
    const started = Date.now();
    const answer = await postList(sandbox, PAGE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(idsOf(answer)).toEqual(sandbox.cases.slice(0, 100).map((c) => c.id));
  });

  it('reset: headers arrive, then the body breaks off', async () => {
    sandbox.injectFault({ fault: { kind: 'reset' } });
    const res = await rawList();
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect((await postList(sandbox, PAGE)).json.resCode).toBe('0');
  });

  it('malformed: HTTP 200 with truncated JSON', async () => {
    sandbox.injectFault({ fault: { kind: 'malformed' } });
    const res = await rawList();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(VENDOR_CONTENT_TYPE);
    const text = await res.text();
    expect(text.startsWith('{"resCode":"0"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('res-code: HTTP 200 with the given resCode and resMsg', async () => {
    sandbox.injectFault({ fault: { kind: 'res-code', resCode: '500001', resMsg: 'tenant busy' } });
    const answer = await postList(sandbox, PAGE);
    expect([answer.status, answer.json]).toEqual([200, { resCode: '500001', resMsg: 'tenant busy' }]);
  });

  it.each([
    [undefined, 401],
    [403, 403],
  ] as const)('unauthorized (%s): answers %i although the token is valid', async (status, expected) => {
    sandbox.injectFault({ fault: { kind: 'unauthorized', ...(status ? { status } : {}) } });
    const answer = await postList(sandbox, PAGE);
    expect(answer.status).toBe(expected);
    expect(answer.json.resCode).toBe(String(expected));
    expect((await postList(sandbox, PAGE)).status).toBe(200);
  });

  it('grow: answers normally, then newer cases push every offset page down', async () => {
    const sb = await startSandbox({
      timezone: 'UTC',
      casesPerDay: 300,
      days: 1,
      endDate: '2026-11-26',
      now: () => NOW,
    });
    try {
      const window = { startTime: '2026-11-26 00:00:00', endTime: '2026-11-26 23:59:59' };
      const before = sb.cases.map((c) => c.id);
      sb.injectFault({ fault: { kind: 'grow', by: 3 } });
      const first = await postList(sb, { ...window, start: 0, limit: 100 });
      expect(idsOf(first)).toEqual(before.slice(0, 100));
      expect(countOf(first)).toBe(300);
      const second = await postList(sb, { ...window, start: 100, limit: 100 });
      expect(countOf(second)).toBe(303);
      expect(idsOf(second)).toEqual(before.slice(97, 197));
      expect(sb.cases).toHaveLength(303);
      const grown = sb.cases.slice(0, 3);
      expect(grown.map((c) => c.createdDate)).toEqual(Array(3).fill(sb.cases[3]?.createdDate));
      expect(new Set(sb.cases.map((c) => c.id)).size).toBe(303);
    } finally {
      await sb.close();
    }
  });

  it('grow: new cases match the query that triggered it, so its count grows', async () => {
    const sb = await startSandbox({
      timezone: 'UTC',
      casesPerDay: 300,
      days: 2,
      endDate: '2026-11-26',
      now: () => NOW,
    });
    try {
      const query = {
        startTime: '2026-11-25 00:00:00',
        endTime: '2026-11-25 23:59:59',
        priority: '3',
        limit: 10,
      };
      sb.injectFault({ fault: { kind: 'grow', by: 2 } });
      const first = await postList(sb, { ...query, start: 0 });
      const again = await postList(sb, { ...query, start: 0 });
      expect(countOf(again)).toBe((countOf(first) ?? 0) + 2);
      expect(idsOf(again).slice(2)).toEqual(idsOf(first).slice(0, 8));
    } finally {
      await sb.close();
    }
  });

  it("duplicate: the page's first rows are the previous page's last rows; count unchanged", async () => {
    const normal0 = idsOf(await postList(sandbox, PAGE));
    const normal1 = idsOf(await postList(sandbox, { start: 100, limit: 100 }));
    sandbox.injectFault({ fault: { kind: 'duplicate', rows: 5 } });
    // The first page has nothing before it: the rule waits for a later page.
    expect(idsOf(await postList(sandbox, PAGE))).toEqual(normal0);
    expect(lastFault()).toBeNull();
    const answer = await postList(sandbox, { start: 100, limit: 100 });
    expect(lastFault()).toBe('duplicate');
    expect(idsOf(answer)).toEqual([...normal0.slice(95), ...normal1.slice(5)]);
    expect(countOf(answer)).toBe(sandbox.cases.length);
  });
});

describe('redirect fault', () => {
  const ELSEWHERE = 'http://127.0.0.1:9/elsewhere?x=1';
  const noFollow = (path: string, init: RequestInit) =>
    fetch(`${sandbox.url}${path}`, { method: 'POST', redirect: 'manual', ...init });

  it.each([301, 302, 303, 307, 308] as const)(
    'list %i: that status, a Location header and nothing else; then normal answers',
    async (status) => {
      sandbox.injectFault({ fault: { kind: 'redirect', status, location: ELSEWHERE } });
      const res = await noFollow(LIST_PATH, {
        headers: { 'access-token': 'sandbox-token' },
        body: JSON.stringify(PAGE),
      });
      expect(res.status).toBe(status);
      expect(res.headers.get('location')).toBe(ELSEWHERE);
      expect(res.headers.get('content-type')).toBeNull();
      expect(res.headers.get('content-length')).toBe('0');
      expect(await res.text()).toBe('');
      expect(sandbox.requests.at(-1)).toMatchObject({ fault: 'redirect', status });
      expect((await postList(sandbox, PAGE)).status).toBe(200);
    },
  );

  it('token path: redirects the token request, not the case list', async () => {
    sandbox.injectFault({
      fault: { kind: 'redirect', status: 307, location: ELSEWHERE },
      when: { path: 'token' },
    });
    expect((await rawList()).status).toBe(200);
    const res = await noFollow(TOKEN_PATH, { body: new URLSearchParams(CREDENTIALS) });
    expect([res.status, res.headers.get('location')]).toEqual([307, ELSEWHERE]);
    expect((await postToken(sandbox, CREDENTIALS)).status).toBe(200);
  });

  it('is a real redirect: a client that follows a 307 re-sends the request, token and all, to the target', async () => {
    const seen: { path: string | undefined; token: string | string[] | undefined; body: string }[] = [];
    const target = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ path: req.url, token: req.headers['access-token'], body });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      const location = `http://127.0.0.1:${(target.address() as AddressInfo).port}/stolen`;
      sandbox.injectFault({ fault: { kind: 'redirect', status: 307, location } });
      await (await rawList()).text(); // fetch's default: redirect 'follow'
      // Why clients must not follow: the other origin got the access token.
      expect(seen).toEqual([{ path: '/stolen', token: 'sandbox-token', body: JSON.stringify(PAGE) }]);
    } finally {
      await new Promise((resolve) => target.close(resolve));
    }
  });
});

describe('fault rules', () => {
  it('times: hits that many matching requests, then stops', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 502 }, times: 2 });
    expect((await rawList()).status).toBe(502);
    expect((await rawList()).status).toBe(502);
    expect((await rawList()).status).toBe(200);
  });

  it('when.start: only the page at that offset', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 500 }, when: { start: 200 }, times: Infinity });
    expect((await rawList({ start: 0, limit: 100 })).status).toBe(200);
    expect((await rawList({ start: 100, limit: 100 })).status).toBe(200);
    expect((await rawList({ start: 200, limit: 100 })).status).toBe(500);
    expect((await rawList({ start: 200, limit: 100 })).status).toBe(500);
  });

  it('when.afterRequests: only once that many list requests have been answered', async () => {
    const answered = sandbox.requests.filter((r) => r.path === LIST_PATH && r.status !== 0).length;
    sandbox.injectFault({ fault: { kind: 'status', status: 503 }, when: { afterRequests: answered + 2 } });
    expect((await rawList()).status).toBe(200);
    expect((await rawList()).status).toBe(200);
    expect((await rawList()).status).toBe(503);
  });

  it("when.path 'token': hits the token endpoint, not the case list", async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 503 }, when: { path: 'token' } });
    expect((await rawList()).status).toBe(200);
    const res = await fetch(`${sandbox.url}${TOKEN_PATH}`, {
      method: 'POST',
      body: new URLSearchParams(CREDENTIALS),
    });
    expect([res.status, await res.text()]).toEqual([503, expect.stringContaining('503 Service Unavailable')]);
    expect((await postToken(sandbox, CREDENTIALS)).status).toBe(200);
  });

  it("unauthorized on the token endpoint answers as OAuth's invalid_client", async () => {
    sandbox.injectFault({ fault: { kind: 'unauthorized' }, when: { path: 'token' } });
    expect(await postToken(sandbox, CREDENTIALS)).toEqual({
      status: 401,
      json: { error: 'invalid_client', error_description: expect.any(String) },
    });
  });

  it('clearFaults disarms every rule', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 500 }, times: Infinity });
    sandbox.clearFaults();
    expect((await rawList()).status).toBe(200);
  });

  it.each([
    ['times 0', { fault: { kind: 'reset' }, times: 0 }],
    ['status 42', { fault: { kind: 'status', status: 42 } }],
    ['grow by 0', { fault: { kind: 'grow', by: 0 } }],
    ['duplicate 1.5 rows', { fault: { kind: 'duplicate', rows: 1.5 } }],
    ['redirect without a location', { fault: { kind: 'redirect', status: 302, location: '' } }],
  ] as const)('refuses a rule that cannot be played: %s', (_name, rule) => {
    expect(() => sandbox.injectFault(rule)).toThrow(RangeError);
  });

  it('refuses a redirect status fetch would not follow (the types forbid it; untyped callers can still send it)', () => {
    const rule = { fault: { kind: 'redirect', status: 200, location: 'http://x/' } };
    expect(() => sandbox.injectFault(rule as unknown as FaultRule)).toThrow(/301, 302, 303, 307, 308/);
  });
});

describe('latency and shutdown', () => {
  it('setLatency delays every answer', async () => {
    sandbox.setLatency(80);
    const mark = sandbox.requests.length;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => postList(sandbox, { start: i, limit: 1 })),
    );
    expect(answers.every((a) => a.json.resCode === '0')).toBe(true);
    const log = sandbox.requests.slice(mark);
    expect(log).toHaveLength(8);
    for (const entry of log) expect(entry.answeredAt as number).toBeGreaterThanOrEqual(entry.at + 79);
  });

  it('setLatency blocks no other request: all are taken in while every answer waits', async () => {
    const sb = await startSandbox({ casesPerDay: 1, days: 1, now: () => NOW, latencyMs: 60_000 });
    const pending = Array.from({ length: 8 }, (_, i) =>
      postList(sb, { start: i, limit: 1 }).catch((error: unknown) => error),
    );
    await expect.poll(() => sb.requests.length).toBe(8);
    expect(peakInFlight(sb.requests)).toBe(8);
    await sb.close();
    await Promise.all(pending);
  });

  it('close() does not wait for a hanging request', async () => {
    const sb = await startSandbox({ casesPerDay: 1, days: 1, now: () => NOW });
    sb.injectFault({ fault: { kind: 'hang', ms: 60_000 } });
    const pending = postList(sb, PAGE).catch((error: unknown) => error);
    await expect.poll(() => sb.requests.length).toBe(1);
    // A close that waited for the 60 s hang would run into the test's 30 s timeout.
    await sb.close();
    await sb.close(); // closing twice is harmless
    expect(await pending).toBeInstanceOf(Error);
    expect(sb.requests[0]?.answeredAt).toBeNull();
  });
});
