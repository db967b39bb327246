/**
 * The template models: what the Handlebars templates see. Every API value is cleaned and clipped here,
 * so the templates only lay out (and HTML-escape) what they are given.
 */
import type HandlebarsApi from 'handlebars';
import { priorityRank } from '../aicc/schemas.js';
import { formatCount, formatDateTime, formatDuration } from './format.js';
import { maskPhone } from './mask.js';
import { displayText } from './text.js';
import type { OverdueCaseView, ReportLabel } from './views.js';

/** The HTML is kept below this, so Gmail (which clips at 102 KB) shows all of it. */
export const HTML_BUDGET_BYTES = 96_000;
const MAX_WARNINGS = 5;
const MAX_FILTERS = 12;

export interface RowModel {
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
  /** How long overdue (`3 h 12 min`), or how long until due for a due-soon table. */
  when: string;
}

export interface TableModel {
  rows: RowModel[];
  total: number;
  more: number;
  /** The CSV's name when one is attached. */
  attachment: string | null;
  /** The digest's table also shows state and phone. */
  detailed: boolean;
  timezone: string;
  /** Overdue tables say "overdue by", due-soon tables "due in". */
  dueSoon: boolean;
  /** What an empty table says. */
  empty: string;
}

export interface BreakdownModel {
  title: string;
  column: string;
  rows: { label: string; cases: number; share: number; barPct: number; other: boolean }[];
  labelWidth: number;
  /** What an empty breakdown says. */
  empty: string;
}

export interface LayoutModel {
  subject: string;
  heading: string;
  timezone: string;
  asOf: Date;
  generatedAt: Date;
  generator: string;
  /** The footer's lines after "Generated …": which report sent it and how recipients change. */
  footer: string[];
  warnings: { items: string[]; more: number };
}

type Entry = [string, number];

/** Known priorities in their natural order first, then the rest by count. */
export function priorityOrder(a: Entry, b: Entry): number {
  return priorityRank(a[0]) - priorityRank(b[0]) || byCount(a, b);
}

export function byCount(a: Entry, b: Entry): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** Keeps the entries in the order given (for fixed buckets such as overdue age). */
export const asGiven = (): number => 0;

/**
 * A breakdown table: the top `maxRows` rows (the rest folded into one "Other" row, unless it would
 * stand for a single value), bars as wide as each share.
 */
export function breakdown(
  spec: {
    title: string;
    column: string;
    empty?: string;
    maxRows?: number;
    keepZero?: boolean;
    /** Never more than `maxRows` named rows, even when "Other" would stand for one value (a top ten). */
    strictTop?: boolean;
  },
  counts: Record<string, number> | readonly Entry[],
  order: (a: Entry, b: Entry) => number = byCount,
): BreakdownModel {
  const all = Array.isArray(counts) ? [...counts] : Object.entries(counts);
  const entries = all.filter(([, n]) => Number.isFinite(n) && (n > 0 || (spec.keepZero && n === 0)));
  const sum = entries.reduce((acc, [, n]) => acc + n, 0);
  entries.sort(order);
  const maxRows = spec.maxRows ?? 20;
  const shown = entries.length > maxRows + (spec.strictTop ? 0 : 1) ? entries.slice(0, maxRows) : entries;
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
  return {
    title: spec.title,
    column: spec.column,
    rows: sum > 0 ? rows : [],
    labelWidth: Math.max(8, ...rows.map((r) => r.label.length)),
    empty: spec.empty ?? 'No cases.',
  };
}

export function tableModel(
  cases: readonly OverdueCaseView[],
  shown: number,
  options: {
    detailed: boolean;
    timezone: string;
    attachment: string | null;
    dueSoon: boolean;
    asOf: Date;
    empty: string;
  },
): TableModel {
  const { asOf, ...rest } = options;
  // Only the rows shown are formatted: 5,000 overdue cases cost 50 rows here.
  const rows = cases.slice(0, shown).map((c) => rowModel(c, options.timezone, options.dueSoon ? asOf : null));
  return { rows, total: cases.length, more: cases.length - rows.length, ...rest };
}

function rowModel(c: OverdueCaseView, zone: string, dueSoonFrom: Date | null): RowModel {
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
    when: formatDuration(dueSoonFrom ? c.dueAt.getTime() - dueSoonFrom.getTime() : c.overdueMs),
  };
}

/** A deep link is kept only when it is a plain http(s) URL of sane length. */
function safeUrl(url: string | null): string | null {
  if (!url || url.length > 1_000 || !/^https?:\/\/[^\s"'<>`\\]+$/i.test(url)) return null;
  return url;
}

export function filterEntries(filters: Record<string, string>): [string, string][] {
  return Object.entries(filters)
    .slice(0, MAX_FILTERS)
    .map(([key, value]) => [displayText(key, 40), displayText(String(value), 80)]);
}

export function warningsModel(warnings: readonly string[]): LayoutModel['warnings'] {
  return {
    items: warnings.slice(0, MAX_WARNINGS).map((w) => displayText(w, 300, 1_200)),
    more: Math.max(0, warnings.length - MAX_WARNINGS),
  };
}

/** `Case digest · EMEA voice` for a named report, else the plain name. */
export const titled = (base: string, report: ReportLabel | undefined): string =>
  report ? `${base} · ${displayText(report.title, 80)}` : base;

/** The footer lines of a named report: who sent it and where its recipients are set. */
export function reportFooter(
  report: ReportLabel | undefined,
  scheduledTime: Date | undefined,
  zone: string,
  recipientsSetting: string,
): string[] {
  const when = scheduledTime ? `, scheduled run of ${formatDateTime(scheduledTime, zone)} (${zone})` : '';
  if (!report) {
    return [`Recipients are set by ${recipientsSetting} of the function, or by an event's "recipients".`];
  }
  const name = displayText(report.name, 40);
  return [
    `Report "${name}", sent by its schedule "${name}" in the stack's schedule group${when}.`,
    'To change who receives it, edit this report\'s "recipients" in the stack\'s CDK context ("reports" in cdk.json) and redeploy.',
  ];
}

/**
 * Renders with `rows` table rows, dropping rows until the HTML fits HTML_BUDGET_BYTES. The per-field
 * caps make this a no-op for real data; it keeps the bound for hostile data (e.g. titles of quotes).
 */
export function renderWithinBudget<M>(
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
export function tidyText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
