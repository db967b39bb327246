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
