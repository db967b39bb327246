/**
 * The one clock seam: everything that needs "now" (asOf, token expiry, Retry-After dates, deadlines,
 * durations) takes a `Clock`, so a test can move time without touching the system clock.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Milliseconds since the epoch on `clock`. */
export const epochMs = (clock: Clock): number => clock().getTime();
