/** Numbers, durations and times as the emails, subjects, CSV and pages show them. */
import { formatLocal, localFields } from '../time/zoned.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const MINUS = '\u2212';

/** `1,234`. */
export function formatCount(n: number): string {
  return integer.format(n);
}

/** A ratio (0..1) as `42.3%`. */
export function formatPercent(ratio: number): string {
  return `${oneDecimal.format(ratio * 100)}%`;
}

/** `+1,234`, `−12` (a real minus sign) or `0`. */
export function formatSigned(n: number): string {
  if (n === 0) return '0';
  return `${n > 0 ? '+' : MINUS}${integer.format(Math.abs(n))}`;
}

/** The change against the previous period: `+33 (+13.1%)`, or `n/a` when there is nothing to compare with. */
export function formatChange(total: number, previousTotal: number): string {
  if (previousTotal <= 0) return 'n/a';
  const delta = total - previousTotal;
  const pct = oneDecimal.format((Math.abs(delta) / previousTotal) * 100);
  const sign = delta > 0 ? '+' : delta < 0 ? MINUS : '±';
  return `${formatSigned(delta)} (${sign}${pct}%)`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long something is overdue: `3 d 4 h`, `5 h 12 min`, `12 min`, `< 1 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE) return '< 1 min';
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

/** The shortest form for pagers: `3 d`, `40 h`, `12 min` (hours up to 2 days, where days would hide too much). */
export function formatDurationShort(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE) return '<1 min';
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / MINUTE)} min`;
}

/** `YYYY-MM-DD HH:mm` of `instant` in `zone`. */
export function formatDateTime(instant: Date, zone: string): string {
  return formatLocal(instant, zone).slice(0, 16);
}

const SIX_HOURS = 6 * HOUR;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `formatLocal` for many instants in one zone (the CSV's 5,000 due dates): the zone's offset is
 * looked up at 6-hour boundaries and reused inside a span whose two ends agree (no zone changes
 * its offset twice within 6 hours); a span with a transition is looked up per instant.
 */
export function localDateTimeFormatter(zone: string): (instant: Date) => string {
  const boundaryOffsets = new Map<number, number>();
  const offsetAt = (t: number): number => {
    const f = localFields(t, zone);
    return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(t / 1000) * 1000;
  };
  const boundaryOffset = (index: number): number => {
    let offset = boundaryOffsets.get(index);
    if (offset === undefined) {
      offset = offsetAt(index * SIX_HOURS);
      boundaryOffsets.set(index, offset);
    }
    return offset;
  };
  return (instant) => {
    const t = instant.getTime();
    const span = Math.floor(t / SIX_HOURS);
    const start = boundaryOffset(span);
    const offset = start === boundaryOffset(span + 1) ? start : offsetAt(t);
    const d = new Date(t + offset);
    return (
      `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
      `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
    );
  };
}
