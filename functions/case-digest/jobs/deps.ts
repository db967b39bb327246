import type { AiccClient, CaseQuery, QueryOutcome } from '../aicc/client.js';
import type { CaseRecord } from '../aicc/schemas.js';
import type { Config } from '../config.js';
import type { SentEmail } from '../email/send.js';
import type { RenderedEmail } from '../email/views.js';
import { type ApiWindow, type ReportWindow, splitIntoApiWindows } from '../time/windows.js';
import { formatLocal } from '../time/zoned.js';

export interface JobLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Everything a job needs from outside; the handler builds it, tests hand in their own. */
export interface JobDeps {
  config: Config;
  client: AiccClient;
  /** Sends one email to `to` (batched by 50); `idempotencyKey` is set for scheduled deliveries. */
  send(to: string[], email: RenderedEmail, idempotencyKey: string | undefined): Promise<SentEmail[]>;
  /** The clock, for "generated at". */
  now(): Date;
  logger: JobLogger;
}

/** An entry of the result's `emails`: with a dry run, the rendered content instead of a message id. */
export interface EmailResult {
  to: string[];
  subject: string;
  messageId: string | null;
  html?: string;
  text?: string;
  attachments?: { filename: string; contentType: string; size: number }[];
}

export interface RunStats {
  requests: number;
  pages: number;
  retries: number;
  durationMs: number;
}

export interface WindowResult {
  from: string;
  to: string;
  timezone: string;
}

/** The window as the result shows it: local times in REPORT_TIMEZONE. */
export function windowResult(w: ReportWindow, reportTimezone: string): WindowResult {
  return {
    from: formatLocal(w.start, reportTimezone),
    to: formatLocal(w.end, reportTimezone),
    timezone: reportTimezone,
  };
}

/**
 * Streams every case of `window` (split into ≤ 31-day API windows) to `onCase`, and returns a
 * warning for each API window where fewer unique cases arrived than the API said matched.
 */
export async function streamWindow(
  client: AiccClient,
  window: ReportWindow,
  aiccTimezone: string,
  filters: Record<string, string>,
  onCase: (c: CaseRecord) => void,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const api of splitIntoApiWindows(window.start, window.end, aiccTimezone)) {
    const query: CaseQuery = { ...api, filters };
    const outcome = await client.forEachCase(query, (cases) => {
      for (const c of cases) onCase(c);
    });
    const warning = shortfallWarning(api, filters, outcome);
    if (warning) warnings.push(warning);
  }
  return warnings;
}

function shortfallWarning(api: ApiWindow, filters: Record<string, string>, o: QueryOutcome): string | null {
  if (o.uniqueCount >= o.reportedCount) return null;
  const f = Object.keys(filters).length ? ` with filters ${JSON.stringify(filters)}` : '';
  return (
    `AICC reported ${o.reportedCount} cases for ${api.startTime} – ${api.endTime} (AICC time)${f} ` +
    `but ${o.uniqueCount} unique cases arrived: cases were added or changed while paging.`
  );
}

/** The count of `window` by `limit: 1` requests, one per API window. */
export async function countWindow(
  client: AiccClient,
  window: ReportWindow,
  aiccTimezone: string,
  filters: Record<string, string>,
): Promise<number> {
  let total = 0;
  for (const api of splitIntoApiWindows(window.start, window.end, aiccTimezone)) {
    total += await client.countCases({ ...api, filters });
  }
  return total;
}

/** Sends (or, for a dry run, describes) one email, and shapes the result's `emails` entries. */
export async function deliver(
  deps: JobDeps,
  to: string[],
  email: RenderedEmail,
  options: { dryRun: boolean; idempotencyKey: string | undefined },
): Promise<EmailResult[]> {
  if (options.dryRun) {
    return [
      {
        to,
        subject: email.subject,
        messageId: null,
        html: email.html,
        text: email.text,
        attachments: email.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.content.byteLength,
        })),
      },
    ];
  }
  const sent = await deps.send(to, email, options.idempotencyKey);
  return sent.map((s) => ({ to: s.to, subject: s.subject, messageId: s.messageId }));
}

export function statsOf(client: AiccClient, startedAt: number): RunStats {
  const { requests, pages, retries } = client.stats;
  return { requests, pages, retries, durationMs: Math.round(performance.now() - startedAt) };
}
