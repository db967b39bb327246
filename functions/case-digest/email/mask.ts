const MASK = '••••';

/**
 * Masks a phone number to its last 4 digits (`•••• 4567`); empty for null or blank, fully masked
 * when it has fewer than 4 digits. Idempotent, so a masked value can be masked again safely.
 */
export function maskPhone(raw: string | null | undefined): string {
  if (raw == null || raw.trim() === '') return '';
  const digits = raw.replace(/\D/g, '');
  return digits.length < 4 ? MASK : `${MASK} ${digits.slice(-4)}`;
}

/**
 * `text` with every occurrence of `phone` — as written, or as its bare digits — masked like
 * {@link maskPhone}: for vendor text that echoes a `contactPhone` filter back (an error message).
 */
export function maskPhoneIn(text: string, phone: string | null | undefined): string {
  if (!phone || phone.trim() === '') return text;
  const masked = maskPhone(phone);
  const digits = phone.replace(/\D/g, '');
  let out = text.split(phone.trim()).join(masked);
  if (digits.length >= 4) out = out.split(digits).join(masked);
  return out;
}

// A phone number in free text: 7 to 15 digits, optionally after "+", with spaces, dots, dashes or
// brackets between them ("+1 (555) 123-4567"). One that starts like a date is a date.
const PHONE_IN_TEXT = /(?<![\w+])\+?\(?\d(?:[ ().-]{0,2}\d){6,14}(?!\w)/g;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}(?!\d)/;

/**
 * Free text (a case title) with every phone-like number masked to its last 4 digits: for what leaves
 * for a third party (PagerDuty, chat), where a title is read far from the case. Dates stay as they are.
 */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => (DATE_LIKE.test(match) ? match : maskPhone(match)));
}
