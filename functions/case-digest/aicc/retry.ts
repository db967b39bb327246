import pRetry from 'p-retry';
import { type Clock, systemClock } from '../clock.js';
import { AiccDeadlineError, AiccHttpError, AiccNetworkError, AiccResponseError } from '../errors.js';

/** When and how long to retry a failed AICC request (SPEC §6). */
export interface RetryPolicy {
  /**
   * Re-attempts after the first failure.
   * @default 4
   */
  retries: number;
  /**
   * Wait before the first re-attempt, before jitter.
   * @default 250
   */
  minDelayMs: number;
  /**
   * Upper bound of one backoff wait (a longer `Retry-After` is still honoured, see `maxRetryAfterMs`).
   * @default 8000
   */
  maxDelayMs: number;
  /**
   * Growth of the wait from one re-attempt to the next.
   * @default 2
   */
  factor: number;
  /**
   * Multiply each backoff wait by a random factor in [1, 2) (p-retry's `randomize`), so that
   * pages failing together do not retry in lockstep.
   * @default true
   */
  jitter: boolean;
  /**
   * A 429 asking to wait longer than this is not retried: the run fails instead of sleeping on.
   * @default 60000
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 4,
  minDelayMs: 250,
  maxDelayMs: 8000,
  factor: 2,
  jitter: true,
  maxRetryAfterMs: 60_000,
});

/** Fills in defaults and rejects nonsense, so a typo is an error and not a silent default. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const known = new Set(Object.keys(DEFAULT_RETRY_POLICY));
  for (const key of Object.keys(overrides)) {
    if (!known.has(key)) throw new TypeError(`Unknown retry policy option "${key}"`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...defined };
  const counts = ['retries', 'minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const;
  for (const key of counts) {
    const v = policy[key];
    if (!Number.isInteger(v) || v < 0)
      throw new TypeError(`Retry policy ${key} must be an integer ≥ 0, got ${v}`);
  }
  if (!(policy.factor >= 1) || !Number.isFinite(policy.factor)) {
    throw new TypeError(`Retry policy factor must be a finite number ≥ 1, got ${policy.factor}`);
  }
  if (policy.maxDelayMs < policy.minDelayMs) {
    throw new TypeError('Retry policy maxDelayMs must be ≥ minDelayMs');
  }
  return policy;
}

/**
 * Whether a failure is transient. Only the error types the transport produces on purpose are
 * retried; anything else (a `TypeError` from a bug, an API `resCode`, a wrong response shape, an
 * auth refusal) fails at once.
 */
export function isRetryable(
  error: unknown,
  policy: Pick<RetryPolicy, 'maxRetryAfterMs'> = DEFAULT_RETRY_POLICY,
) {
  if (error instanceof AiccNetworkError) return true;
  if (error instanceof AiccHttpError) {
    if (error.status === 429 && error.retryAfterMs !== undefined)
      return error.retryAfterMs <= policy.maxRetryAfterMs;
    // The server is busy, overloaded or briefly broken.
    return error.status === 408 || error.status === 429 || error.status >= 500;
  }
  // Invalid JSON (a truncated or garbled body) may come out right next time; a valid body of the
  // wrong shape will not.
  return error instanceof AiccResponseError && error.cause instanceof SyntaxError;
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at) || !/[a-z]/i.test(v)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The backoff before re-attempt number `retry` (1 for the first): `minDelayMs × factor^(retry−1)`,
 * times a random factor in [1, 2) with jitter, capped at `maxDelayMs` — p-retry's formula.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const spread = policy.jitter ? 1 + random() : 1;
  const raw = Math.round(spread * policy.minDelayMs * policy.factor ** Math.max(0, retry - 1));
  return Math.min(raw, policy.maxDelayMs);
}

/** The wait before re-attempt `retry` after `error`: the backoff, but never shorter than `Retry-After`. */
export function retryDelay(
  retry: number,
  error: unknown,
  policy: RetryPolicy,
  random?: () => number,
): number {
  const backoff = backoffDelay(retry, policy, random);
  const retryAfter = retryAfterOf(error);
  return retryAfter === undefined ? backoff : Math.max(backoff, retryAfter);
}

