/**
 * An oracle for time zones written with `Intl` alone — none of the project's `time/` code — so tests
 * that compare windows and days across zones check the project against something independent.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** `YYYY-MM-DD HH:mm:ss` of the instant `ms` on the wall clock of `zone`. */
export function wallClock(zone: string, ms: number): string {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * The instant at which `zone`'s wall clock first shows `local` (`YYYY-MM-DD HH:mm:ss`): searched over
 * every quarter-hour offset from −14 h to +14 h, the earliest match wins (the first of a repeated hour).
 */
export function instantOfWallClock(zone: string, local: string): number {
  const naive = Date.parse(`${local.replace(' ', 'T')}Z`);
  const matches: number[] = [];
  for (let offset = -14 * 60; offset <= 14 * 60; offset += 15) {
    const t = naive - offset * 60_000;
    if (wallClock(zone, t) === local) matches.push(t);
  }
  if (matches.length === 0) throw new Error(`${local} never happens in ${zone}`);
  return Math.min(...matches);
}

/** The local calendar day `date` (`YYYY-MM-DD`) of `zone` as instants: its first and its last second. */
export function localDay(zone: string, date: string): { start: number; end: number } {
  const start = instantOfWallClock(zone, `${date} 00:00:00`);
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const end = instantOfWallClock(zone, `${next.toISOString().slice(0, 10)} 00:00:00`) - 1000;
  return { start, end };
}

/** The date before `date` (`YYYY-MM-DD`). */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
