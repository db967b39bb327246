/**
 * The run's request pool (SPEC §11): adaptive concurrency driven by the statuses it observes, the
 * limit of requests really in flight, and the capacity check against the deadline — all with fake
 * responses and a fake clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestPool } from '../../functions/case-digest/aicc/pool.js';
import { CapacityError } from '../../functions/case-digest/errors.js';

const T0 = Date.UTC(2026, 10, 27, 2);
const fixedClock = () => T0;
const pool = (start: number, max: number) => new RequestPool({ start, max, now: fixedClock });
const observeAll = (p: RequestPool, statuses: number[]) => {
  for (const s of statuses) p.observe(s, 100);
};
const times = (n: number, status: number) => Array.from({ length: n }, () => status);
/** Lets every settled promise run its continuations (p-limit hands a freed slot on asynchronously). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('RequestPool: adaptive concurrency', () => {
  it('grows by one after C successes in a row, C the current limit', () => {
    const p = pool(2, 5);
    observeAll(p, times(1, 200));
    expect(p.concurrency).toBe(2);
    observeAll(p, times(1, 200)); // 2 in a row at C = 2
    expect(p.concurrency).toBe(3);
    observeAll(p, times(2, 204));
    expect(p.concurrency).toBe(3);
    observeAll(p, times(1, 200)); // 3 in a row at C = 3
    expect(p.concurrency).toBe(4);
  });

  it('never grows beyond max', () => {
    const p = pool(2, 4);
    observeAll(p, times(500, 200));
    expect(p.concurrency).toBe(4);
    expect(p.stats).toEqual({ start: 2, max: 4, final: 4, peak: 4 });
  });

  it('restarts the count of successes after a failure', () => {
    const p = pool(2, 4);
    observeAll(p, [200, 500, 200]);
    expect(p.concurrency).toBe(2);
    observeAll(p, [200]);
    expect(p.concurrency).toBe(3);
  });

  it.each([429, 503])('halves on HTTP %i', (status) => {
    const p = pool(8, 16);
    p.observe(status, 100);
    expect(p.concurrency).toBe(4);
  });

  it.each([500, 502, 504, 400, 401, 404])('does not halve on HTTP %i', (status) => {
    const p = pool(8, 16);
    observeAll(p, times(20, status));
    expect(p.concurrency).toBe(8);
  });

  it('halves once for a burst of C throttled answers from the requests in flight', () => {
    const p = pool(8, 16);
    observeAll(p, times(8, 429));
    expect(p.concurrency).toBe(4);
  });

  it('halves again for throttling after the burst has passed', () => {
    const p = pool(8, 16);
    observeAll(p, times(8, 429));
    observeAll(p, times(8, 500)); // neither growth nor a cut
    p.observe(429, 100);
    expect(p.concurrency).toBe(2);
  });

  it('never goes below 1', () => {
    const one = pool(1, 4);
    observeAll(one, times(50, 429));
    expect(one.concurrency).toBe(1);
    const p = pool(2, 4);
    for (let i = 0; i < 5; i++) observeAll(p, [429, 500, 500, 500]);
    expect(p.concurrency).toBe(1);
  });

  it('stays fixed when start equals max, through successes and throttling alike', () => {
    const p = pool(4, 4);
    observeAll(p, times(100, 200));
    expect(p.concurrency).toBe(4);
    observeAll(p, [429, ...times(10, 200), 503, ...times(10, 500), 429]);
    expect(p.concurrency).toBe(4);
    expect(p.stats).toEqual({ start: 4, max: 4, final: 4, peak: 4 });
  });

  it('reports start, max, final and peak', () => {
    const p = pool(2, 6);
    observeAll(p, times(5, 200)); // 2 → 3 → 4
    p.observe(429, 100); // 4 → 2
    expect(p.stats).toEqual({ start: 2, max: 6, final: 2, peak: 4 });
  });

  it('rejects impossible settings', () => {
    expect(() => pool(0, 4)).toThrow(/start/);
    expect(() => pool(4, 2)).toThrow(/max/);
    expect(() => pool(1.5, 4)).toThrow(/start/);
  });
});

describe('RequestPool: requests in flight', () => {
  /** Tasks that answer when the test says so, with the status it gives, counting those in flight. */
  function harness(p: RequestPool) {
    let inFlight = 0;
    const started: { inFlight: number; limit: number }[] = [];
    const waiting: ((status: number) => void)[] = [];
    const submit = () =>
      p.run(async () => {
        inFlight++;
        started.push({ inFlight, limit: p.concurrency });
        const status = await new Promise<number>((resolve) => waiting.push(resolve));
        inFlight--;
        p.observe(status, 100);
        return status;
      });
    return {
      submit,
      started,
      /** Answers the oldest request in flight. */
      answer: async (status: number) => {
        waiting.shift()?.(status);
        await flush();
      },
      get inFlight() {
        return inFlight;
      },
    };
  }

  it('property: a request starts only while fewer than the current limit are in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.constantFrom(200, 200, 200, 429, 503, 500), { minLength: 1, maxLength: 80 }),
        async (start, extra, statuses) => {
          const p = pool(start, start + extra);
          const h = harness(p);
          const all = statuses.map(() => h.submit());
          await flush();
          for (const status of statuses) await h.answer(status);
          await Promise.all(all);
          expect(h.started).toHaveLength(statuses.length);
          expect(h.started.filter((s) => s.inFlight > s.limit)).toEqual([]);
          expect(p.stats.peak).toBeLessThanOrEqual(start + extra);
          expect(p.stats.final).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('starts no new request after a halving until those in flight drop below the new limit', async () => {
    const p = pool(4, 8);
    const h = harness(p);
    const all = Array.from({ length: 10 }, () => h.submit());
    await flush();
    expect(h.inFlight).toBe(4);
    await h.answer(429); // limit 4 → 2, three still in flight
    expect(p.concurrency).toBe(2);
    expect(h.inFlight).toBe(3);
    await h.answer(200);
    expect(h.inFlight).toBe(2); // nothing started: 2 in flight is the limit
    await h.answer(200); // two successes in a row at C = 2: the limit grows to 3
    expect(p.concurrency).toBe(3);
    expect(h.inFlight).toBe(3); // one left, two started
    for (let i = 0; i < 7; i++) await h.answer(200);
    await Promise.all(all);
    expect(h.started.filter((s) => s.inFlight > s.limit)).toEqual([]);
  });
});

