/** What the renderers receive: plain data, already computed, sorted and masked by the jobs. */
import type { Attainment } from '../core/attainment.js';
import type { OverdueByAge } from '../core/overdue-summary.js';

/** One open case with a due date — past it (overdue) or close to it (due soon) — as the tables show it. */
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
  /** asOf − dueAt, in milliseconds (≥ 0; 0 for a case not yet due). */
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

/** The named report a run belongs to (SPEC §12), for the subject, heading and footer. */
export interface ReportLabel {
  name: string;
  /** Shown in the subject and heading; the name when the report has no title. */
  title: string;
}

export interface DigestView {
  /** Set for a named report. */
  report?: ReportLabel | undefined;
  /** The schedule's `scheduledTime` of a scheduled run, for the footer. */
  scheduledTime?: Date | undefined;
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
  overdueByAge: OverdueByAge;
  /** Overdue cases per owner, most first. */
  overdueByOwner: Record<string, number>;
  /** Open cases due in `(asOf, asOf + atRiskHours]`, soonest first. */
  atRisk: OverdueCaseView[];
  atRiskHours: number;
  /** Due-date attainment of the period's cases. */
  sla: Attainment;
  warnings: string[];
}

export interface AlertView {
  report?: ReportLabel | undefined;
  scheduledTime?: Date | undefined;
  asOf: Date;
  generatedAt: Date;
  reportTimezone: string;
  /** The alerting priorities (ALERT_PRIORITIES), in configured order. */
  priorities: string[];
  intervalMinutes: number;
  repeatHours: number;
  /** The pre-breach warning lead; 0 = off. */
  warnHours: number;
  /** The overdue cases alerted in this run, sorted by priority (Critical first), then oldest dueAt. */
  cases: OverdueCaseView[];
  /** The cases warned in this run (due within `warnHours`), soonest first. */
  warned: OverdueCaseView[];
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
