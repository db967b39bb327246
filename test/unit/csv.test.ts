import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  overdueCsv,
  overdueCsvAttachment,
  overdueCsvFilename,
} from '../../functions/case-digest/email/csv.js';
import type { OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { ASOF, overdueCase as baseCase } from '../helpers/views.js';

/** Due 2026-11-24 01:40 in Asia/Dubai, 76.5 hours overdue. */
const overdueCase = (i: number, over: Partial<OverdueCaseView> = {}): OverdueCaseView =>
  baseCase(i, {
    title: `Title ${i}`,
    priority: 'High',
    ownerId: `owner${i}`,
    dueAt: new Date('2026-11-23T21:40:00Z'),
    overdueMs: 76.5 * 3_600_000,
    ...over,
  });

/** What a spreadsheet would see, read by an independent parser (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text, { bom: true, relax_column_count: true });

const body = (csv: string) => parseCsv(csv.replace(/^\uFEFF/, ''));

describe('overdueCsv', () => {
  it('starts with a BOM and a header of the documented columns', () => {
    const csv = overdueCsv([overdueCase(0)], 'Asia/Dubai');
    expect(
      csv.startsWith(
        '\uFEFFcaseNo,id,title,priority,state,origin,ownerId,contactPhone,dueDate,overdueHours,url\r\n',
      ),
    ).toBe(true);
    expect(body(csv)[0]).toEqual([...CSV_COLUMNS]);
  });

  it('writes one row per case, every case, in order, with the due date in the report zone', () => {
    const cases = Array.from({ length: 5_000 }, (_, i) => overdueCase(i));
    const rows = body(overdueCsv(cases, 'Asia/Dubai'));
    expect(rows).toHaveLength(5_001);
    expect(rows.slice(1).map((r) => r[0])).toEqual(cases.map((c) => c.caseNo));
    expect(rows[1]).toEqual([
      '00000000035013',
      'c6m8id0',
      'Title 0',
      'High',
      'Processing',
      'Email',
      'owner0',
      '•••• 4567',
      '2026-11-24 01:40:00',
      '76.5',
      'https://aicc.example.com/case/0',
    ]);
  });

  it.each([
    ['=HYPERLINK("http://evil.example","click")'],
    ['+1+2'],
    ['-2+3'],
    ['@SUM(A1:A2)'],
    ['\t=1+1'],
    ['\r=1+1'],
  ])('neutralises a cell starting a formula: %j', (title) => {
    const rows = body(overdueCsv([overdueCase(0, { title, ownerId: title })], 'UTC'));
    expect(rows[1]?.[2]).toBe(`'${title}`);
    expect(rows[1]?.[6]).toBe(`'${title}`);
  });

  it('round-trips ordinary values exactly: quotes, commas, line breaks, unicode', () => {
    const values = [
      'He said "no", twice',
      'line one\r\nline two',
      'مرحبا بالعالم',
      'Printer 🔥 on fire',
      'a;b\tc',
    ];
    const cases = values.map((title, i) => overdueCase(i, { title, ownerId: `owner, ${i}` }));
    const rows = body(overdueCsv(cases, 'UTC'));
    expect(rows.slice(1).map((r) => r[2])).toEqual(values);
    expect(rows.slice(1).map((r) => r[6])).toEqual(values.map((_, i) => `owner, ${i}`));
  });

  it('drops bidi controls from values, so a spreadsheet shows them in their real order', () => {
    const csv = overdueCsv(
      [overdueCase(1, { title: 'refund \u202Egnp.exe\u202C please', ownerId: '\u2066o1\u2069' })],
      'UTC',
    );
    const [, row] = parseCsv(csv.replace(/^\uFEFF/, ''));
    expect(row?.[2]).toBe('refund gnp.exe please');
    expect(row?.[6]).toBe('o1');
    expect(csv).not.toMatch(/\p{Bidi_Control}/u);
  });

  it('masks a phone number that reached it unmasked', () => {
    const csv = overdueCsv([overdueCase(0, { contactPhone: '+971 50 123 9876' })], 'UTC');
    expect(csv).not.toContain('123 9876');
    expect(body(csv)[1]?.[7]).toBe('•••• 9876');
  });

  it('writes an empty cell for a missing URL and keeps huge titles bounded', () => {
    const rows = body(overdueCsv([overdueCase(0, { url: null, title: 'x'.repeat(10_000) })], 'UTC'));
    expect(rows[1]?.[10]).toBe('');
    expect(rows[1]?.[2]?.length).toBeLessThanOrEqual(501);
  });
});

describe('overdueCsvAttachment', () => {
  it('is UTF-8 CSV named after the local date of asOf', () => {
    const attachment = overdueCsvAttachment([overdueCase(0)], new Date('2026-11-26T22:30:00Z'), 'Asia/Dubai');
    expect(attachment.filename).toBe('overdue-2026-11-27.csv');
    expect(attachment.contentType).toBe('text/csv; charset=utf-8');
    expect([...attachment.content.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(overdueCsvFilename(ASOF, 'America/Los_Angeles')).toBe('overdue-2026-11-26.csv');
  });
});
