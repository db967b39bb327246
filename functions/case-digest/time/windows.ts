import {
  addLocalDays,
  formatLocal,
  instantOf,
  type LocalDateTime,
  localFields,
  parseLocalFields,
} from './zoned.js';

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
/** The API refuses an interval between startTime and endTime over 31 days. */
export const MAX_API_WINDOW_MS = 31 * DAY;

/** A reporting period: instants inclusive to the second, plus how it reads locally. */
export interface ReportWindow {
  /** First second of the period. */
  start: Date;
  /** Last second of the period (inclusive). */
  end: Date;
  /** Whole local days in the period, or null for a datetime range. */
  wholeDays: number | null;
  /** First local day (`YYYY-MM-DD`) of a whole-day period. */
  firstDay: LocalDateTime | null;
}

/** One request window for the API, in AICC_TIMEZONE wall-clock time. */
export interface ApiWindow {
  startTime: string;
  endTime: string;
}

const atMidnight = (f: LocalDateTime): LocalDateTime => ({ ...f, hour: 0, minute: 0, second: 0 });

/** Whole local days `first` … `first + days − 1` in `zone`. 23- and 25-hour DST days fall out of the zone rules. */
export function localDaysWindow(first: LocalDateTime, days: number, zone: string): ReportWindow {
  const start = instantOf(atMidnight(first), zone);
  const next = instantOf(addLocalDays(first, days), zone);
  return { start, end: new Date(next.getTime() - SECOND), wholeDays: days, firstDay: atMidnight(first) };
}

/** The local calendar day before the local date of `asOf` in `zone` (the scheduled digest's window). */
export function previousDayWindow(asOf: Date, zone: string): ReportWindow {
  return localDaysWindow(addLocalDays(localFields(asOf, zone), -1), 1, zone);
}

/** Days between two local dates, counting both ends. */
function inclusiveDays(from: LocalDateTime, to: LocalDateTime): number {
  return (
    Math.round(
      (Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / DAY,
    ) + 1
  );
}

/**
 * An ad-hoc range from event text (`YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss`, local in `zone`).
 * A date as `from` means its first second, a date as `to` its last second. Both dates → whole days.
 */
export function rangeWindow(from: string, to: string, zone: string): ReportWindow {
  const f = parseLocalFields(from);
  const t = parseLocalFields(to);
  if (!f || !t) throw new RangeError(`malformed range ${from} … ${to}`);
  const fromIsDate = from.length === 10;
  const toIsDate = to.length === 10;
  if (fromIsDate && toIsDate) return localDaysWindow(f, inclusiveDays(f, t), zone);
  const start = instantOf(f, zone);
  const end = toIsDate
    ? new Date(instantOf(addLocalDays(t, 1), zone).getTime() - SECOND)
    : instantOf(t, zone);
  return { start, end, wholeDays: null, firstDay: null };
}

/**
 * The period just before `w`, for the trend: the same number of local days before a whole-day
 * period (so the day before a 25-hour day may be 24 hours), the same duration before a datetime range.
 */
export function precedingWindow(w: ReportWindow, zone: string): ReportWindow {
  if (w.wholeDays !== null && w.firstDay) {
    return localDaysWindow(addLocalDays(w.firstDay, -w.wholeDays), w.wholeDays, zone);
  }
  const span = w.end.getTime() - w.start.getTime() + SECOND;
  return {
    start: new Date(w.start.getTime() - span),
    end: new Date(w.start.getTime() - SECOND),
    wholeDays: null,
    firstDay: null,
  };
}

/** The overdue lookback: `asOf − days × 24 h` … `asOf`, whole seconds. */
export function lookbackWindow(asOf: Date, days: number): ReportWindow {
  const end = Math.floor(asOf.getTime() / SECOND) * SECOND;
  return { start: new Date(end - days * DAY), end: new Date(end), wholeDays: null, firstDay: null };
}

/** An API datetime string as milliseconds of a wall clock that has no DST (read as if it were UTC). */
const wallClockMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
const formatWallClock = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Splits `[start, end]` into API windows of at most 31 days, in `aiccZone` wall-clock time — the
 * time the API compares `createdDate` in. The split is made on the wall clock itself, so windows are
 * inclusive to the second, meet without a gap and never overlap there: a boundary inside a repeated
 * DST hour cannot make two windows both cover that hour's cases (SPEC §6).
 */
export function splitIntoApiWindows(start: Date, end: Date, aiccZone: string): ApiWindow[] {
  const first = wallClockMs(formatLocal(start, aiccZone));
  // A range ending inside a repeated hour can read earlier on the wall clock than it started.
  const last = Math.max(first, wallClockMs(formatLocal(end, aiccZone)));
  const windows: ApiWindow[] = [];
  for (let from = first; from <= last; ) {
    const to = Math.min(last, from + MAX_API_WINDOW_MS - SECOND);
    windows.push({ startTime: formatWallClock(from), endTime: formatWallClock(to) });
    from = to + SECOND;
  }
  return windows;
}
