import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  lookbackWindow,
  precedingWindow,
  previousDayWindow,
  rangeWindow,
  splitIntoApiWindows,
} from '../../functions/case-digest/time/windows.js';
import { formatLocal, parseLocal } from '../../functions/case-digest/time/zoned.js';
import { wallClock as wallClockIn } from '../helpers/zones.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The API's limit, as a window inclusive to the second measures it: end − start ≤ 31 days − 1 s. */
const MAX_WINDOW_SPAN = 31 * DAY - 1000;

/** An oracle for wall-clock time: `YYYY-MM-DD HH:mm:ss` of `instant` in `zone`, by Intl (test/helpers/zones.ts). */
const wallClock = (instant: Date | number, zone: string): string =>
  wallClockIn(zone, new Date(instant).getTime());
/** A wall-clock text as milliseconds on a clock without DST (read as if it were UTC). */
const wallMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
const local = (w: { start: Date; end: Date }, zone: string) => [
  formatLocal(w.start, zone),
  formatLocal(w.end, zone),
];

describe('instantOf in a repeated hour', () => {
  it('takes the earlier instant east and west of UTC alike', () => {
    // Berlin falls back 03:00 CEST → 02:00 CET on 2026-10-25: 02:30 happens at 00:30Z and 01:30Z.
    expect(parseLocal('2026-10-25 02:30:00', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    // New York falls back 02:00 EDT → 01:00 EST on 2026-11-01: 01:30 happens at 05:30Z and 06:30Z.
    expect(parseLocal('2026-11-01 01:30:00', 'America/New_York')?.toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    // Lord Howe falls back by 30 minutes on 2026-04-05 (02:00 → 01:30): 01:45 happens twice.
    expect(parseLocal('2026-04-05 01:45:00', 'Australia/Lord_Howe')?.toISOString()).toBe(
      '2026-04-04T14:45:00.000Z',
    );
    // Outside an overlap nothing moves.
    expect(parseLocal('2026-10-25 04:00:00', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-10-25T03:00:00.000Z',
    );
  });
});

describe('previousDayWindow', () => {
  it('is the local day before scheduledTime in the report zone', () => {
    // 02:00Z on the 27th is 06:00 in Dubai: the 26th is "yesterday".
    const w = previousDayWindow(new Date('2026-11-27T02:00:00Z'), 'Asia/Dubai');
    expect(local(w, 'Asia/Dubai')).toEqual(['2026-11-26 00:00:00', '2026-11-26 23:59:59']);
    expect(w.start.toISOString()).toBe('2026-11-25T20:00:00.000Z');
  });

  it('uses the local date, not the UTC date, near midnight', () => {
    // 23:30Z on the 26th is already the 27th in Berlin (00:30): yesterday is the 26th.
    const w = previousDayWindow(new Date('2026-11-26T23:30:00Z'), 'Europe/Berlin');
    expect(local(w, 'Europe/Berlin')).toEqual(['2026-11-26 00:00:00', '2026-11-26 23:59:59']);
    // In Los Angeles the same instant is 15:30 on the 26th: yesterday is the 25th.
    const la = previousDayWindow(new Date('2026-11-26T23:30:00Z'), 'America/Los_Angeles');
    expect(local(la, 'America/Los_Angeles')).toEqual(['2026-11-25 00:00:00', '2026-11-25 23:59:59']);
  });

  it('is 23 hours on the spring-forward day and 25 on the fall-back day (New York)', () => {
    const spring = previousDayWindow(new Date('2026-03-09T12:00:00Z'), 'America/New_York');
    expect(local(spring, 'America/New_York')).toEqual(['2026-03-08 00:00:00', '2026-03-08 23:59:59']);
    expect(spring.end.getTime() - spring.start.getTime() + 1000).toBe(23 * HOUR);
    const fall = previousDayWindow(new Date('2026-11-02T12:00:00Z'), 'America/New_York');
    expect(fall.end.getTime() - fall.start.getTime() + 1000).toBe(25 * HOUR);
  });

  it('handles Berlin DST days', () => {
    const spring = previousDayWindow(new Date('2026-03-30T08:00:00Z'), 'Europe/Berlin');
    expect(spring.end.getTime() - spring.start.getTime() + 1000).toBe(23 * HOUR);
    const fall = previousDayWindow(new Date('2026-10-26T08:00:00Z'), 'Europe/Berlin');
    expect(fall.end.getTime() - fall.start.getTime() + 1000).toBe(25 * HOUR);
  });
});

describe('precedingWindow', () => {
  it('is the previous local day for a one-day window, 24 h before a 25 h day', () => {
    const fall = previousDayWindow(new Date('2026-11-02T12:00:00Z'), 'America/New_York');
    const prev = precedingWindow(fall, 'America/New_York');
    expect(local(prev, 'America/New_York')).toEqual(['2026-10-31 00:00:00', '2026-10-31 23:59:59']);
    expect(prev.end.getTime() - prev.start.getTime() + 1000).toBe(24 * HOUR);
    expect(prev.end.getTime() + 1000).toBe(fall.start.getTime());
  });

  it('is the same number of local days before a whole-day range', () => {
    const w = rangeWindow('2026-11-01', '2026-11-15', 'UTC');
    expect(local(precedingWindow(w, 'UTC'), 'UTC')).toEqual(['2026-10-17 00:00:00', '2026-10-31 23:59:59']);
  });

  it('is the same duration before a datetime range', () => {
    const w = rangeWindow('2026-11-01 08:00:00', '2026-11-01 09:59:59', 'UTC');
    expect(local(precedingWindow(w, 'UTC'), 'UTC')).toEqual(['2026-11-01 06:00:00', '2026-11-01 07:59:59']);
  });
});

describe('rangeWindow', () => {
  it('treats a date as from as its first second and a date as to as its last', () => {
    const w = rangeWindow('2026-11-01', '2026-11-15', 'Asia/Dubai');
    expect(local(w, 'Asia/Dubai')).toEqual(['2026-11-01 00:00:00', '2026-11-15 23:59:59']);
    expect(w.wholeDays).toBe(15);
  });
  it('mixes a datetime from with a date to as a datetime range', () => {
    const w = rangeWindow('2026-11-01 12:00:00', '2026-11-02', 'UTC');
    expect(local(w, 'UTC')).toEqual(['2026-11-01 12:00:00', '2026-11-02 23:59:59']);
    expect(w.wholeDays).toBeNull();
  });
});

describe('splitIntoApiWindows', () => {
  const span = (a: string, b: string) =>
    Date.parse(`${b.replace(' ', 'T')}Z`) - Date.parse(`${a.replace(' ', 'T')}Z`);

  it('keeps a range of exactly 31 days in one window', () => {
    const w = rangeWindow('2026-01-01', '2026-01-31', 'UTC');
    expect(splitIntoApiWindows(w.start, w.end, 'UTC')).toEqual([
      { startTime: '2026-01-01 00:00:00', endTime: '2026-01-31 23:59:59' },
    ]);
  });

  it('splits a 366-day range into contiguous, non-overlapping windows of at most 31 days', () => {
    const w = rangeWindow('2027-01-01', '2028-01-01', 'America/New_York');
    const windows = splitIntoApiWindows(w.start, w.end, 'Europe/Berlin');
    expect(windows).toHaveLength(12);
    const first = windows[0];
    const last = windows.at(-1);
    expect(first?.startTime).toBe(formatLocal(w.start, 'Europe/Berlin'));
    expect(last?.endTime).toBe(formatLocal(w.end, 'Europe/Berlin'));
    for (const win of windows) expect(span(win.startTime, win.endTime)).toBeLessThanOrEqual(MAX_WINDOW_SPAN);
    // Each window starts on the wall-clock second after the one before ends.
    const starts = windows.slice(1).map((w) => wallMs(w.startTime));
    const nextSeconds = windows.slice(0, -1).map((w) => wallMs(w.endTime) + 1000);
    expect(starts).toEqual(nextSeconds);
  });

  it('shortens a window whose wall-clock span a DST change would push past 31 days', () => {
    // Spring forward in Berlin inside the window: 31 real days read as 31 days + 1 h on the wall clock.
    const start = parseLocal('2026-03-10 00:00:00', 'Europe/Berlin') as Date;
    const end = new Date(start.getTime() + 40 * 24 * HOUR);
    const windows = splitIntoApiWindows(start, end, 'Europe/Berlin');
    for (const win of windows) expect(span(win.startTime, win.endTime)).toBeLessThanOrEqual(MAX_WINDOW_SPAN);
    expect(windows[0]?.endTime).toBe('2026-04-09 23:59:59');
    expect(windows[1]?.startTime).toBe('2026-04-10 00:00:00');
  });
});

describe('splitIntoApiWindows on the AICC wall clock', () => {
  const DST_ZONES = [
    'America/New_York',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'America/Mexico_City',
    'Asia/Dubai',
  ] as const;
  const FROM = Date.UTC(2024, 0, 1) / 1000;
  const TO = Date.UTC(2028, 11, 31) / 1000;

  /** Any range up to 366 days, at any second, read in any of the zones. */
  const range = fc
    .record({
      startS: fc.integer({ min: FROM, max: TO }),
      // Short ranges around a DST change are the interesting ones: bias toward hours, still reach a year.
      spanS: fc.oneof(fc.integer({ min: 0, max: 3 * 3600 }), fc.integer({ min: 0, max: 366 * 86_400 - 1 })),
      zone: fc.constantFrom(...DST_ZONES),
    })
    .map(({ startS, spanS, zone }) => ({
      start: new Date(startS * 1000),
      end: new Date((startS + spanS) * 1000),
      zone,
    }))
    // A range ending inside a repeated hour can read earlier on the wall clock than it began: no API window says that.
    .filter(({ start, end, zone }) => wallMs(wallClock(end, zone)) >= wallMs(wallClock(start, zone)));

  it('property: windows cover the range exactly, meet without gap or overlap, and each fits 31 days', () => {
    fc.assert(
      fc.property(range, ({ start, end, zone }) => {
        const windows = splitIntoApiWindows(start, end, zone);
        const first = wallMs(wallClock(start, zone));
        const last = wallMs(wallClock(end, zone));
        expect(windows.length).toBeGreaterThan(0);
        expect(windows[0]?.startTime).toBe(wallClock(start, zone));
        expect(windows.at(-1)?.endTime).toBe(wallClock(end, zone));
        for (const w of windows) {
          expect(w.startTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
          expect(w.endTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
          const span = wallMs(w.endTime) - wallMs(w.startTime);
          expect(span).toBeGreaterThanOrEqual(0);
          expect(span).toBeLessThanOrEqual(MAX_WINDOW_SPAN);
        }
        const starts = windows.slice(1).map((w) => wallMs(w.startTime));
        const nextSeconds = windows.slice(0, -1).map((w) => wallMs(w.endTime) + 1000);
        expect(starts).toEqual(nextSeconds);
        // No more requests than the wall-clock span needs.
        expect(windows).toHaveLength(Math.ceil((last - first + 1000) / (31 * DAY)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('property: the same holds for a report range in another zone than AICC', () => {
    const day = fc.integer({ min: Date.UTC(2024, 0, 1) / DAY, max: Date.UTC(2028, 0, 1) / DAY });
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 0, max: 365 }),
        fc.constantFrom(...DST_ZONES),
        fc.constantFrom(...DST_ZONES),
        (firstDay, days, reportZone, aiccZone) => {
          fc.pre(reportZone !== aiccZone);
          const iso = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);
          const w = rangeWindow(iso(firstDay), iso(firstDay + days), reportZone);
          const windows = splitIntoApiWindows(w.start, w.end, aiccZone);
          expect(windows[0]?.startTime).toBe(wallClock(w.start, aiccZone));
          expect(windows.at(-1)?.endTime).toBe(wallClock(w.end, aiccZone));
          for (const win of windows)
            expect(wallMs(win.endTime) - wallMs(win.startTime)).toBeLessThanOrEqual(MAX_WINDOW_SPAN);
          const starts = windows.slice(1).map((x) => wallMs(x.startTime));
          expect(starts).toEqual(windows.slice(0, -1).map((x) => wallMs(x.endTime) + 1000));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never repeats the fall-back hour across a boundary (REPORT America/Mexico_City, AICC America/New_York)', () => {
    // 2026-10-01 00:00 in Mexico City (UTC−6) is 02:00 EDT; 31 days on, New York falls back 02:00 → 01:00.
    const w = rangeWindow('2026-10-01', '2026-11-30', 'America/Mexico_City');
    const windows = splitIntoApiWindows(w.start, w.end, 'America/New_York');
    const overlapping = windows.some(
      (win, i) =>
        win.endTime === '2026-11-01 01:59:59' && windows[i + 1]?.startTime === '2026-11-01 01:00:00',
    );
    expect(overlapping).toBe(false);
    expect(windows).toEqual([
      { startTime: '2026-10-01 02:00:00', endTime: '2026-11-01 01:59:59' },
      { startTime: '2026-11-01 02:00:00', endTime: '2026-12-01 00:59:59' },
    ]);
  });

  it('splits inside a repeated hour on the wall clock: each wall-clock second is in one window', () => {
    // Berlin falls back 03:00 → 02:00 on 2026-10-25: the API reads 02:00–02:29 of both passes as window 1.
    const start = new Date('2026-09-24T00:30:00Z'); // 02:30 CEST
    const end = new Date('2026-10-27T00:00:00Z');
    const windows = splitIntoApiWindows(start, end, 'Europe/Berlin');
    expect(windows.map((x) => [x.startTime, x.endTime])).toEqual([
      ['2026-09-24 02:30:00', '2026-10-25 02:29:59'],
      ['2026-10-25 02:30:00', '2026-10-27 01:00:00'],
    ]);
  });
});

describe('lookbackWindow', () => {
  it('spans days × 24 h back from asOf, whole seconds', () => {
    const w = lookbackWindow(new Date('2026-11-27T10:00:00.750Z'), 30);
    expect(w.end.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(w.start.toISOString()).toBe('2026-10-28T10:00:00.000Z');
  });
});
