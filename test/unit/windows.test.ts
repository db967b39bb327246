import { describe, expect, it } from 'vitest';
import {
  lookbackWindow,
  MAX_API_WINDOW_MS,
  precedingWindow,
  previousDayWindow,
  rangeWindow,
  splitIntoApiWindows,
} from '../../functions/case-digest/time/windows.js';
import { formatLocal, parseLocal } from '../../functions/case-digest/time/zoned.js';

const HOUR = 3_600_000;
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
    for (const [i, win] of windows.entries()) {
      expect(span(win.startTime, win.endTime)).toBeLessThanOrEqual(MAX_API_WINDOW_MS);
      const next = windows[i + 1];
      if (next) {
        const end = parseLocal(win.endTime, 'Europe/Berlin')?.getTime() ?? 0;
        expect(parseLocal(next.startTime, 'Europe/Berlin')?.getTime()).toBe(end + 1000);
      }
    }
  });

  it('shortens a window whose wall-clock span a DST change would push past 31 days', () => {
    // Spring forward in Berlin inside the window: 31 real days read as 31 days + 1 h on the wall clock.
    const start = parseLocal('2026-03-10 00:00:00', 'Europe/Berlin') as Date;
    const end = new Date(start.getTime() + 40 * 24 * HOUR);
    const windows = splitIntoApiWindows(start, end, 'Europe/Berlin');
    for (const win of windows)
      expect(span(win.startTime, win.endTime)).toBeLessThanOrEqual(MAX_API_WINDOW_MS);
    expect(windows[0]?.endTime).toBe('2026-04-09 23:59:59');
    expect(windows[1]?.startTime).toBe('2026-04-10 00:00:00');
  });
});

describe('lookbackWindow', () => {
  it('spans days × 24 h back from asOf, whole seconds', () => {
    const w = lookbackWindow(new Date('2026-11-27T10:00:00.750Z'), 30);
    expect(w.end.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(w.start.toISOString()).toBe('2026-10-28T10:00:00.000Z');
  });
});
