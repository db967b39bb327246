import { stringify } from 'csv-stringify/sync';
import { formatLocalDate } from '../time/zoned.js';
import { localDateTimeFormatter } from './format.js';
import { maskPhone } from './mask.js';
import { BIDI_CONTROLS, truncate } from './text.js';
import type { EmailAttachment, OverdueCaseView } from './views.js';

export const CSV_COLUMNS = [
  'section',
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
  'dueInHours',
  'url',
] as const;

/** A part of the CSV: `overdue` cases (past due at asOf) or `due-soon` ones (due within the horizon). */
export interface CsvSection {
  section: 'overdue' | 'due-soon';
  cases: readonly OverdueCaseView[];
}

// Bounds the attachment (SES refuses messages over 40 MB) while keeping any real title whole.
const MAX_TITLE_CHARS = 500;
const MAX_FIELD_CHARS = 200;
const HOUR = 3_600_000;

// Values keep line breaks (quoted cells carry them) but lose bidi controls, which could reorder what a reader sees.
const field = (value: string, max = MAX_FIELD_CHARS) => truncate(value.replace(BIDI_CONTROLS, ''), max);
/** Hours to one decimal, rounded down (a case 59 minutes overdue is 0.9 h, not 1.0). */
const hours = (ms: number) => Math.floor(Math.max(0, ms) / (HOUR / 10)) / 10;

/**
 * Every listed case as CSV, section by section: UTF-8 with a BOM (so Excel detects the encoding),
 * CRLF line ends, and any cell starting with `=`, `+`, `-`, `@`, tab or CR prefixed with `'` (OWASP
 * CSV injection). Due dates are local times in the report zone.
 */
export function casesCsv(sections: readonly CsvSection[], asOf: Date, reportTimezone: string): string {
  const localTime = localDateTimeFormatter(reportTimezone);
  const rows = sections.flatMap(({ section, cases }) =>
    cases.map((c) => [
      section,
      field(c.caseNo),
      field(c.id),
      field(c.title, MAX_TITLE_CHARS),
      field(c.priority),
      field(c.state),
      field(c.origin),
      field(c.ownerId),
      maskPhone(c.contactPhone),
      localTime(c.dueAt),
      section === 'overdue' ? hours(c.overdueMs) : '',
      section === 'due-soon' ? hours(c.dueAt.getTime() - asOf.getTime()) : '',
      c.url ?? '',
    ]),
  );
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

/** The CSV as an email attachment, or null when no section lists a case. */
export function casesCsvAttachment(
  sections: readonly CsvSection[],
  asOf: Date,
  reportTimezone: string,
): EmailAttachment | null {
  if (sections.every((s) => s.cases.length === 0)) return null;
  return {
    filename: overdueCsvFilename(asOf, reportTimezone),
    contentType: 'text/csv; charset=utf-8',
    content: new TextEncoder().encode(casesCsv(sections, asOf, reportTimezone)),
  };
}
