import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../sandbox/faults.js';
import { LIST_PATH, peakInFlight, type Sandbox, startSandbox } from '../../sandbox/server.js';
import { CREDENTIALS, postToken } from './helpers.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const DATA = { timezone: 'UTC', casesPerDay: 50, days: 2, endDate: '2026-11-26', now: () => NOW };
const PAGE = { start: 0, limit: 10 };

// The limiter's clock, moved by hand: which second a request falls in never depends on machine load.
let clock = 0;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ ...DATA, rateLimit: 3, rateLimitClock: () => clock });
});
afterAll(() => sandbox?.close());
beforeEach(() => {
  clock += 10_000; // a fresh second: nothing admitted in it yet
  sandbox.setRateLimit(3);
  sandbox.setLatency(0);
  sandbox.clearFaults();
});

const list = (body: unknown = PAGE) =>
  fetch(`${sandbox.url}${LIST_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'access-token': 'sandbox-token' },
    body: JSON.stringify(body),
  });
/** Sends requests one after another and returns their statuses. */
async function statuses(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await list();
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('rate limit knob', () => {
  it('admits N requests a second; the rest answer 429 with Retry-After and the gateway body', async () => {
    const mark = sandbox.requests.length;
    expect(await statuses(3)).toEqual([200, 200, 200]);
    const refused = await list();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({
      error_code: 'APIG.0308',
      error_msg: expect.stringContaining('throttling threshold'),
    });
    const log = sandbox.requests.slice(mark);
    expect(log.map((r) => [r.status, r.fault, r.throttled])).toEqual([
      [200, null, false],
      [200, null, false],
      [200, null, false],
      [429, 'rate-limit', true],
    ]);
    expect(log[3]?.body).toEqual(PAGE);
  });

  it('is a rolling second: a slot frees exactly 1000 ms after the request that took it', async () => {
    expect(await statuses(3)).toEqual([200, 200, 200]);
    clock += 999;
    expect(await statuses(1)).toEqual([429]);
    clock += 1;
    expect(await statuses(4)).toEqual([200, 200, 200, 429]);
  });

  it('refused requests use none of the budget, so a client that keeps trying is never starved', async () => {
    expect(await statuses(3)).toEqual([200, 200, 200]);
    // Hammering the whole second long: every one refused, none of them counted.
    for (let t = 0; t < 10; t++) {
      clock += 99;
      expect(await statuses(2)).toEqual([429, 429]);
    }
    clock += 10; // 1000 ms after the admitted three
    expect(await statuses(4)).toEqual([200, 200, 200, 429]);
  });

  it('answers a 429 without the latency, while admitted requests still wait for theirs', async () => {
    sandbox.setLatency(60_000);
    const mark = sandbox.requests.length;
    const slow = Array.from({ length: 3 }, () => list().catch((error: unknown) => error));
    await expect.poll(() => sandbox.requests.length - mark).toBe(3);
    // Had the 429 waited for the latency, this would outlast the test's timeout.
    const refused = await list();
    expect(refused.status).toBe(429);
    const log = sandbox.requests.slice(mark);
    expect(log.map((r) => r.status)).toEqual([0, 0, 0, 429]);
    expect(log.slice(0, 3).every((r) => r.answeredAt === null)).toBe(true);
    expect(log[3]?.answeredAt).toEqual(expect.any(Number));
    // The slow ones are still in flight; a fresh sandbox takes the next tests.
    await sandbox.close();
    await Promise.all(slow);
    sandbox = await startSandbox({ ...DATA, rateLimit: 3, rateLimitClock: () => clock });
  });

  it('setRateLimit lowers, raises and lifts the limit at run time', async () => {
    sandbox.setRateLimit(1);
    expect(await statuses(2)).toEqual([200, 429]);
    sandbox.setRateLimit(4); // the one admitted above still counts
    expect(await statuses(4)).toEqual([200, 200, 200, 429]);
    sandbox.setRateLimit(undefined);
    expect(await statuses(10)).toEqual(Array(10).fill(200));
  });

  it('limits the case list only: the token endpoint is never throttled', async () => {
    sandbox.setRateLimit(1);
    expect(await statuses(1)).toEqual([200]);
    for (let i = 0; i < 3; i++) expect((await postToken(sandbox, CREDENTIALS)).status).toBe(200);
    expect(await statuses(1)).toEqual([429]);
  });

  it('throttles in front of the fault rules: a refused request uses none of them', async () => {
    sandbox.setRateLimit(1);
    expect(await statuses(1)).toEqual([200]);
    sandbox.injectFault({ fault: { kind: 'status', status: 503 } });
    expect(await statuses(1)).toEqual([429]);
    clock += 1_000;
    expect(await statuses(2)).toEqual([503, 429]);
  });

  it('a refusal is not an answered list request: afterRequests rules do not move on', async () => {
    sandbox.setRateLimit(1);
    const answered = sandbox.requests.filter((r) => r.path === LIST_PATH && r.status !== 0 && !r.throttled);
    sandbox.injectFault({
      fault: { kind: 'status', status: 503 },
      when: { afterRequests: answered.length + 2 },
    });
    expect(await statuses(3)).toEqual([200, 429, 429]);
    clock += 1_000;
    expect(await statuses(1)).toEqual([200]);
    clock += 1_000;
    expect(await statuses(1)).toEqual([503]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', async (limit) => {
    expect(() => sandbox.setRateLimit(limit)).toThrow(RangeError);
    await expect(startSandbox({ ...DATA, rateLimit: limit })).rejects.toThrow(RangeError);
  });
});

describe('RateLimiter', () => {
  it('gives whole seconds to wait, at least 1, and admits nothing it has not counted', () => {
    let t = 0;
    const limiter = new RateLimiter(2, () => t);
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([null, null, 1]);
    t = 999.9;
    expect(limiter.take()).toBe(1);
    t = 1_000;
    expect([limiter.take(), limiter.take(), limiter.take()]).toEqual([null, null, 1]);
  });

  it('admits everything when unset', () => {
    const limiter = new RateLimiter(undefined, () => 0);
    expect(Array.from({ length: 100 }, () => limiter.take()).every((r) => r === null)).toBe(true);
    expect(limiter.limit).toBeUndefined();
  });
});

describe('answeredAt and peakInFlight', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox(DATA);
  });
  afterEach(() => sb.setLatency(0));
  afterAll(() => sb?.close());

  it('records when each answer left, never before its request arrived', async () => {
    const mark = sb.requests.length;
    sb.setLatency(30);
    await Promise.all(
      [1, 2].map(() => fetch(`${sb.url}${LIST_PATH}`, { method: 'POST' }).then((r) => r.text())),
    );
    const log = sb.requests.slice(mark);
    expect(log).toHaveLength(2);
    for (const entry of log) expect(entry.answeredAt as number).toBeGreaterThanOrEqual(entry.at + 29);
  });

  it('counts requests in flight together: sequential ones 1, concurrent pending ones all', async () => {
    const mark = sb.requests.length;
    for (let i = 0; i < 3; i++) await (await fetch(`${sb.url}${LIST_PATH}`, { method: 'POST' })).text();
    expect(peakInFlight(sb.requests.slice(mark))).toBe(1);

    sb.setLatency(60_000);
    const concurrent = sb.requests.length;
    const pending = Array.from({ length: 4 }, () =>
      fetch(`${sb.url}${LIST_PATH}`, { method: 'POST' }).catch((error: unknown) => error),
    );
    await expect.poll(() => sb.requests.length - concurrent).toBe(4);
    expect(peakInFlight(sb.requests.slice(concurrent))).toBe(4);
    await sb.close();
    await Promise.all(pending);
    sb = await startSandbox(DATA);
  });

  it('does not count a request its client gave up on, though its answer is still held back', async () => {
    sb.setLatency(60_000);
    const mark = sb.requests.length;
    await expect(
      fetch(`${sb.url}${LIST_PATH}`, { method: 'POST', signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await expect.poll(() => sb.requests.length - mark).toBe(1);
    await expect.poll(() => sb.inFlight).toBe(0); // the sandbox saw the client's socket close
    sb.setLatency(0);
    await (await fetch(`${sb.url}${LIST_PATH}`, { method: 'POST' })).text();
    const [abandoned, next] = sb.requests.slice(mark);
    expect(abandoned?.answeredAt).toBeNull();
    expect(next?.inFlight).toBe(1);
  });

  it('counts only case-list requests', async () => {
    sb.setLatency(60_000);
    const mark = sb.requests.length;
    const pending = [fetch(`${sb.url}${LIST_PATH}`, { method: 'POST' }).catch((error: unknown) => error)];
    await expect.poll(() => sb.requests.length - mark).toBe(1);
    pending.push(
      postToken(sb, CREDENTIALS).catch((error: unknown) => error),
      fetch(`${sb.url}/elsewhere`, { method: 'POST' }).catch((error: unknown) => error),
    );
    await expect.poll(() => sb.requests.length - mark).toBe(3);
    expect(sb.requests.slice(mark).map((r) => r.inFlight)).toEqual([1, 1, 1]);
    await sb.close();
    await Promise.all(pending);
    sb = await startSandbox(DATA);
  });
});
