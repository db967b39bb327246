import pLimit from 'p-limit';
import type { CaseRecord } from './schemas.js';

export interface Page {
  cases: CaseRecord[];
  count: number;
}

export interface PagingOptions {
  pageSize: number;
  concurrency: number;
  /** Fetches the page at `start` (retries included); `signal` aborts when paging is given up. */
  fetchPage(start: number, signal: AbortSignal): Promise<Page>;
  /** Each page's cases not seen before in this query, as the page arrives. */
  onPage(cases: CaseRecord[]): void;
  /** After every page: pages received so far, and pages the largest reported `count` needs. */
  onProgress?(pagesDone: number, pagesTotal: number): void;
}

export interface PagingOutcome {
  /** The largest `count` any page reported. */
  reportedCount: number;
  uniqueCount: number;
  pages: number;
}

/**
 * Offset paging over live data: the first page reveals `count`, the rest run through
 * p-limit(concurrency), each offset exactly once. A page reporting a larger `count` extends the
 * paging to cover it. Cases are deduplicated by id (only the ids are kept). The first failure stops
 * new pages, aborts those in flight, and is what the call rejects with once they have settled.
 */
export async function pageThrough(options: PagingOptions): Promise<PagingOutcome> {
  const { pageSize } = options;
  const seen = new Set<string>();
  let anonymous = 0;
  const cancel = new AbortController();
  const limit = pLimit(options.concurrency);
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
      const page = await options.fetchPage(start, cancel.signal);
      if (!failed) receive(page);
    } catch (error) {
      fail(error);
    }
  };

  const launchUpTo = (count: number) => {
    while (!failed && nextStart < count) {
      tasks.push(limit(run, nextStart));
      nextStart += pageSize;
    }
  };

  receive(await options.fetchPage(0, cancel.signal));
  // Tasks are appended while earlier ones settle (a larger `count`), hence the index loop.
  for (let i = 0; i < tasks.length; i++) await tasks[i];
  if (failed) throw failure;
  return { reportedCount, uniqueCount: seen.size + anonymous, pages };
}
