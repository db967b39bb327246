import { TZDate } from '@date-fns/tz';

/** Local wall-clock fields of an instant in an IANA zone, or the input to build one. */
export interface LocalDateTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/** True when `zone` is an IANA time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss` into fields, or null when malformed or impossible. */
export function parseLocalFields(text: string): LocalDateTime | null {
  const m = LOCAL_RE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m
    .slice(1)
    .map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // Reject 2026-02-30 and the like: the UTC calendar round-trips only real dates.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
    return null;
  return { year, month, day, hour, minute, second };
}

/**
 * The instant at which the wall clock in `zone` shows `fields`. In a DST gap the clock is read
 * forward (02:30 that never happened → 03:30); in an overlap the earlier instant is taken.
 */
export function instantOf(fields: LocalDateTime, zone: string): Date {
  const d = new TZDate(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    zone,
  );
  const t = d.getTime();
  // TZDate takes the later of two instants east of UTC: take the earlier one when the same wall
  // time also happened 1 h (or 30 min, as on Lord Howe) before.
  for (const back of [3_600_000, 1_800_000]) {
    const f = localFields(t - back, zone);
    if (
      f.year === fields.year &&
      f.month === fields.month &&
      f.day === fields.day &&
      f.hour === fields.hour &&
      f.minute === fields.minute &&
      f.second === fields.second
    ) {
      return new Date(t - back);
    }
  }
  return new Date(t);
}

/** Parses an API or event datetime (`YYYY-MM-DD[ HH:mm:ss]`) as wall-clock time in `zone`; null when malformed. */
export function parseLocal(text: string, zone: string): Date | null {
  const fields = parseLocalFields(text);
  return fields ? instantOf(fields, zone) : null;
}

/** The wall-clock fields of `instant` in `zone`. */
export function localFields(instant: Date | number, zone: string): LocalDateTime {
  const d = new TZDate(typeof instant === 'number' ? instant : instant.getTime(), zone);
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of `instant` in `zone`. */
export function formatLocalDate(instant: Date | number, zone: string): string {
  const f = localFields(instant, zone);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`;
}

/** `YYYY-MM-DD HH:mm:ss` of `instant` in `zone`: the API's format. */
export function formatLocal(instant: Date | number, zone: string): string {
  const f = localFields(instant, zone);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
}

/** The calendar date `days` after the given one (negative for before), as fields at midnight. */
export function addLocalDays(fields: LocalDateTime, days: number): LocalDateTime {
  const d = new Date(Date.UTC(fields.year, fields.month - 1, fields.day + days));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: 0,
    minute: 0,
    second: 0,
  };
}
