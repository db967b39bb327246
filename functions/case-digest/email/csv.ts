import { stringify } from 'csv-stringify/sync';
import { formatLocalDate } from '../time/zoned.js';
import { BIDI_CONTROLS, localDateTimeFormatter, truncate } from './helpers.js';
import { maskPhone } from './mask.js';
import type { EmailAttachment, OverdueCaseView } from './views.js';

export const CSV_COLUMNS = [
  'caseNo',
  'id',
  'title',
  'priority',
  'state',
  'origin',
  'ownerId',
  'contactPhone',
  'dueDate',
  'overdueHours',
  'url',
] as const;

// Bounds the attachment (SES refuses messages over 40 MB) while keeping any real title whole.
const MAX_TITLE_CHARS = 500;
const MAX_FIELD_CHARS = 200;

// Values keep line breaks (quoted cells carry them) but lose bidi controls, which could reorder what a reader sees.
const field = (value: string, max = MAX_FIELD_CHARS) => truncate(value.replace(BIDI_CONTROLS, ''), max);

/**
 * Every overdue case as CSV: UTF-8 with a BOM (so Excel detects the encoding), CRLF line ends,
 * and any cell starting with `=`, `+`, `-`, `@`, tab or CR prefixed with `'` (OWASP CSV injection).
 */
export function overdueCsv(cases: readonly OverdueCaseView[], reportTimezone: string): string {
  const localTime = localDateTimeFormatter(reportTimezone);
  const rows = cases.map((c) => [
    field(c.caseNo),
    field(c.id),
    field(c.title, MAX_TITLE_CHARS),
    field(c.priority),
    field(c.state),
    field(c.origin),
    field(c.ownerId),
    maskPhone(c.contactPhone),
    localTime(c.dueAt),
    Math.floor(c.overdueMs / 360_000) / 10,
    c.url ?? '',
  ]);
  return stringify(rows, {
    bom: true,
    header: true,
    columns: [...CSV_COLUMNS],
    record_delimiter: 'windows',
    escape_formulas: true,
  });
}

/** The attachment's name: `overdue-YYYY-MM-DD.csv`, the local date of `asOf` in the report zone. */
export function overdueCsvFilename(asOf: Date, reportTimezone: string): string {
  return `overdue-${formatLocalDate(asOf, reportTimezone)}.csv`;
}

/** The CSV of every overdue case as an email attachment. */
export function overdueCsvAttachment(
  cases: readonly OverdueCaseView[],
  asOf: Date,
  reportTimezone: string,
): EmailAttachment {
  return {
    filename: overdueCsvFilename(asOf, reportTimezone),
    contentType: 'text/csv; charset=utf-8',
    content: new TextEncoder().encode(overdueCsv(cases, reportTimezone)),
  };
}
