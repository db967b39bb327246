import type { CaseRecord } from './schemas.js';

/** One page of a case-list answer: its cases and the total the API says match. */
export interface Page {
  cases: CaseRecord[];
  count: number;
}

/** How a query's paging went. */
export interface QueryOutcome {
  /** The largest `count` any page reported. */
  reportedCount: number;
  uniqueCount: number;
  pages: number;
}

export interface PagingOptions {
  pageSize: number;
  /**
   * Fetches the page at `start` (retries included), through the run's request pool; `signal` aborts
   * when this query is given up.
   */
  fetchPage(start: number, signal: AbortSignal): Promise<Page>;
  /** Each page's cases not seen before in this query, as the page arrives. */
  onPage(cases: CaseRecord[]): void;
  /** After every page: pages received so far, and pages the largest reported `count` needs. */
  onProgress?(pagesDone: number, pagesTotal: number): void;
  /** `pages` more pages became known to be needed (the first page, then the rest as `count` shows). */
  onPlan?(pages: number): void;
  /** Aborts when the whole run is given up (another query failed, or it cannot finish in time). */
  signal?: AbortSignal;
}

/**
 * Offset paging over live data: the first page reveals `count`, the rest are requested at once
 * (the pool decides how many are in flight), each offset exactly once. A page reporting a larger
 * `count` extends the paging to cover it. Cases are deduplicated by id (only the ids are kept). The
 * first failure stops this query's pages, aborts those in flight, and is what the call rejects with
 * once they have settled.
 */
export async function pageThrough(options: PagingOptions): Promise<QueryOutcome> {
  const { pageSize } = options;
  const seen = new Set<string>();
  let anonymous = 0;
  const cancel = new AbortController();
  const signal = options.signal ? AbortSignal.any([cancel.signal, options.signal]) : cancel.signal;
  const tasks: Promise<void>[] = [];
  let reportedCount = 0;
  let pages = 0;
  let nextStart = pageSize;
  let failed = false;
  let failure: unknown;

  const receive = (page: Page) => {
    pages++;
    if (page.count > reportedCount) reportedCount = page.count;
    const fresh: CaseRecord[] = [];
    for (const record of page.cases) {
      // A record without an id (SPEC §3: any field may be null) cannot be matched: it counts as it comes.
      if (record.id !== null && record.id !== undefined) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
      } else anonymous++;
      fresh.push(record);
    }
    options.onPage(fresh);
    options.onProgress?.(pages, Math.max(1, Math.ceil(reportedCount / pageSize)));
    launchUpTo(reportedCount);
  };

  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    failure = error;
    cancel.abort(error);
  };

  const run = async (start: number) => {
    if (failed) return;
    try {
      const page = await options.fetchPage(start, signal);
      if (!failed) receive(page);
    } catch (error) {
      fail(error);
    }
  };

  const launchUpTo = (count: number) => {
    const before = nextStart;
    while (!failed && nextStart < count) {
      tasks.push(run(nextStart));
      nextStart += pageSize;
    }
    if (nextStart > before) options.onPlan?.((nextStart - before) / pageSize);
  };

  options.onPlan?.(1);
  await run(0);
  // Tasks are appended while earlier ones settle (a larger `count`), hence the index loop.
  for (let i = 0; i < tasks.length; i++) await tasks[i];
  if (failed) throw failure;
  return { reportedCount, uniqueCount: seen.size + anonymous, pages };
}
