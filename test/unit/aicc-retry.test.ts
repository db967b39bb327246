import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  resolveRetryPolicy,
  retryDelay,
  withRetry,
} from '../../functions/case-digest/aicc/retry.js';
import {
  AiccApiError,
  AiccAuthError,
  AiccDeadlineError,
  AiccHttpError,
  AiccNetworkError,
  AiccResponseError,
} from '../../functions/case-digest/errors.js';

const policy = resolveRetryPolicy({ jitter: false });

describe('isRetryable', () => {
  it.each([
    ['a network error', new AiccNetworkError('reset')],
    ['HTTP 500', new AiccHttpError('x', 500)],
    ['HTTP 502', new AiccHttpError('x', 502)],
    ['HTTP 503', new AiccHttpError('x', 503)],
    ['HTTP 504', new AiccHttpError('x', 504)],
    ['HTTP 408', new AiccHttpError('x', 408)],
    ['HTTP 429', new AiccHttpError('x', 429)],
    ['HTTP 429 with Retry-After 30 s', new AiccHttpError('x', 429, 30_000)],
    ['invalid JSON', new AiccResponseError('x', { cause: new SyntaxError('Unexpected token') })],
  ])('retries %s', (_name, error) => {
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ['HTTP 400', new AiccHttpError('x', 400)],
    ['HTTP 401', new AiccHttpError('x', 401)],
    ['HTTP 403', new AiccHttpError('x', 403)],
    ['HTTP 404', new AiccHttpError('x', 404)],
    ['HTTP 429 asking for longer than maxRetryAfterMs', new AiccHttpError('x', 429, 61_000)],
    ['a resCode error', new AiccApiError('1', 'bad')],
    ['a shape error', new AiccResponseError('x', { cause: new z.ZodError([]) })],
    ['an auth refusal', new AiccAuthError('refused')],
    ['a deadline', new AiccDeadlineError('late')],
    ['a programming TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a plain Error', new Error('bug')],
    ['a non-error', 'oops'],
  ])('does not retry %s', (_name, error) => {
    expect(isRetryable(error)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:07 GMT', now)).toBe(7_000);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', 'soon', '-5', '1.5', 'Fri, 99 Foo 2026'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows by factor from minDelayMs and is capped at maxDelayMs', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffDelay(retry, policy));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('with jitter stays within [base, min(2 × base, maxDelayMs)]', () => {
    const jittered = resolveRetryPolicy();
    for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999999]) {
      for (let retry = 1; retry <= 7; retry++) {
        const base = Math.min(250 * 2 ** (retry - 1), 8000);
        const delay = backoffDelay(retry, jittered, () => r);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(Math.min(2 * base, 8000));
      }
    }
    // The jitter actually spreads delays.
    expect(backoffDelay(1, jittered, () => 0)).not.toBe(backoffDelay(1, jittered, () => 0.9));
  });

  it('waits at least Retry-After, even beyond the backoff cap', () => {
    expect(retryDelay(1, new AiccHttpError('x', 429, 3_000), policy)).toBe(3_000);
    expect(retryDelay(1, new AiccHttpError('x', 429, 20_000), policy)).toBe(20_000);
    expect(retryDelay(3, new AiccHttpError('x', 429, 10), policy)).toBe(1_000);
  });

  it('policy defaults are the documented ones and typos are rejected', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({
      retries: 4,
      minDelayMs: 250,
      maxDelayMs: 8000,
      factor: 2,
      jitter: true,
    });
    expect(resolveRetryPolicy({ minDelayMs: 1, maxDelayMs: 5 })).toMatchObject({ retries: 4, minDelayMs: 1 });
    expect(() => resolveRetryPolicy({ retires: 3 } as never)).toThrow(/retires/);
    expect(() => resolveRetryPolicy({ retries: -1 })).toThrow(/retries/);
    expect(() => resolveRetryPolicy({ minDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs/);
  });
});

