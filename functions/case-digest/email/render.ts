/** Renders the digest and the alert from their views with the templates precompiled at build time. */
import type HandlebarsApi from 'handlebars';
// The runtime alone (no compiler): the templates arrive precompiled. Its typings lack `create`.
import HandlebarsRuntime from 'handlebars/runtime.js';
import { overdueCsvAttachment, overdueCsvFilename } from './csv.js';
import {
  cleanText,
  clip,
  displayText,
  formatChange,
  formatCount,
  formatDateTime,
  formatDurationShort,
  registerHelpers,
} from './helpers.js';
import { maskPhone } from './mask.js';
import { partials, templates } from './templates.generated.js';
import type { AlertView, DigestView, OverdueCaseView, RenderedEmail } from './views.js';

export interface RenderOptions {
  /** Rows of the overdue table before it is cut with "and N more — see attachment". @default 50 */
  maxRows?: number;
}

/** The HTML is kept below this, so Gmail (which clips at 102 KB) shows all of it. */
export const HTML_BUDGET_BYTES = 96_000;
const DEFAULT_MAX_ROWS = 50;
const BREAKDOWN_ROWS = 20;
const MAX_WARNINGS = 5;
const MAX_FILTERS = 12;
const SMS_LINE_CHARS = 160;

const hb = (HandlebarsRuntime as unknown as typeof HandlebarsApi).create();
registerHelpers(hb);
for (const [name, spec] of Object.entries(partials)) hb.registerPartial(name, hb.template(spec));
const digestHtml = hb.template<DigestModel>(templates['digest.html']);
const digestText = hb.template<DigestModel>(templates['digest.txt']);
const alertHtml = hb.template<AlertModel>(templates['alert.html']);
const alertText = hb.template<AlertModel>(templates['alert.txt']);

interface RowModel {
  caseNo: string;
  title: string;
  priority: string;
  state: string;
  owner: string;
  phone: string;
  url: string | null;
  dueAt: Date;
  /** `dueAt` in the report zone, split so the HTML can stack them in a narrow column. */
  dueDate: string;
  dueTime: string;
  overdueMs: number;
}

interface TableModel {
  rows: RowModel[];
  total: number;
  more: number;
  /** The CSV's name when one is attached. */
  attachment: string | null;
  /** The digest's table also shows state and phone. */
  detailed: boolean;
  timezone: string;
}

interface BreakdownModel {
  title: string;
  column: string;
  rows: { label: string; cases: number; share: number; barPct: number; other: boolean }[];
  labelWidth: number;
}

interface LayoutModel {
  subject: string;
  heading: string;
  timezone: string;
  asOf: Date;
  generatedAt: Date;
  generator: string;
  warnings: { items: string[]; more: number };
}

interface DigestModel extends LayoutModel {
  total: number;
  previousTotal: number;
  change: string;
  window: { from: string; to: string; timezone: string };
  filters: { key: string; value: string }[];
  breakdowns: BreakdownModel[];
  overdue: TableModel;
}

interface AlertModel extends LayoutModel {
  headline: string;
  smsLine: string;
  schedule: string;
  cases: TableModel;
}

/** The daily (or ad-hoc) digest: headline numbers, breakdowns, the overdue table and its CSV. */
export function renderDigest(view: DigestView, options: RenderOptions = {}): RenderedEmail {
  const zone = view.reportTimezone;
  const subject = digestSubject(view);
  const change = formatChange(view.total, view.previousTotal);
  const csvName = view.overdue.length > 0 ? overdueCsvFilename(view.asOf, zone) : null;
  const base: Omit<DigestModel, 'overdue'> = {
    subject,
    heading: `Case digest ${displayText(view.periodLabel, 60)}`,
    timezone: zone,
    asOf: view.asOf,
    generatedAt: view.generatedAt,
    generator:
      view.trigger === 'ad-hoc' ? 'aicc-case-digest, ad-hoc report' : 'aicc-case-digest, scheduled digest',
    warnings: warningsModel(view.warnings),
    total: view.total,
    previousTotal: view.previousTotal,
    change,
    window: {
      from: displayText(view.window.from, 40),
      to: displayText(view.window.to, 40),
      timezone: displayText(view.window.timezone, 60),
    },
    filters: filterEntries(view.filters).map(([key, value]) => ({ key, value })),
    breakdowns: [
      breakdown('By priority', 'Priority', view.byPriority, priorityOrder),
      breakdown('By origin', 'Origin', view.byOrigin),
      breakdown('By state', 'State', view.byState),
    ],
  };
  const build = (shown: number): DigestModel => ({
    ...base,
    overdue: tableModel(view.overdue, shown, { detailed: true, timezone: zone, attachment: csvName }),
  });
  const { html, model } = renderWithinBudget(digestHtml, build, rowLimit(options, view.overdue.length));
  return {
    subject,
    html,
    text: tidyText(digestText(model)),
    attachments: csvName ? [overdueCsvAttachment(view.overdue, view.asOf, zone)] : [],
  };
}