describe('RequestPool: capacity', () => {
  const ADVICE =
    'raise AICC_MAX_CONCURRENCY (now 4), lower OVERDUE_LOOKBACK_DAYS or raise the function timeout';

  /**
   * A pool on a fake clock where every page's answer takes `pageMs` on the wire, fetched one after the
   * other; `waitMs` more pass inside the slot before the request (a token fetch, a retry wait).
   */
  function timedPool(options: {
    start: number;
    max: number;
    deadlineInMs: number;
    pageMs: number;
    waitMs?: number;
  }) {
    let now = T0;
    const p = new RequestPool({
      start: options.start,
      max: options.max,
      now: () => now,
      deadlineAt: T0 + options.deadlineInMs,
      capacityAdvice: ADVICE,
    });
    const page = async (waitMs = options.waitMs ?? 0) => {
      await p.run(async () => {
        now += waitMs;
        now += options.pageMs;
        p.observe(200, options.pageMs);
      });
      p.pageDone();
    };
    return { pool: p, page };
  }

  it('fails the run once the pages left cannot be fetched before the deadline, saying why', async () => {
    // Prepare: 100 pages of 1 s each, 10 s to go, at most 4 at once: 99 pages at 4 pages/s need ~25 s.
    const { pool: p, page } = timedPool({ start: 1, max: 4, deadlineInMs: 10_000, pageMs: 1_000 });
    p.plan(100);

    // Act
    await page();

    // Assess
    expect(p.signal.aborted).toBe(true);
    const error = p.signal.reason as CapacityError;
    expect(error).toBeInstanceOf(CapacityError);
    expect(error.figures).toEqual({
      pagesDone: 1,
      pagesLeft: 99,
      pagesPerSecond: 1,
      projectedPagesPerSecond: 4,
      secondsLeft: 9,
      secondsNeeded: 25,
    });
    expect(error.message).toMatch(/\b1 pages? done, 99 left\b/);
    expect(error.message).toMatch(/\b1 pages\/s measured\b/);
    expect(error.message).toMatch(/\b9 s are left\b/);
    expect(error.message).toContain(ADVICE);
    // Nothing more is fetched.
    await expect(page()).rejects.toBe(error);
  });

  it('does not fail a plan that can finish', async () => {
    const { pool: p, page } = timedPool({ start: 2, max: 4, deadlineInMs: 1_000_000, pageMs: 1_000 });
    p.plan(10);
    for (let i = 0; i < 10; i++) await page();
    expect(p.signal.aborted).toBe(false);
  });

  it('projects the throughput at the highest concurrency the run may reach', async () => {
    // 29 pages left after the first, 9 s to go: at 1 page/s per slot they need 29 s on one slot, 7.25 s on four.
    const adaptive = timedPool({ start: 1, max: 4, deadlineInMs: 10_000, pageMs: 1_000 });
    adaptive.pool.plan(30);
    await adaptive.page();
    expect(adaptive.pool.signal.aborted).toBe(false);

    const fixed = timedPool({ start: 1, max: 1, deadlineInMs: 10_000, pageMs: 1_000 });
    fixed.pool.plan(30);
    await fixed.page();
    expect(fixed.pool.signal.reason).toBeInstanceOf(CapacityError);
  });

  it("measures the API's speed, not a cold start's token fetch or a retry wait", async () => {
    // 300 ms answers, 4 slots, 3,100 pages, 890 s left: about 233 s are needed. Each of the first four
    // requests waited 1.2 s for the token first; counted in, they would have projected ~930 s and failed.
    const { pool: p, page } = timedPool({ start: 4, max: 4, deadlineInMs: 890_000, pageMs: 300 });
    p.plan(3_100);
    for (let i = 0; i < 4; i++) await page(1_200);
    expect(p.signal.aborted).toBe(false);
  });

  it('judges nothing without a deadline', async () => {
    let now = T0;
    const p = new RequestPool({ start: 1, max: 1, now: () => now });
    p.plan(1_000_000);
    await p.run(async () => {
      now += 60_000;
      p.observe(200, 60_000);
    });
    p.pageDone();
    expect(p.signal.aborted).toBe(false);
  });
});
