/** API values made safe to show: cleaned of controls, clipped to a budget, wrapped for narrow screens. */

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

/** Long case numbers keep their first 4 and last 5 characters (`00000000035013` → `0000…35013`). */
export function shortCaseNo(c: { caseNo: string; id: string }): string {
  const caseNo = cleanText(c.caseNo) || cleanText(c.id);
  const chars = [...caseNo];
  return chars.length > 12 ? `${chars.slice(0, 4).join('')}…${chars.slice(-5).join('')}` : caseNo;
}