/** The on-call alert: every case alerted in this run, most overdue first; a CSV only when the table is cut. */
export function renderAlert(view: AlertView, options: RenderOptions = {}): RenderedEmail {
  const zone = view.reportTimezone;
  const headline = alertHeadline(view);
  const subject = `[Overdue] ${headline}`;
  const smsLine = alertSmsLine(headline, view.cases);
  const csvName = overdueCsvFilename(view.asOf, zone);
  const build = (shown: number): AlertModel => ({
    subject,
    heading: 'Overdue alert',
    timezone: zone,
    asOf: view.asOf,
    generatedAt: view.generatedAt,
    generator: 'aicc-case-digest, overdue alert',
    warnings: warningsModel(view.warnings),
    headline,
    smsLine,
    schedule: alertSchedule(view),
    cases: tableModel(view.cases, shown, {
      detailed: false,
      timezone: zone,
      attachment: shown < view.cases.length ? csvName : null,
    }),
  });
  const { html, model } = renderWithinBudget(alertHtml, build, rowLimit(options, view.cases.length));
  return {
    subject,
    html,
    text: tidyText(alertText(model)),
    attachments: model.cases.attachment ? [overdueCsvAttachment(view.cases, view.asOf, zone)] : [],
  };
}

/** `Case digest 2026-11-26: 284 new, 3 overdue [priority=Critical]` — one line whatever the data. */
function digestSubject(view: DigestView): string {
  const base = `Case digest ${displayText(view.periodLabel, 60)}: ${formatCount(view.total)} new, ${formatCount(view.overdue.length)} overdue`;
  const filters = filterEntries(view.filters).map(([key, value]) => `${key}=${clip(value, 40)}`);
  return filters.length ? clip(`${base} [${filters.join(', ')}]`, 250) : base;
}

/** `2 Critical cases past due`; several priorities read `Critical/High`, in the configured order. */
function alertHeadline(view: AlertView): string {
  const configured = view.priorities.map((p) => p.toLowerCase());
  const rank = (p: string) => {
    const i = configured.indexOf(p.toLowerCase());
    return i < 0 ? configured.length : i;
  };
  const seen = new Map<string, string>();
  for (const c of view.cases)
    if (!seen.has(c.priority.toLowerCase())) seen.set(c.priority.toLowerCase(), c.priority);
  const present = seen.size ? [...seen.values()] : view.priorities;
  const names = [...present].sort((a, b) => rank(a) - rank(b)).map((p) => displayText(p, 24));
  const n = view.cases.length;
  return `${formatCount(n)} ${clip(names.join('/'), 60)} case${n === 1 ? '' : 's'} past due`;
}

/** The text part's first line, short enough for email-to-SMS: `2 Critical cases past due: 0000…35013 (3 h), …`. */
function alertSmsLine(headline: string, cases: readonly OverdueCaseView[]): string {
  let line = `${headline}:`;
  for (const [i, c] of cases.entries()) {
    const item = `${i === 0 ? ' ' : ', '}${shortCaseNo(c)} (${formatDurationShort(c.overdueMs)})`;
    const rest = cases.length - i - 1;
    const tail = rest > 0 ? `, +${rest} more` : '';
    if (line.length + item.length + tail.length > SMS_LINE_CHARS) {
      return `${line}${i === 0 ? ' ' : ', '}+${cases.length - i} more`;
    }
    line += item;
  }
  return line;
}

/** Long case numbers keep their first 4 and last 5 characters (`00000000035013` → `0000…35013`). */
function shortCaseNo(c: OverdueCaseView): string {
  const caseNo = cleanText(c.caseNo) || cleanText(c.id);
  const chars = [...caseNo];
  return chars.length > 12 ? `${chars.slice(0, 4).join('')}…${chars.slice(-5).join('')}` : caseNo;
}

function alertSchedule(view: AlertView): string {
  const checked = `Checked every ${formatCount(view.intervalMinutes)} min`;
  return view.repeatHours > 0
    ? `${checked}; a reminder follows every ${formatCount(view.repeatHours)} h while a case stays overdue.`
    : `${checked}; each case is alerted once.`;
}

function filterEntries(filters: Record<string, string>): [string, string][] {
  return Object.entries(filters)
    .slice(0, MAX_FILTERS)
    .map(([key, value]) => [displayText(key, 40), displayText(String(value), 80)]);
}

