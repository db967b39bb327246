/**
 * The sender as SES takes it: `FromEmailAddress` is a header value, so a display name with
 * specials (`Acme, Inc.`) must be a quoted-string and one with non-ASCII letters (`تقرير`) RFC 2047
 * encoded-words. Written here rather than taken from nodemailer's mime-funcs, which would add about
 * 100 KB (its MIME type table) to a bundle held under 600 KB; the tests decode the result with libmime.
 */

export interface Mailbox {
  /** The display name as written (unquoted), or '' when there is none. */
  name: string;
  address: string;
}

// RFC 5322 atext: a display name of these (and spaces) needs no quoting.
const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** An encoded-word is at most 75 characters: `=?UTF-8?B?` + base64 of 45 bytes (60 chars) + `?=` = 72. */
const BYTES_PER_WORD = 45;

/** `Name <address>`, `"Quoted, Name" <address>` or a bare address; null when it is none of them. */
export function parseMailbox(text: string): Mailbox | null {
  const v = text.trim();
  const angle = /^(.*)<([^<>]+)>$/s.exec(v);
  if (!angle) return /[<>]/.test(v) ? null : { name: '', address: v };
  let name = (angle[1] ?? '').trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(name);
  if (quoted) name = (quoted[1] ?? '').replace(/\\(.)/gs, '$1');
  else if (name.includes('"')) return null;
  return { name, address: (angle[2] ?? '').trim() };
}

/** The display name as a header phrase: as is, quoted, or as UTF-8 encoded-words. */
export function encodeDisplayName(name: string): string {
  if (PRINTABLE_ASCII.test(name)) {
    // "=?" could be read as the start of an encoded-word; inside quotes it is not (RFC 2047 §5).
    if (ATOM_PHRASE.test(name) && !name.includes('=?')) return name;
    return `"${name.replace(/[\\"]/g, '\\$&')}"`;
  }
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  // Whole code points per word: a word must decode on its own (RFC 2047 §5).
  for (const ch of name) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > BYTES_PER_WORD) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += size;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** The mailbox as a `From` header value SES accepts. */
export function formatMailbox(m: Mailbox): string {
  return m.name ? `${encodeDisplayName(m.name)} <${m.address}>` : m.address;
}
