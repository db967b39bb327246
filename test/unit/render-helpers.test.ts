import { describe, expect, it } from 'vitest';
import {
  formatChange,
  formatDuration,
  formatDurationShort,
  formatPercent,
  localDateTimeFormatter,
} from '../../functions/case-digest/email/format.js';
import { maskPhone } from '../../functions/case-digest/email/mask.js';
import { cleanText, clip, shortCaseNo, truncate, wrapLong } from '../../functions/case-digest/email/text.js';
import { formatLocal } from '../../functions/case-digest/time/zoned.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('maskPhone', () => {
  it.each([
    ['+971 50 123 4567', '•••• 4567'],
    ['0501234567', '•••• 4567'],
    ['(050) 123-45-67 ext', '•••• 4567'],
    ['4567', '•••• 4567'],
    ['123', '••••'],
    ['n/a', '••••'],
    ['', ''],
    ['   ', ''],
    [null, ''],
    [undefined, ''],
  ])('%j → %j', (raw, masked) => {
    expect(maskPhone(raw)).toBe(masked);
  });

  it('is idempotent', () => {
    expect(maskPhone(maskPhone('+971 50 123 4567'))).toBe('•••• 4567');
    expect(maskPhone(maskPhone('12'))).toBe('••••');
  });
});

describe('formatting', () => {
  it.each([
    [0, '< 1 min'],
    [59_999, '< 1 min'],
    [12 * MIN, '12 min'],
    [5 * HOUR, '5 h'],
    [5 * HOUR + 12 * MIN, '5 h 12 min'],
    [3 * DAY + 4 * HOUR + 59 * MIN, '3 d 4 h'],
    [2 * DAY, '2 d'],
  ])('duration %d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('has a short duration for pagers', () => {
    expect(formatDurationShort(3 * HOUR + 59 * MIN)).toBe('3 h');
    expect(formatDurationShort(40 * HOUR)).toBe('40 h');
    expect(formatDurationShort(3 * DAY + 5 * HOUR)).toBe('3 d');
    expect(formatDurationShort(30_000)).toBe('<1 min');
  });

  it('formats the change against the previous period', () => {
    expect(formatChange(284, 251)).toBe('+33 (+13.1%)');
    expect(formatChange(239, 251)).toBe('\u221212 (\u22124.8%)');
    expect(formatChange(5, 5)).toBe('0 (±0.0%)');
    expect(formatChange(5, 0)).toBe('n/a');
    expect(formatChange(12_345, 10_000)).toBe('+2,345 (+23.5%)');
  });

  it('formats shares', () => {
    expect(formatPercent(130 / 284)).toBe('45.8%');
    expect(formatPercent(1)).toBe('100.0%');
  });
});

describe('cleanText, clip and truncate', () => {
  it('removes bidi controls and folds line breaks and control characters into spaces', () => {
    expect(cleanText('  a\r\nb\u202Ec\u2066d\u0000e\u2028f  ')).toBe('a bcd e f');
  });

  it('clips by characters without splitting a surrogate pair', () => {
    expect(clip('🔥🔥🔥', 2)).toBe('🔥🔥…');
    expect(clip('abc', 3)).toBe('abc');
  });

  it('clips by escaped HTML bytes', () => {
    expect(clip('"'.repeat(100), 200, 60)).toBe(`${'"'.repeat(10)}…`);
    expect(clip('<'.repeat(100), 200, 60)).toBe(`${'<'.repeat(15)}…`);
  });

  it('truncates by UTF-16 units, never inside a surrogate pair', () => {
    expect(truncate('abcdef', 3)).toBe('abc…');
    expect(truncate('ab🔥', 3)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
  });
});

describe('localDateTimeFormatter', () => {
  // Whole-hour, half-hour (St John's) and 30-minute-DST (Lord Howe) transitions, and one without any.
  it.each(['America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Dubai'])(
    'agrees with formatLocal across a year in %s, DST changes included',
    (zone) => {
      const format = localDateTimeFormatter(zone);
      const start = Date.UTC(2026, 0, 1);
      // Every 11 min 13 s for a year: lands within minutes of every transition of these zones.
      for (let t = start; t < start + 366 * DAY; t += 11 * MIN + 13_000) {
        const instant = new Date(t);
        if (format(instant) !== formatLocal(instant, zone)) {
          expect([instant.toISOString(), format(instant)]).toEqual([
            instant.toISOString(),
            formatLocal(instant, zone),
          ]);
        }
      }
    },
  );
});

describe('wrapLong', () => {
  const ZWSP = '\u200B';

  it('leaves ordinary text alone', () => {
    for (const text of ['', 'Refund not received', 'internationalization', 'x'.repeat(20)])
      expect(wrapLong(text)).toBe(text);
  });

  it('offers a break every 20 characters of a longer run, and nowhere else', () => {
    const text = `see ${'a'.repeat(45)} and https://example.com/${'b'.repeat(30)}`;
    const wrapped = wrapLong(text);
    expect(wrapped.replaceAll(ZWSP, '')).toBe(text);
    for (const word of wrapped.split(/\s+/))
      for (const piece of word.split(ZWSP)) expect(piece.length).toBeLessThanOrEqual(20);
    expect(wrapped).toContain(`see ${'a'.repeat(20)}${ZWSP}${'a'.repeat(20)}${ZWSP}aaaaa and`);
  });

  it('never splits an emoji, a surrogate pair or a combining sequence', () => {
    const family = '👩🏽‍💻';
    const text = `${family.repeat(30)}${'e\u0301'.repeat(25)}`;
    const pieces = wrapLong(text).split(ZWSP);
    expect(pieces.join('')).toBe(text);
    const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
    for (const piece of pieces)
      for (const { segment } of graphemes.segment(piece)) expect([family, 'e\u0301']).toContain(segment);
  });
});

describe('shortCaseNo', () => {
  it.each([
    ['00000000035013', 'c1', '0000…35013'],
    ['000000035013', 'c1', '000000035013'], // 12 characters: kept whole
    ['', 'c6m8id0', 'c6m8id0'],
    ['  ', 'c6m8id0', 'c6m8id0'],
    ['🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥🔥', 'c1', '🔥🔥🔥🔥…🔥🔥🔥🔥🔥'],
    ['0000\u202E0000035013\r\n', 'c1', '0000…35013'],
  ])('shortens %j (id %s) to %j', (caseNo, id, short) => {
    expect(shortCaseNo({ caseNo, id })).toBe(short);
  });
});