function warningsModel(warnings: readonly string[]): LayoutModel['warnings'] {
  return {
    items: warnings.slice(0, MAX_WARNINGS).map((w) => displayText(w, 300, 1_200)),
    more: Math.max(0, warnings.length - MAX_WARNINGS),
  };
}

const PRIORITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
/** Known priorities in their natural order first, then the rest by count. */
function priorityOrder(a: [string, number], b: [string, number]): number {
  const ra = PRIORITY_RANK[a[0].toLowerCase()] ?? 9;
  const rb = PRIORITY_RANK[b[0].toLowerCase()] ?? 9;
  return ra - rb || byCount(a, b);
}
function byCount(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** A breakdown table: the top rows (the rest folded into one "Other" row), bars as wide as each share. */
function breakdown(
  title: string,
  column: string,
  counts: Record<string, number>,
  order: (a: [string, number], b: [string, number]) => number = byCount,
): BreakdownModel {
  const entries = Object.entries(counts).filter(([, n]) => Number.isFinite(n) && n > 0);
  const sum = entries.reduce((acc, [, n]) => acc + n, 0);
  entries.sort(order);
  // One "Other" row stands for the rest, unless it would stand for a single value.
  const shown = entries.length > BREAKDOWN_ROWS + 1 ? entries.slice(0, BREAKDOWN_ROWS) : entries;
  const rest = entries.slice(shown.length);
  const row = (label: string, cases: number, other: boolean) => {
    const share = sum > 0 ? cases / sum : 0;
    return { label, cases, share, barPct: cases > 0 ? Math.max(1, Math.round(share * 100)) : 0, other };
  };
  const rows = shown.map(([key, n]) => row(displayText(key, 32) || '(blank)', n, false));
  if (rest.length) {
    const others = rest.reduce((acc, [, n]) => acc + n, 0);
    rows.push(row(`Other (${formatCount(rest.length)} values)`, others, true));
  }
  return { title, column, rows, labelWidth: Math.max(8, ...rows.map((r) => r.label.length)) };
}

function tableModel(
  cases: readonly OverdueCaseView[],
  shown: number,
  options: { detailed: boolean; timezone: string; attachment: string | null },
): TableModel {
  // Only the rows shown are formatted: 5,000 overdue cases cost 50 rows here.
  const rows = cases.slice(0, shown).map((c) => rowModel(c, options.timezone));
  return { rows, total: cases.length, more: cases.length - rows.length, ...options };
}

function rowModel(c: OverdueCaseView, zone: string): RowModel {
  const [dueDate = '', dueTime = ''] = formatDateTime(c.dueAt, zone).split(' ');
  return {
    caseNo: displayText(c.caseNo, 40, 160) || '(no case no.)',
    title: displayText(c.title, 200, 600) || '(no title)',
    priority: displayText(c.priority, 32),
    state: displayText(c.state, 32),
    owner: displayText(c.ownerId, 40, 160),
    phone: displayText(maskPhone(c.contactPhone), 20),
    url: safeUrl(c.url),
    dueAt: c.dueAt,
    dueDate,
    dueTime,
    overdueMs: c.overdueMs,
  };
}

/** A deep link is kept only when it is a plain http(s) URL of sane length. */
function safeUrl(url: string | null): string | null {
  if (!url || url.length > 1_000 || !/^https?:\/\/[^\s"'<>`\\]+$/i.test(url)) return null;
  return url;
}

function rowLimit(options: RenderOptions, available: number): number {
  const max = options.maxRows ?? DEFAULT_MAX_ROWS;
  return Math.min(available, Number.isFinite(max) ? Math.max(0, Math.floor(max)) : DEFAULT_MAX_ROWS);
}

/**
 * Renders with `rows` table rows, dropping rows until the HTML fits HTML_BUDGET_BYTES. The per-field
 * caps make this a no-op for real data; it keeps the bound for hostile data (e.g. titles of quotes).
 */
function renderWithinBudget<M>(
  template: HandlebarsApi.TemplateDelegate<M>,
  build: (shown: number) => M,
  rows: number,
): { html: string; model: M } {
  let shown = rows;
  for (;;) {
    const model = build(shown);
    const html = template(model);
    const size = Buffer.byteLength(html, 'utf8');
    if (size <= HTML_BUDGET_BYTES || shown === 0) return { html, model };
    shown = Math.max(0, Math.min(shown - 1, Math.floor((shown * HTML_BUDGET_BYTES) / size) - 1));
  }
}

/** Trailing spaces off, at most one blank line in a row, one final newline. */
function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
