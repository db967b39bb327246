import type { AiccClient } from '../aicc/client.js';
import type { ConcurrencyStats } from '../aicc/pool.js';
import type { Clock } from '../clock.js';
import type { ReportWindow } from '../time/windows.js';
import { formatLocal } from '../time/zoned.js';

export interface RunStats {
  requests: number;
  pages: number;
  retries: number;
  /** HTTP 429 answers of the case API. */
  throttled: number;
  durationMs: number;
  concurrency: ConcurrencyStats;
}

export interface WindowResult {
  from: string;
  to: string;
  timezone: string;
}

/** The window as the result shows it: local times in the report's zone. */
export function windowResult(w: ReportWindow, reportTimezone: string): WindowResult {
  return {
    from: formatLocal(w.start, reportTimezone),
    to: formatLocal(w.end, reportTimezone),
    timezone: reportTimezone,
  };
}

export function statsOf(client: AiccClient, clock: Clock, startedAt: Date): RunStats {
  const { requests, pages, retries, throttled } = client.stats;
  return {
    requests,
    pages,
    retries,
    throttled,
    durationMs: clock().getTime() - startedAt.getTime(),
    concurrency: client.concurrency,
  };
}
