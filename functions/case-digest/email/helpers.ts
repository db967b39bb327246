/** Formatting shared by the templates (as Handlebars helpers), the subjects and the CSV. */
import type HandlebarsApi from 'handlebars';
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

// Bidi embeddings, overrides, isolates and marks: they can reorder what a reader sees.
export const BIDI_CONTROLS = /\p{Bidi_Control}/gu;
// Line breaks and other control characters: a subject header must stay one line.
const CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;

/** A value from the API made safe to show on one line: no bidi controls, no line breaks, trimmed. */
export function cleanText(raw: string): string {
  return raw.replace(BIDI_CONTROLS, '').replace(CONTROLS, ' ').trim();
}

/** What one code point costs once HTML-escaped by Handlebars and UTF-8 encoded. */
function htmlBytes(cp: number): number {
  switch (cp) {
    case 0x26: // &amp;
      return 5;
    case 0x3c: // &lt;
    case 0x3e: // &gt;
      return 4;
    case 0x22: // &quot;
    case 0x27: // &#x27;
    case 0x60: // &#x60;
    case 0x3d: // &#x3D;
      return 6;
    default:
      return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}

/**
 * Cuts `text` to at most `maxChars` code points and `maxHtmlBytes` escaped bytes, marking a cut
 * with `…`; the byte budget is what keeps the HTML bounded whatever the API sends.
 */
export function clip(text: string, maxChars: number, maxHtmlBytes = maxChars * 6): string {
  if (text.length <= maxChars && text.length * 6 <= maxHtmlBytes) return text;
  let chars = 0;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const cost = htmlBytes(ch.codePointAt(0) ?? 0);
    if (chars + 1 > maxChars || bytes + cost > maxHtmlBytes) return `${text.slice(0, end)}…`;
    chars += 1;
    bytes += cost;
    end += ch.length;
  }
  return text;
}

/** Cuts `text` to at most `maxUnits` UTF-16 units (never inside a surrogate pair), marking a cut with `…`. */
export function truncate(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const code = text.charCodeAt(maxUnits - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? maxUnits - 1 : maxUnits;
  return `${text.slice(0, end)}…`;
}

/** An API value ready for display: cleaned, then clipped. */
export function displayText(raw: string | null | undefined, maxChars: number, maxHtmlBytes?: number): string {
  return raw ? clip(cleanText(raw), maxChars, maxHtmlBytes) : '';
}

const ZERO_WIDTH_SPACE = '\u200B';
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `text` with a zero-width space after every `maxRun` characters (graphemes) of any run without
 * whitespace longer than that, so a long unbroken value (a pasted URL, `xxxx…`) wraps on a phone
 * instead of widening the email. A zero-width space, not `<wbr>` (which Outlook for Windows and
 * Gmail for iOS drop) nor CSS `word-break` / `overflow-wrap` (unsupported or partly supported in
 * Gmail, Outlook and Apple Mail). Used in the HTML parts only; identifiers (case numbers) are never
 * passed through it, so they copy and search intact.
 */
export function wrapLong(text: string, maxRun = 20): string {
  if (!new RegExp(`\\S{${maxRun + 1}}`).test(text)) return text;
  let out = '';
  let run = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (/^\s+$/.test(segment)) run = 0;
    else if (run === maxRun) {
      out += ZERO_WIDTH_SPACE;
      run = 1;
    } else run += 1;
    out += segment;
  }
  return out;
}

/** Registers the formatting helpers the templates use on an isolated Handlebars instance. */
export function registerHelpers(hb: typeof HandlebarsApi): void {
  hb.registerHelper({
    count: (n: number) => formatCount(n),
    percent: (ratio: number) => formatPercent(ratio),
    duration: (ms: number) => formatDuration(ms),
    localTime: (instant: Date, zone: string) => formatDateTime(instant, zone),
    padEnd: (text: string, width: number) => String(text).padEnd(width),
    padStart: (text: string, width: number) => String(text).padStart(width),
    wrapLong: (text: string) => wrapLong(String(text)),
    // No line break inside a short value such as `•••• 4567` or `2026-11-27 11:00`.
    keepTogether: (text: string) => String(text).replace(/ /g, '\u00A0'),
  });
}

/** The helper names, for the precompiler's `knownHelpers` (a typo in a template then fails the build). */
export const HELPER_NAMES = [
  'count',
  'percent',
  'duration',
  'localTime',
  'padEnd',
  'padStart',
  'wrapLong',
  'keepTogether',
] as const;
