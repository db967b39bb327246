import type { AiccClient, CaseQuery, QueryOutcome } from '../aicc/client.js';
import type { CaseRecord } from '../aicc/schemas.js';
import { type ApiWindow, type ReportWindow, splitIntoApiWindows } from '../time/windows.js';

/** A query's filters: as the API takes them, and as people read them (for warnings: phones masked). */
export interface ScanFilters {
  api: Record<string, string>;
  display: Record<string, string>;
}

/**
 * Streams every case of `window` (split into ≤ 31-day API windows, all requested at once through the
 * run's pool) to `onCase`, and returns a warning for each API window where fewer unique cases arrived
 * than the API said matched. The API windows never overlap, so no case arrives from two of them.
 */
export async function streamWindow(
  client: AiccClient,
  window: ReportWindow,
  aiccTimezone: string,
  filters: ScanFilters,
  onCase: (c: CaseRecord) => void,
): Promise<string[]> {
  const outcomes = await Promise.all(
    splitIntoApiWindows(window.start, window.end, aiccTimezone).map(async (api) => {
      const query: CaseQuery = { ...api, filters: filters.api };
      const outcome = await client.forEachCase(query, (cases) => {
        for (const c of cases) onCase(c);
      });
      return shortfallWarning(api, filters.display, outcome);
    }),
  );
  return outcomes.filter((w): w is string => w !== null);
}

function shortfallWarning(api: ApiWindow, display: Record<string, string>, o: QueryOutcome): string | null {
  if (o.uniqueCount >= o.reportedCount) return null;
  const entries = Object.entries(display);
  const f = entries.length ? ` with filters ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
  return (
    `AICC reported ${o.reportedCount} cases for ${api.startTime} – ${api.endTime} (AICC time)${f} ` +
    `but ${o.uniqueCount} unique cases arrived: cases were added or changed while paging.`
  );
}

/** The count of `window` by `limit: 1` requests, one per API window, all at once through the pool. */
export async function countWindow(
  client: AiccClient,
  window: ReportWindow,
  aiccTimezone: string,
  filters: Record<string, string>,
): Promise<number> {
  const counts = await Promise.all(
    splitIntoApiWindows(window.start, window.end, aiccTimezone).map((api) =>
      client.countCases({ ...api, filters }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}
