/** EventBridge Scheduler `cron(…)` and `rate(…)` expressions: what synth checks and derives from them. */

/** When the default digest runs without `digestSchedule`: 06:00 in `reportTimezone`. */
export const DEFAULT_DIGEST_SCHEDULE = 'cron(0 6 * * ? *)';

/** `cron(minutes hours day-of-month month day-of-week year)`: six fields. */
export const CRON_RE = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

const RATE_RE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

export const SCHEDULE_EXPRESSION_HELP =
  'must be cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 6 * * ? *), ' +
  'or rate(N minutes|hours|days) with a singular unit for 1, e.g. rate(15 minutes) or rate(1 hour)';

export const isCron = (expression: string): boolean => CRON_RE.test(expression);

/**
 * The minutes between runs of a `rate(…)` expression, or undefined when it is not one Scheduler takes:
 * a positive whole number, the unit singular for 1 and plural otherwise (`rate(1 hours)` is refused).
 */
export function rateMinutes(expression: string): number | undefined {
  const m = RATE_RE.exec(expression);
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = m[2] as string;
  const plural = unit.endsWith('s');
  if (value < 1 || plural !== value > 1) return undefined;
  return value * (UNIT_MINUTES[plural ? unit.slice(0, -1) : unit] as number);
}

export const isScheduleExpression = (expression: string): boolean =>
  isCron(expression) || rateMinutes(expression) !== undefined;

/** The `rate(…)` expression of an interval, in the largest whole unit (as CDK's ScheduleExpression.rate). */
export function rateExpression(minutes: number): string {
  const [value, unit] =
    minutes % 1440 === 0
      ? [minutes / 1440, 'day']
      : minutes % 60 === 0
        ? [minutes / 60, 'hour']
        : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

/**
 * The hour field of a `cron(min hour dom month dow year)` expression, expanded to the hours it fires at.
 * Returns undefined when it cannot be expanded (then every hour is assumed).
 */
export function cronHours(expression: string): number[] | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1]?.trim().split(/\s+/);
  const hour = fields?.[1];
  if (!hour || hour === '*') return undefined;
  const hours = new Set<number>();
  for (const part of hour.split(',')) {
    const m = /^(\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? 23 : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (step < 1) return undefined;
    for (let h = from; h <= to; h += step) hours.add(h);
  }
  return [...hours];
}

/** Local times in 01:00–02:59 are skipped or repeated on DST change days in the zones that observe it. */
export function firesInDstGap(cron: string, zoneObservesDst: boolean): boolean {
  if (!zoneObservesDst) return false;
  const hours = cronHours(cron);
  return !hours || hours.some((h) => h === 1 || h === 2);
}