describe('withRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An attempt that fails with the given errors in turn, then succeeds. */
  function scripted(...failures: unknown[]) {
    const calls: number[] = [];
    const attempt = vi.fn(async (attemptNumber: number) => {
      calls.push(Date.now());
      const failure = failures[attemptNumber - 1];
      if (failure !== undefined) throw failure;
      return 'ok';
    });
    return { attempt, calls };
  }

  it('retries transient failures with exponential backoff, then succeeds', async () => {
    // Prepare
    const { attempt, calls } = scripted(new AiccHttpError('busy', 503), new AiccNetworkError('reset'));
    const onRetry = vi.fn();
    // Act
    const result = withRetry(attempt, { policy, describe: 'test', onRetry });
    await vi.runAllTimersAsync();
    // Assess
    await expect(result).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(onRetry.mock.calls.map(([info]) => info.delayMs)).toEqual([250, 500]);
    expect(calls.map((at) => at - (calls[0] ?? 0))).toEqual([0, 250, 750]);
  });

  it('gives up after `retries` re-attempts with the last failure', async () => {
    const failures = Array.from({ length: 10 }, (_, i) => new AiccHttpError(`busy ${i + 1}`, 503));
    const { attempt } = scripted(...failures);
    const result = withRetry(attempt, { policy, describe: 'test' });
    const assertion = expect(result).rejects.toThrow('busy 5');
    await vi.runAllTimersAsync();
    await assertion;
    expect(attempt).toHaveBeenCalledTimes(5);
  });

  it.each([
    ['a resCode error', new AiccApiError('1', 'bad')],
    ['a shape error', new AiccResponseError('shape', { cause: new z.ZodError([]) })],
    ['HTTP 404', new AiccHttpError('x', 404)],
    ['a programming TypeError', new TypeError('x is not a function')],
  ])('does not retry %s', async (_name, error) => {
    const { attempt } = scripted(error);
    await expect(withRetry(attempt, { policy, describe: 'test' })).rejects.toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('honours Retry-After: no re-attempt before it has elapsed', async () => {
    const { attempt } = scripted(new AiccHttpError('slow down', 429, 5_000));
    const result = withRetry(attempt, { policy, describe: 'test' });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(attempt).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(2);
    await expect(result).resolves.toBe('ok');
  });

  it('stops when the deadline aborts during a wait: a clear error with the last failure as cause', async () => {
    // Prepare
    const deadline = new AbortController();
    const failure = new AiccHttpError('busy', 503);
    const { attempt } = scripted(failure, failure, failure);
    // Act
    const result = withRetry(attempt, {
      policy,
      describe: 'AICC case list (start 0)',
      deadline: deadline.signal,
    });
    const assertion = expect(result).rejects.toSatisfy(
      (e) => e instanceof AiccDeadlineError && e.cause === failure && /deadline was reached/.test(e.message),
    );
    await vi.advanceTimersByTimeAsync(100);
    deadline.abort();
    // Assess
    await assertion;
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not start a wait that would outlast a known deadline', async () => {
    const deadline = new AbortController();
    const failure = new AiccHttpError('slow down', 429, 30_000);
    const { attempt } = scripted(failure);
    const error = await withRetry(attempt, {
      policy,
      describe: 'test',
      deadline: deadline.signal,
      deadlineAt: Date.now() + 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccDeadlineError);
    expect((error as Error).cause).toBe(failure);
    expect((error as Error).message).toMatch(/outlast the invocation deadline/);
    expect(vi.getTimerCount()).toBe(0);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('fails at once when the deadline has already passed', async () => {
    const { attempt } = scripted();
    const error = await withRetry(attempt, { policy, describe: 'test', deadline: AbortSignal.abort() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AiccDeadlineError);
    expect(attempt).not.toHaveBeenCalled();
  });

  it('a cancellation rejects with its reason, not as a deadline', async () => {
    const cancel = new AbortController();
    const { attempt } = scripted(new AiccNetworkError('reset'));
    const result = withRetry(attempt, { policy, describe: 'test', cancel: cancel.signal });
    const sibling = new AiccApiError('9', 'sibling failed');
    const assertion = expect(result).rejects.toBe(sibling);
    await vi.advanceTimersByTimeAsync(10);
    cancel.abort(sibling);
    await assertion;
  });
});
