/** Renders the digest and the alert from their views with the templates precompiled at build time. */
import type HandlebarsApi from 'handlebars';
// The runtime alone (no compiler): the templates arrive precompiled. Its typings lack `create`.
import HandlebarsRuntime from 'handlebars/runtime.js';
import { type Attainment, attainmentRatio } from '../core/attainment.js';
import type { OverdueByAge } from '../core/overdue-summary.js';
import { presentPriorities } from '../core/overdue-view.js';
import { type CsvSection, casesCsvAttachment, overdueCsvFilename } from './csv.js';
import { formatChange, formatCount, formatDurationShort, formatPercent } from './format.js';
import {
  asGiven,
  type BreakdownModel,
  breakdown,
  filterEntries,
  type LayoutModel,
  priorityOrder,
  renderWithinBudget,
  reportFooter,
  type TableModel,
  tableModel,
  tidyText,
  titled,
  warningsModel,
} from './models.js';
import { registerHelpers } from './template-helpers.js';
import { partials, templates } from './templates.generated.js';
import { clip, displayText, shortCaseNo } from './text.js';
import type { AlertView, DigestView, OverdueCaseView, RenderedEmail } from './views.js';

export { HTML_BUDGET_BYTES } from './models.js';

export interface RenderOptions {
  /** Rows of the overdue table before it is cut with "and N more — see attachment". @default 50 */
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 50;
/** Rows of the digest's due-soon table (SPEC §8), and of its top-owners table. */
const DUE_SOON_ROWS = 20;
const TOP_OWNERS = 10;
const SMS_LINE_CHARS = 160;
const AGE_LABELS: Record<keyof OverdueByAge, string> = {
  '<1d': 'less than 1 day',
  '1-3d': '1–3 days',
  '3-7d': '3–7 days',
  '>7d': 'more than 7 days',
};

const hb = (HandlebarsRuntime as unknown as typeof HandlebarsApi).create();
registerHelpers(hb);
for (const [name, spec] of Object.entries(partials)) hb.registerPartial(name, hb.template(spec));
const digestHtml = hb.template<DigestModel>(templates['digest.html']);
const digestText = hb.template<DigestModel>(templates['digest.txt']);
const alertHtml = hb.template<AlertModel>(templates['alert.html']);
const alertText = hb.template<AlertModel>(templates['alert.txt']);

interface DigestModel extends LayoutModel {
  total: number;
  previousTotal: number;
  change: string;
  /** `92.3%`, or `—` when no case was decided yet. */
  attainment: string;
  sla: Attainment;
  atRiskHours: number;
  window: { from: string; to: string; timezone: string };
  filters: { key: string; value: string }[];
  breakdowns: BreakdownModel[];
  age: BreakdownModel;
  owners: BreakdownModel;
  overdue: TableModel;
  atRisk: TableModel;
}

interface AlertModel extends LayoutModel {
  headline: string;
  smsLine: string;
  schedule: string;
  cases: TableModel;
  warned: TableModel;
  warnHours: number;
}

/** The daily (or ad-hoc) digest: headline numbers, what is due soon, what is overdue, the breakdowns, a CSV. */
export function renderDigest(view: DigestView, options: RenderOptions = {}): RenderedEmail {
  const zone = view.reportTimezone;
  const subject = digestSubject(view);
  const sections: CsvSection[] = [
    { section: 'overdue', cases: view.overdue },
    { section: 'due-soon', cases: view.atRisk },
  ];
  const attachment = casesCsvAttachment(sections, view.asOf, zone);
  const csvName = attachment?.filename ?? null;
  const ratio = attainmentRatio(view.sla);
  const base: Omit<DigestModel, 'overdue' | 'atRisk'> = {
    subject,
    heading: `${titled('Case digest', view.report)} ${displayText(view.periodLabel, 60)}`,
    timezone: zone,
    asOf: view.asOf,
    generatedAt: view.generatedAt,
    generator:
      view.trigger === 'ad-hoc' ? 'aicc-case-digest, ad-hoc report' : 'aicc-case-digest, scheduled digest',
    footer: reportFooter(view.report, view.scheduledTime, zone, 'DIGEST_RECIPIENTS'),
    warnings: warningsModel(view.warnings),
    total: view.total,
    previousTotal: view.previousTotal,
    change: formatChange(view.total, view.previousTotal),
    attainment: ratio === null ? '—' : formatPercent(ratio),
    sla: view.sla,
    atRiskHours: view.atRiskHours,
    window: {
      from: displayText(view.window.from, 40),
      to: displayText(view.window.to, 40),
      timezone: displayText(view.window.timezone, 60),
    },
    filters: filterEntries(view.filters).map(([key, value]) => ({ key, value })),
    breakdowns: [
      breakdown({ title: 'New cases by priority', column: 'Priority' }, view.byPriority, priorityOrder),
      breakdown({ title: 'New cases by origin', column: 'Origin' }, view.byOrigin),
      breakdown({ title: 'New cases by state', column: 'State' }, view.byState),
    ],
    age: breakdown(
      { title: 'Overdue for', column: 'Overdue for', empty: 'No overdue cases.', keepZero: true },
      (Object.keys(AGE_LABELS) as (keyof OverdueByAge)[]).map((k) => [AGE_LABELS[k], view.overdueByAge[k]]),
      asGiven,
    ),
    owners: breakdown(
      {
        title: 'Owners with most overdue cases',
        column: 'Owner',
        empty: 'No overdue cases.',
        maxRows: TOP_OWNERS,
        strictTop: true,
      },
      view.overdueByOwner,
    ),
  };
  const build = (shown: number): DigestModel => ({
    ...base,
    overdue: tableModel(view.overdue, shown, {
      detailed: true,
      timezone: zone,
      attachment: csvName,
      dueSoon: false,
      asOf: view.asOf,
      empty: 'No open cases are past their due date.',
    }),
    atRisk: tableModel(view.atRisk, Math.min(DUE_SOON_ROWS, shown), {
      detailed: true,
      timezone: zone,
      attachment: csvName,
      dueSoon: true,
      asOf: view.asOf,
      empty: `No open case is due in the next ${formatCount(view.atRiskHours)} h.`,
    }),
  });
  const rows = rowLimit(options, Math.max(view.overdue.length, Math.min(DUE_SOON_ROWS, view.atRisk.length)));
  const { html, model } = renderWithinBudget(digestHtml, build, rows);
  return { subject, html, text: tidyText(digestText(model)), attachments: attachment ? [attachment] : [] };
}

/**
 * The on-call alert: one email per run with the cases that fell overdue (or are reminded) and the
 * cases warned before their due time, each section sorted; a CSV of every case listed.
 */
export function renderAlert(view: AlertView, options: RenderOptions = {}): RenderedEmail {
  const zone = view.reportTimezone;
  const subject = alertSubject(view);
  const attachment = casesCsvAttachment(
    [
      { section: 'overdue', cases: view.cases },
      { section: 'due-soon', cases: view.warned },
    ],
    view.asOf,
    zone,
  );
  const csvName = attachment?.filename ?? overdueCsvFilename(view.asOf, zone);
  const build = (shown: number): AlertModel => ({
    subject,
    heading: titled(view.cases.length > 0 ? 'Overdue alert' : 'Due-soon alert', view.report),
    timezone: zone,
    asOf: view.asOf,
    generatedAt: view.generatedAt,
    generator: 'aicc-case-digest, overdue alert',
    footer: reportFooter(view.report, view.scheduledTime, zone, 'ALERT_RECIPIENTS'),
    warnings: warningsModel(view.warnings),
    headline: alertHeadlines(view).join(' · '),
    smsLine: alertSmsLine(view),
    schedule: alertSchedule(view),
    warnHours: view.warnHours,
    cases: tableModel(view.cases, shown, {
      detailed: false,
      timezone: zone,
      attachment: csvName,
      dueSoon: false,
      asOf: view.asOf,
      empty: 'No case fell overdue in this run.',
    }),
    warned: tableModel(view.warned, shown, {
      detailed: false,
      timezone: zone,
      attachment: csvName,
      dueSoon: true,
      asOf: view.asOf,
      empty: 'No case is about to fall due.',
    }),
  });
  const rows = rowLimit(options, Math.max(view.cases.length, view.warned.length));
  const { html, model } = renderWithinBudget(alertHtml, build, rows);
  return { subject, html, text: tidyText(alertText(model)), attachments: attachment ? [attachment] : [] };
}

/**
 * `Case digest 2026-11-26: 284 new, 3 overdue [priority=Critical]`, with a report
 * `Case digest · EMEA voice 2026-11-26: …` — one line whatever the data.
 */
function digestSubject(view: DigestView): string {
  const base = `${titled('Case digest', view.report)} ${displayText(view.periodLabel, 60)}: ${formatCount(view.total)} new, ${formatCount(view.overdue.length)} overdue`;
  // A named report's title names its slice; an ad-hoc run says which filters it applied.
  const filters = view.report
    ? []
    : filterEntries(view.filters).map(([key, value]) => `${key}=${clip(value, 40)}`);
  return filters.length ? clip(`${base} [${filters.join(', ')}]`, 250) : clip(base, 250);
}

/** `[Overdue] 2 Critical cases past due`, `[Due soon] 1 Critical case due within 2 h`, or both counts. */
function alertSubject(view: AlertView): string {
  const [first, second] = alertHeadlines(view);
  const tag = view.cases.length > 0 ? '[Overdue]' : '[Due soon]';
  const subject = `${tag} ${first}${second ? ` · ${second}` : ''}`;
  return view.report ? clip(`${subject} · ${displayText(view.report.title, 80)}`, 250) : subject;
}

/** One headline per non-empty section: `2 Critical/High cases past due`, `1 Critical case due within 2 h`. */
function alertHeadlines(view: AlertView): string[] {
  const out: string[] = [];
  const names = (cases: readonly OverdueCaseView[]) => priorityNames(view.priorities, cases);
  const n = (k: number, what: string) => `${formatCount(k)} ${what} case${k === 1 ? '' : 's'}`;
  if (view.cases.length > 0) out.push(`${n(view.cases.length, names(view.cases))} past due`);
  if (view.warned.length > 0)
    out.push(`${n(view.warned.length, names(view.warned))} due within ${formatCount(view.warnHours)} h`);
  // A run with nothing to send renders nothing; this keeps a preview of an empty view readable.
  if (out.length === 0) out.push(`0 ${names([])} cases past due`);
  return out;
}

/** The priorities present, in the configured order (all configured ones for an empty list): `Critical/High`. */
function priorityNames(configured: readonly string[], cases: readonly OverdueCaseView[]): string {
  const present = cases.length ? presentPriorities(cases, configured) : configured;
  return clip(present.map((p) => displayText(p, 24)).join('/'), 60);
}

/**
 * The text part's first line, short enough for email-to-SMS:
 * `2 Critical cases past due: 0000…35013 (3 h), …; 1 Critical case due within 2 h: 0000…35020 (in 1 h)`.
 */
function alertSmsLine(view: AlertView): string {
  const [overdueHead, dueHead] = alertHeadlines(view);
  const parts: { head: string; items: string[] }[] = [];
  if (view.cases.length > 0)
    parts.push({
      head: overdueHead ?? '',
      items: view.cases.map((c) => `${shortCaseNo(c)} (${formatDurationShort(c.overdueMs)})`),
    });
  if (view.warned.length > 0)
    parts.push({
      head: (view.cases.length > 0 ? dueHead : overdueHead) ?? '',
      items: view.warned.map(
        (c) => `${shortCaseNo(c)} (in ${formatDurationShort(c.dueAt.getTime() - view.asOf.getTime())})`,
      ),
    });
  let line = '';
  for (const [p, part] of parts.entries()) {
    line += `${p > 0 ? '; ' : ''}${part.head}:`;
    for (const [i, item] of part.items.entries()) {
      const piece = `${i === 0 ? ' ' : ', '}${item}`;
      const rest = part.items.length - i - 1;
      const tail = rest > 0 ? `, +${rest} more` : '';
      if (line.length + piece.length + tail.length > SMS_LINE_CHARS) {
        line += `${i === 0 ? ' ' : ', '}+${part.items.length - i} more`;
        break;
      }
      line += piece;
    }
  }
  return line;
}

function alertSchedule(view: AlertView): string {
  const checked = `Checked every ${formatCount(view.intervalMinutes)} min`;
  const repeat =
    view.repeatHours > 0
      ? `a reminder follows every ${formatCount(view.repeatHours)} h while a case stays overdue`
      : 'each case is alerted once';
  const warn =
    view.warnHours > 0 ? `; cases are also warned ${formatCount(view.warnHours)} h before they fall due` : '';
  return `${checked}; ${repeat}${warn}.`;
}

function rowLimit(options: RenderOptions, available: number): number {
  const max = options.maxRows ?? DEFAULT_MAX_ROWS;
  return Math.min(available, Number.isFinite(max) ? Math.max(0, Math.floor(max)) : DEFAULT_MAX_ROWS);
}
