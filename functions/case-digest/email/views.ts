/** What the renderers receive: plain data, already computed, sorted and masked by the jobs. */

/** One open case past its due date, as shown in the digest's overdue table and in alerts. */
export interface OverdueCaseView {
  id: string;
  caseNo: string;
  title: string;
  /** Bucketed display value: trimmed, "Unspecified" when empty. */
  priority: string;
  origin: string;
  state: string;
  ownerId: string;
  /** Already masked to the last 4 digits (or empty). */
  contactPhone: string;
  /** The due date as an instant. */
  dueAt: Date;
  /** The creation date as an instant, when parseable. */
  createdAt: Date | null;
  /** asOf − dueAt, in milliseconds (≥ 0). */
  overdueMs: number;
  /** Deep link from CASE_URL_TEMPLATE, when set. */
  url: string | null;
}

export interface WindowView {
  /** Local times `YYYY-MM-DD HH:mm:ss` in `timezone` (REPORT_TIMEZONE). */
  from: string;
  to: string;
  timezone: string;
}

export interface DigestView {
  asOf: Date;
  generatedAt: Date;
  reportTimezone: string;
  /**
   * How the run was started: `scheduled` for a schedule delivery (a `scheduledTime` and no range),
   * `ad-hoc` for any other invocation. The footer says "scheduled digest" or "ad-hoc report".
   * Optional only for callers built before it existed; the digest job always sets it.
   * @default 'scheduled'
   */
  trigger?: 'scheduled' | 'ad-hoc';
  /** The local date the digest is about (`YYYY-MM-DD`), or `YYYY-MM-DD – YYYY-MM-DD` for a range. */
  periodLabel: string;
  window: WindowView;
  filters: Record<string, string>;
  total: number;
  previousTotal: number;
  byPriority: Record<string, number>;
  byOrigin: Record<string, number>;
  byState: Record<string, number>;
  /** Every overdue case, sorted: priority (Critical first), then oldest dueAt. */
  overdue: OverdueCaseView[];
  warnings: string[];
}

export interface AlertView {
  asOf: Date;
  generatedAt: Date;
  reportTimezone: string;
  /** The alerting priorities (ALERT_PRIORITIES), in configured order. */
  priorities: string[];
  intervalMinutes: number;
  repeatHours: number;
  /** The cases alerted in this run, sorted most overdue first. */
  cases: OverdueCaseView[];
  warnings: string[];
}

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachment[];
}
