import pLimit, { type LimitFunction } from 'p-limit';
import { CapacityError } from '../errors.js';

/** What a run reports of its concurrency (SPEC §11). */
export interface ConcurrencyStats {
  /** AICC_CONCURRENCY: where the run started. */
  start: number;
  /** AICC_MAX_CONCURRENCY: the ceiling (equal to `start` when fixed). */
  max: number;
  /** The limit when the run ended. */
  final: number;
  /** The highest limit the run reached. */
  peak: number;
}

export interface RequestPoolOptions {
  /** Requests in flight at the start (AICC_CONCURRENCY). */
  start: number;
  /** The ceiling of adaptive growth (AICC_MAX_CONCURRENCY); equal to `start` means fixed. */
  max: number;
  /** The clock (epoch ms). */
  now: () => number;
  /**
   * Epoch ms by which the run must be done (the invocation deadline less its margin). With it, the
   * pool fails the run with a `CapacityError` as soon as the pages left cannot be fetched in time.
   */
  deadlineAt?: number | undefined;
  /** What would help, for the `CapacityError` message (the settings and their values). */
  capacityAdvice?: string;
}

/**
 * One limit of requests in flight for a whole run: every query's requests queue here, first come
 * first served, so the first pages of all queries go out together and later pages share the slots.
 *
 * Adaptive (SPEC §11): the limit grows by one after `C` successful responses in a row (C the current
 * limit), up to `max`, and halves (not below 1) on an HTTP 429 or 503 — at most once per C responses,
 * so the answers to requests already in flight when it halved do not halve it again.
 *
 * Capacity: it counts the pages planned and done and the time they took, and fails the run (aborts
 * `signal` with a `CapacityError`) once the pages left, at the throughput measured so far projected
 * at `max`, would end after `deadlineAt`.
 */
export class RequestPool {
  private readonly limit: LimitFunction;
  private readonly controller = new AbortController();
  private successStreak = 0;
  /** Responses since the limit was last halved, and how many must pass before it may halve again. */
  private sinceCut = Number.POSITIVE_INFINITY;
  private cutGuard = 0;
  private peak: number;
  private planned = 0;
  private pagesDone = 0;
  private submitted = 0;
  /** HTTP requests answered, and the time they took on the wire (no token fetch, no retry wait). */
  private answered = 0;
  private wireMs = 0;
  private readonly startedAt: number;

  constructor(private readonly options: RequestPoolOptions) {
    const { start, max } = options;
    if (!Number.isInteger(start) || start < 1)
      throw new RangeError(`start must be a positive integer, got ${start}`);
    if (!Number.isInteger(max) || max < start)
      throw new RangeError(`max must be an integer ≥ start, got ${max}`);
    this.limit = pLimit(start);
    this.peak = start;
    this.startedAt = options.now();
  }

  /** Aborts when the run is given up: a query failed, or it cannot finish in time. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get concurrency(): number {
    return this.limit.concurrency;
  }

  get stats(): ConcurrencyStats {
    return {
      start: this.options.start,
      max: this.options.max,
      final: this.limit.concurrency,
      peak: this.peak,
    };
  }

  /** Runs `task` in a slot. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.submitted++;
    return this.limit(async () => {
      this.signal.throwIfAborted();
      return task();
    });
  }

  /** Gives up the run: everything queued or in flight stops with `reason`. The first reason wins. */
  fail(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /**
   * Every answer of the case API: its status is the signal adaptive concurrency follows, its time on
   * the wire what throughput is measured by — a cold start's token fetch or a `Retry-After` wait is
   * not the API's speed, and counting it would fail a run that has time enough.
   */
  observe(status: number, wireMs: number): void {
    this.answered++;
    this.wireMs += Math.max(0, wireMs);
    // Equal start and ceiling mean a fixed limit (SPEC §11): it neither grows nor backs off.
    if (this.options.max === this.options.start) return;
    this.sinceCut++;
    const c = this.limit.concurrency;
    if (status === 429 || status === 503) {
      this.successStreak = 0;
      if (this.sinceCut > this.cutGuard) {
        this.limit.concurrency = Math.max(1, Math.floor(c / 2));
        // Up to `c` requests were in flight: their answers are the same burst.
        this.cutGuard = c;
        this.sinceCut = 0;
      }
      return;
    }
    if (status < 200 || status >= 300) {
      this.successStreak = 0;
      return;
    }
    this.successStreak++;
    if (this.successStreak >= c && c < this.options.max) {
      this.limit.concurrency = c + 1;
      this.peak = Math.max(this.peak, c + 1);
      this.successStreak = 0;
    }
  }

  /** `pages` more requests the run will make (a query's first page, or the rest once its count is known). */
  plan(pages: number): void {
    this.planned += pages;
  }

  /** A planned request succeeded; checks whether the rest can still finish in time. */
  pageDone(): void {
    this.pagesDone++;
    this.checkCapacity();
  }

  private checkCapacity(): void {
    const { deadlineAt, now, max } = this.options;
    if (deadlineAt === undefined || this.signal.aborted) return;
    // One round of answers before judging: the first pages of every query, or a full set of slots.
    if (this.answered < Math.min(this.options.start, this.submitted) || this.wireMs <= 0) return;
    const pagesLeft = Math.max(0, this.planned - this.pagesDone);
    if (pagesLeft === 0) return;
    const t = now();
    const measured = this.pagesDone / Math.max(1, t - this.startedAt);
    // Pages per slot-millisecond on the wire (failed answers cost their time too), times every slot the run may reach.
    const projected = (this.pagesDone / this.wireMs) * max;
    const msLeft = deadlineAt - t;
    const msNeeded = pagesLeft / projected;
    if (msNeeded <= msLeft) return;
    const figures = {
      pagesDone: this.pagesDone,
      pagesLeft,
      pagesPerSecond: round1(measured * 1000),
      projectedPagesPerSecond: round1(projected * 1000),
      secondsLeft: Math.max(0, Math.round(msLeft / 1000)),
      secondsNeeded: Math.round(msNeeded / 1000),
    };
    this.fail(
      new CapacityError(
        `This run cannot finish before the Lambda deadline, so it stops now and mails nothing: ` +
          `${figures.pagesDone} pages done, ${figures.pagesLeft} left; ${figures.pagesPerSecond} pages/s measured, ` +
          `at most ${figures.projectedPagesPerSecond} pages/s at concurrency ${max}; the rest needs about ` +
          `${figures.secondsNeeded} s but ${figures.secondsLeft} s are left.` +
          (this.options.capacityAdvice ? ` To fit: ${this.options.capacityAdvice}` : ''),
        figures,
      ),
    );
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
