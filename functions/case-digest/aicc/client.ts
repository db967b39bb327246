import * as z from 'zod/mini';
import { type Clock, systemClock } from '../clock.js';
import { maskPhoneIn } from '../email/mask.js';
import { AiccApiError, AiccHttpError, AiccResponseError } from '../errors.js';
import { type Page, pageThrough, type QueryOutcome } from './paging.js';
import { type ConcurrencyStats, RequestPool } from './pool.js';
import { parseRetryAfter, type RetryPolicy, resolveRetryPolicy, withRetry } from './retry.js';
import { type CaseFilters, type CaseRecord, caseListResponseSchema, normalizeCase } from './schemas.js';
import type { TokenSource } from './token.js';
import { quoteBody, send } from './transport.js';

export const CASE_LIST_PATH = '/service/AICC__Case/1.0.0/openapi/case/list';

/** One API window (≤ 31 days); filters as strings (extended fields included), sent on every request. */
export interface CaseQuery {
  startTime: string;
  endTime: string;
  filters: Record<string, string>;
}

export interface RequestStats {
  /** Every HTTP request to the case API: retries and the repeat after a token refresh included. */
  requests: number;
  /** Every page successfully received. */
  pages: number;
  /** Re-attempts after a retryable failure. */
  retries: number;
  /** HTTP 429 answers (rate limiting). */
  throttled: number;
}

export interface PageProgress {
  query: CaseQuery;
  pagesDone: number;
  pagesTotal: number;
}

export type { QueryOutcome } from './paging.js';

/** Powertools' Logger fits; the extra attributes never carry the token. */
export interface AiccLogger {
  debug(msg: string, ...extra: Record<string, unknown>[]): void;
  warn(msg: string, ...extra: Record<string, unknown>[]): void;
}

export interface AiccClientOptions {
  baseUrl: string;
  tokenSource: TokenSource;
  /** Per request (AICC_TIMEOUT_MS). */
  timeoutMs: number;
  /** Requests in flight at once for the whole run (AICC_CONCURRENCY): where adaptive concurrency starts. */
  concurrency: number;
  /** The adaptive ceiling (AICC_MAX_CONCURRENCY). @default `concurrency` (fixed) */
  maxConcurrency?: number;
  /** What would help a run that cannot finish in time, for the `CapacityError` message. */
  capacityAdvice?: string;
  /** @default 100 (the API's maximum) */
  pageSize?: number;
  fetch?: typeof fetch;
  /** The invocation deadline: retrying stops and the call fails cleanly when it aborts. */
  signal?: AbortSignal;
  /**
   * Epoch ms at which `signal` aborts, when known: a retry wait that would end after it is not
   * started (without it, such a wait is cut short by the abort).
   */
  deadlineAt?: number;
  retry?: Partial<RetryPolicy>;
  onProgress?: (p: PageProgress) => void;
  logger?: AiccLogger;
  /** The clock, for `Retry-After` dates, `deadlineAt` and throughput. @default the system clock */
  now?: Clock;
}

/**
 * A case list body as callers write it: `start`, `limit`, the window and string filters. (The
 * zod-inferred `CaseListRequest` has a string index signature no literal with `start` satisfies.)
 */
export type CaseListBody = CaseFilters & {
  startTime?: string;
  endTime?: string;
  start: number;
  limit: number;
  [field: string]: string | number | undefined;
};

const NO_LOG: AiccLogger = { debug() {}, warn() {} };
const envelopeSchema = z.pick(caseListResponseSchema, { resCode: true, resMsg: true });

/**
 * The AICC case list API (SPEC §3): one client per invocation; its `stats` are that invocation's, and
 * every request of the invocation shares its one request pool (SPEC §11).
 */
export class AiccClient {
  readonly stats: RequestStats = { requests: 0, pages: 0, retries: 0, throttled: 0 };
  readonly pool: RequestPool;
  private readonly url: string;
  private readonly pageSize: number;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly logger: AiccLogger;
  private readonly now: Clock;

