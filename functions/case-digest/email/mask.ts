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
