import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  type CsvSection,
  casesCsv,
  casesCsvAttachment,
  overdueCsvFilename,
} from '../../functions/case-digest/email/csv.js';
import type { OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { ASOF, overdueCase as baseCase, HOUR } from '../helpers/views.js';
import { wallClock } from '../helpers/zones.js';

/** The documented columns (SPEC §8), written out here rather than imported from the code under test. */
const COLUMNS = [
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
];
const col = Object.fromEntries(COLUMNS.map((name, i) => [name, i])) as Record<string, number>;

/** Due 2026-11-24 01:40 in Asia/Dubai, 76.5 hours overdue. */
const overdueCase = (i: number, over: Partial<OverdueCaseView> = {}): OverdueCaseView =>
  baseCase(i, {
    title: `Title ${i}`,
    priority: 'High',
    ownerId: `owner${i}`,
    dueAt: new Date('2026-11-23T21:40:00Z'),
    overdueMs: 76.5 * HOUR,
    ...over,
  });

const overdueOnly = (cases: OverdueCaseView[]): CsvSection[] => [{ section: 'overdue', cases }];

/** What a spreadsheet would see, read by an independent parser (csv-parse). */
const parseCsv = (text: string): string[][] => parse(text, { bom: true, relax_column_count: true });

const body = (csv: string) => parseCsv(csv.replace(/^\uFEFF/, ''));

describe('casesCsv', () => {
  it('starts with a BOM and a header of the documented columns', () => {
    const csv = casesCsv(overdueOnly([overdueCase(0)]), ASOF, 'Asia/Dubai');
    expect(
      csv.startsWith(
        '\uFEFFsection,caseNo,id,title,priority,state,origin,ownerId,contactPhone,dueDate,overdueHours,dueInHours,url\r\n',
      ),
    ).toBe(true);
    expect(body(csv)[0]).toEqual(COLUMNS);
  });

  it('writes one row per case, every case, in order, with the due date in the report zone', () => {
    const cases = Array.from({ length: 5_000 }, (_, i) => overdueCase(i));
    const rows = body(casesCsv(overdueOnly(cases), ASOF, 'Asia/Dubai'));
    expect(rows).toHaveLength(5_001);
    expect(rows.slice(1).map((r) => r[col.caseNo as number])).toEqual(cases.map((c) => c.caseNo));
    expect(rows[1]).toEqual([
      'overdue',
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
      '',
      'https://aicc.example.com/case/0',
    ]);
  });

  it('lists the overdue section, then the due-soon one, with hours until due for the latter', () => {
    // Prepare: asOf 2026-11-27 02:00Z; a case due 90 min later (05:30 in Dubai) and one 59 min later.
    const soon = overdueCase(7, { dueAt: new Date(ASOF.getTime() + 1.5 * HOUR), overdueMs: 0 });
    const sooner = overdueCase(8, { dueAt: new Date(ASOF.getTime() + 59 * 60_000), overdueMs: 0 });
    const late = overdueCase(1);

    // Act
    const rows = body(
      casesCsv(
        [
          { section: 'overdue', cases: [late] },
          { section: 'due-soon', cases: [soon, sooner] },
        ],
        ASOF,
        'Asia/Dubai',
      ),
    ).slice(1);

    // Assess
    expect(rows.map((r) => [r[col.section as number], r[col.id as number]])).toEqual([
      ['overdue', 'c6m8id1'],
      ['due-soon', 'c6m8id7'],
      ['due-soon', 'c6m8id8'],
    ]);
    expect(rows[0]?.slice(col.overdueHours, col.url)).toEqual(['76.5', '']);
    expect(rows[1]?.slice(col.dueDate, col.url)).toEqual(['2026-11-27 07:30:00', '', '1.5']);
    // Rounded down: 59 minutes is 0.9 h, not 1.0.
    expect(rows[2]?.slice(col.overdueHours, col.url)).toEqual(['', '0.9']);
  });

  it('rounds overdue hours down to one decimal', () => {
    const rows = body(casesCsv(overdueOnly([overdueCase(0, { overdueMs: 59 * 60_000 })]), ASOF, 'UTC'));
    expect(rows[1]?.[col.overdueHours as number]).toBe('0.9');
  });

  it('writes the due date in the report zone, not UTC (a zone with DST)', () => {
    // 2026-07-01 12:00Z is 14:00 in Berlin (summer time).
    const due = new Date('2026-07-01T12:00:00Z');
    const rows = body(casesCsv(overdueOnly([overdueCase(0, { dueAt: due })]), ASOF, 'Europe/Berlin'));
    const oracle = wallClock('Europe/Berlin', due.getTime());
    expect(rows[1]?.[col.dueDate as number]).toBe(oracle);
    expect(oracle).toBe('2026-07-01 14:00:00');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","click")'],
    ['+1+2'],
    ['-2+3'],
    ['@SUM(A1:A2)'],
    ['\t=1+1'],
    ['\r=1+1'],
  ])('neutralises a cell starting a formula: %j', (title) => {
    const rows = body(casesCsv(overdueOnly([overdueCase(0, { title, ownerId: title })]), ASOF, 'UTC'));
    expect(rows[1]?.[col.title as number]).toBe(`'${title}`);
    expect(rows[1]?.[col.ownerId as number]).toBe(`'${title}`);
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
    const rows = body(casesCsv(overdueOnly(cases), ASOF, 'UTC'));
    expect(rows.slice(1).map((r) => r[col.title as number])).toEqual(values);
    expect(rows.slice(1).map((r) => r[col.ownerId as number])).toEqual(values.map((_, i) => `owner, ${i}`));
  });

  it('drops bidi controls from values, so a spreadsheet shows them in their real order', () => {
    const csv = casesCsv(
      overdueOnly([
        overdueCase(1, { title: 'refund \u202Egnp.exe\u202C please', ownerId: '\u2066o1\u2069' }),
      ]),
      ASOF,
      'UTC',
    );
    const [, row] = parseCsv(csv.replace(/^\uFEFF/, ''));
    expect(row?.[col.title as number]).toBe('refund gnp.exe please');
    expect(row?.[col.ownerId as number]).toBe('o1');
    expect(csv).not.toMatch(/\p{Bidi_Control}/u);
  });

  it('masks a phone number that reached it unmasked', () => {
    const csv = casesCsv(overdueOnly([overdueCase(0, { contactPhone: '+971 50 123 9876' })]), ASOF, 'UTC');
    expect(csv).not.toContain('123 9876');
    expect(body(csv)[1]?.[col.contactPhone as number]).toBe('•••• 9876');
  });

  it('writes an empty cell for a missing URL and keeps huge titles bounded', () => {
    const rows = body(
      casesCsv(overdueOnly([overdueCase(0, { url: null, title: 'x'.repeat(10_000) })]), ASOF, 'UTC'),
    );
    expect(rows[1]?.[col.url as number]).toBe('');
    expect(rows[1]?.[col.title as number]?.length).toBeLessThanOrEqual(501);
  });
});

describe('casesCsvAttachment', () => {
  it('is UTF-8 CSV named after the local date of asOf', () => {
    const attachment = casesCsvAttachment(
      overdueOnly([overdueCase(0)]),
      new Date('2026-11-26T22:30:00Z'),
      'Asia/Dubai',
    );
    expect(attachment?.filename).toBe('overdue-2026-11-27.csv');
    expect(attachment?.contentType).toBe('text/csv; charset=utf-8');
    expect([...(attachment?.content.slice(0, 3) ?? [])]).toEqual([0xef, 0xbb, 0xbf]);
    expect(overdueCsvFilename(ASOF, 'America/Los_Angeles')).toBe('overdue-2026-11-26.csv');
  });

  it('is null when no section lists a case', () => {
    expect(
      casesCsvAttachment(
        [
          { section: 'overdue', cases: [] },
          { section: 'due-soon', cases: [] },
        ],
        ASOF,
        'UTC',
      ),
    ).toBeNull();
    expect(casesCsvAttachment([], ASOF, 'UTC')).toBeNull();
  });

  it('is attached for due-soon cases alone', () => {
    const soon = overdueCase(3, { dueAt: new Date(ASOF.getTime() + HOUR), overdueMs: 0 });
    const attachment = casesCsvAttachment(
      [
        { section: 'overdue', cases: [] },
        { section: 'due-soon', cases: [soon] },
      ],
      ASOF,
      'UTC',
    );
    const rows = body(new TextDecoder().decode(attachment?.content));
    expect(rows.slice(1).map((r) => [r[col.section as number], r[col.dueInHours as number]])).toEqual([
      ['due-soon', '1'],
    ]);
  });
});