  constructor(private readonly options: AiccClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}${CASE_LIST_PATH}`;
    this.pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 100) {
      throw new RangeError(`pageSize must be an integer in 1..100, got ${this.pageSize}`);
    }
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${options.concurrency}`);
    }
    if (!(options.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be positive, got ${options.timeoutMs}`);
    this.policy = resolveRetryPolicy(options.retry);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.logger = options.logger ?? NO_LOG;
    this.now = options.now ?? systemClock;
    this.pool = new RequestPool({
      start: options.concurrency,
      max: options.maxConcurrency ?? options.concurrency,
      now: () => this.now().getTime(),
      deadlineAt: options.deadlineAt,
      ...(options.capacityAdvice ? { capacityAdvice: options.capacityAdvice } : {}),
    });
  }

  /** The run's concurrency: where it started, its ceiling, where it ended (SPEC §11 `stats.concurrency`). */
  get concurrency(): ConcurrencyStats {
    return this.pool.stats;
  }

  /** One page: POST the case list with `access-token`, retried under the policy, in a slot of the pool. */
  fetchPage(body: CaseListBody): Promise<Page> {
    return this.requestPage(body, undefined);
  }

  /**
   * Every case of the query, streamed: `onPage` gets each page's cases not seen before (by id) as
   * the page arrives. Rejects if any page fails after retries — and then gives up the whole run, so
   * the invocation's other queries stop too.
   */
  async forEachCase(query: CaseQuery, onPage: (cases: CaseRecord[]) => void): Promise<QueryOutcome> {
    const { onProgress } = this.options;
    try {
      const outcome = await pageThrough({
        pageSize: this.pageSize,
        window: this.pool.stats.max,
        fetchPage: (start, cancel) => this.requestPage(this.body(query, start, this.pageSize), cancel),
        onPage,
        onPlan: (pages) => this.pool.plan(pages),
        signal: this.pool.signal,
        ...(onProgress
          ? { onProgress: (pagesDone, pagesTotal) => onProgress({ query, pagesDone, pagesTotal }) }
          : {}),
      });
      this.logger.debug('AICC query paged', {
        startTime: query.startTime,
        endTime: query.endTime,
        ...outcome,
      });
      return outcome;
    } catch (error) {
      this.pool.fail(error);
      throw this.pool.signal.reason ?? error;
    }
  }

  /** The `count` of the query, from one `limit: 1` request. */
  async countCases(query: CaseQuery): Promise<number> {
    this.pool.plan(1);
    try {
      const page = await this.requestPage(this.body(query, 0, 1), this.pool.signal);
      return page.count;
    } catch (error) {
      this.pool.fail(error);
      throw this.pool.signal.reason ?? error;
    }
  }

  private body(query: CaseQuery, start: number, limit: number): CaseListBody {
    // Filters first: the window and the paging fields always win.
    return { ...query.filters, startTime: query.startTime, endTime: query.endTime, start, limit };
  }

  private async requestPage(body: CaseListBody, cancel: AbortSignal | undefined): Promise<Page> {
    const describe = `AICC case list (${where(body)})`;
    const page = await this.pool.run(() => this.requestWithRetry(body, describe, cancel));
    this.pool.pageDone();
    return page;
  }

  private requestWithRetry(body: CaseListBody, describe: string, cancel: AbortSignal | undefined) {
    return withRetry(
      (attemptNumber, signal) => {
        if (attemptNumber > 1) this.stats.retries++;
        return this.attempt(body, describe, signal);
      },
      {
        policy: this.policy,
        deadline: this.options.signal,
        deadlineAt: this.options.deadlineAt,
        cancel,
        describe,
        now: this.now,
        onRetry: ({ error, attemptNumber, delayMs }) =>
          this.logger.warn('AICC request failed; retrying', {
            request: describe,
            attempt: attemptNumber,
            delayMs,
            error: error.message,
            ...(error instanceof AiccHttpError ? { status: error.status } : {}),
          }),
      },
    );
  }

  /** One attempt: the request, and once more with a fresh token if the token was rejected. */
  private async attempt(
    body: CaseListBody,
    describe: string,
    signal: AbortSignal | undefined,
  ): Promise<Page> {
    const { tokenSource } = this.options;
    const token = await tokenSource.getToken(signal ? { signal } : {});
    let response = await this.post(body, token, describe, signal);
    let fresh: string | undefined;
    if (isAuthStatus(response.status)) {
      this.logger.debug('AICC rejected the access token; refreshing it once', {
        request: describe,
        status: response.status,
      });
      fresh = await tokenSource.getToken(signal ? { stale: token, signal } : { stale: token });
      response = await this.post(body, fresh, describe, signal);
      if (isAuthStatus(response.status)) {
        throw new AiccHttpError(
          `${describe}: the access token was rejected with HTTP ${response.status}, again after a refresh`,
          response.status,
        );
      }
    }
    if (response.status < 200 || response.status >= 300) {
      if (response.status === 429) this.stats.throttled++;
      const retryAfter =
        response.status === 429
          ? parseRetryAfter(response.headers.get('retry-after'), this.now().getTime())
          : undefined;
      const quoted = vendorText(quoteBody(response.text, [token, fresh]), body);
      throw new AiccHttpError(
        `${describe} answered HTTP ${response.status}${quoted ? `: ${quoted}` : ''}`,
        response.status,
        retryAfter,
      );
    }
    let page: Page;
    try {
      page = parsePage(response.text, describe);
    } catch (error) {
      // resMsg is the vendor's text: it must not carry the token into a message or a log.
      if (error instanceof AiccApiError) {
        throw new AiccApiError(
          error.resCode,
          vendorText(quoteBody(error.resMsg, [token, fresh], 500), body),
          describe,
        );
      }
      throw error;
    }
    this.stats.pages++;
    return page;
  }

  private async post(body: CaseListBody, token: string, describe: string, signal: AbortSignal | undefined) {
    this.stats.requests++;
    const sentAt = this.now().getTime();
    const response = await send(
      this.url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'access-token': token },
        body: JSON.stringify(body),
      },
      { fetch: this.fetchImpl, timeoutMs: this.options.timeoutMs, signal, describe },
    );
    this.pool.observe(response.status, this.now().getTime() - sentAt);
    return response;
  }
}

const isAuthStatus = (status: number) => status === 401 || status === 403;

/** Vendor text quoted in an error: a `contactPhone` filter it echoes back is masked like every phone shown. */
const vendorText = (text: string, body: CaseListBody) =>
  maskPhoneIn(text, typeof body.contactPhone === 'string' ? body.contactPhone : undefined);

function where(body: CaseListBody): string {
  const window =
    body.startTime || body.endTime ? `window ${body.startTime ?? '…'} – ${body.endTime ?? '…'}, ` : '';
  return `${window}start ${body.start}, limit ${body.limit}`;
}

/**
 * The body, parsed at the edge: invalid JSON → AiccResponseError caused by the SyntaxError
 * (retryable); `resCode` ≠ "0" → AiccApiError; the wrong shape → AiccResponseError naming the path.
 */
export function parsePage(text: string, describe: string): Page {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A cause of our own: JSON.parse's message quotes the body, which may hold phone numbers.
    throw new AiccResponseError(`${describe}: the answer is not valid JSON`, {
      cause: new SyntaxError(`case list body of ${text.length} characters is not valid JSON`),
    });
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw shapeError(envelope.error, describe);
  const { resCode, resMsg } = envelope.data;
  if (resCode !== '0') throw new AiccApiError(resCode, resMsg ?? '', describe);
  const parsed = caseListResponseSchema.safeParse(json);
  if (!parsed.success) throw shapeError(parsed.error, describe);
  const result = parsed.data.result?.[0];
  if (!result) {
    throw new AiccResponseError(`${describe}: unexpected answer shape at result.0: missing (count unknown)`);
  }
  return { cases: (result.caseList ?? []).map(normalizeCase), count: result.count };
}

function shapeError(error: z.core.$ZodError, describe: string): AiccResponseError {
  const issues = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return new AiccResponseError(`${describe}: unexpected answer shape at ${issues.join('; ')}${more}`, {
    cause: error,
  });
}