/** The `Retry-After` an error carries (AICC's or PagerDuty's 429), in ms. */
function retryAfterOf(error: unknown): number | undefined {
  const ms = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : undefined;
}

export interface RetryInfo {
  error: Error;
  /** The attempt that failed (1-based). */
  attemptNumber: number;
  /** The wait before the next attempt. */
  delayMs: number;
}

export interface RetryRunOptions {
  policy: RetryPolicy;
  /** Aborts at the invocation deadline: no wait or attempt starts after it. */
  deadline?: AbortSignal | undefined;
  /** Epoch ms at which `deadline` aborts, when known: a wait that would end after it is not started. */
  deadlineAt?: number | undefined;
  /** Cancels without deadline meaning (e.g. a sibling page failed); the run rejects with its reason. */
  cancel?: AbortSignal | undefined;
  /** What is being attempted, for messages: e.g. `AICC case list (window …, start 200)`. */
  describe: string;
  /** @default the system clock */
  now?: Clock;
  random?: () => number;
  /** Called before each wait: the place to log a warning. */
  onRetry?: (info: RetryInfo) => void;
  /** Which failures are transient. @default the AICC client's rule, {@link isRetryable} */
  isRetryable?: (error: unknown) => boolean;
  /** The error when the deadline ends the retries. @default an AiccDeadlineError */
  deadlineError?: (message: string, cause: unknown) => Error;
}

/**
 * Runs `attempt` under the policy with p-retry. The wait is computed here rather than by p-retry
 * (whose `minTimeout` is 0) because it must honour `Retry-After` and be known before it starts,
 * to refuse one that would outlast the deadline.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number, signal: AbortSignal | undefined) => Promise<T>,
  options: RetryRunOptions,
): Promise<T> {
  const { policy, deadline, cancel, describe } = options;
  const retryable = options.isRetryable ?? ((error: unknown) => isRetryable(error, policy));
  const deadlineError =
    options.deadlineError ?? ((message: string, cause: unknown) => new AiccDeadlineError(message, { cause }));
  const clock = options.now ?? systemClock;
  const now = () => clock().getTime();
  // A signal of this run's own: waits and token requests listen on it, not on the shared ones.
  const sources = [deadline, cancel].filter((s): s is AbortSignal => s !== undefined);
  const signal = sources.length ? AbortSignal.any(sources) : undefined;
  const aborted = () => signal?.aborted === true;
  let lastFailure: Error | undefined;
  let attempts = 0;
  /** The error that ended the retries at the deadline, passed through as it is. */
  let givenUp: Error | undefined;

  try {
    return await pRetry(
      (attemptNumber) => {
        attempts = attemptNumber;
        return attempt(attemptNumber, signal);
      },
      {
        retries: policy.retries,
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        signal,
        shouldRetry: ({ error }) => !aborted() && retryable(error),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (aborted()) return; // the abort, not this error, explains the failure
          lastFailure = error;
          if (retriesLeft <= 0 || !retryable(error)) return;
          const delayMs = retryDelay(attemptNumber, error, policy, options.random);
          if (options.deadlineAt !== undefined && now() + delayMs >= options.deadlineAt) {
            givenUp = deadlineError(
              `${describe}: gave up after ${attemptNumber} attempt(s): waiting ${delayMs} ms to retry ` +
                `would outlast the invocation deadline; last failure: ${error.message}`,
              error,
            );
            throw givenUp;
          }
          options.onRetry?.({ error, attemptNumber, delayMs });
          await sleep(delayMs, signal);
        },
      },
    );
  } catch (error) {
    if (givenUp !== undefined && error === givenUp) throw error;
    if (deadline?.aborted) {
      const last = lastFailure ? `; last failure: ${lastFailure.message}` : '';
      throw deadlineError(
        `${describe}: stopped after ${attempts} attempt(s): the invocation deadline was reached${last}`,
        lastFailure ?? deadline.reason,
      );
    }
    if (cancel?.aborted) throw cancel.reason;
    throw error;
  }
}

/** A timer (fake-timer friendly) that rejects with the signal's reason when it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
