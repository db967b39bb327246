/**
 * Random invocation events (SPEC §5) and an independent verdict on each: a small model of the
 * SPEC written for the tests — none of the project's schemas, regexes or date code is used here.
 *
 * Where the SPEC is silent the model says `ambiguous` (either answer is acceptable, but a
 * rejection must still name that field). The modelling choices:
 * - `intervalMinutes`: whole minutes 1..10080 (a week) are valid; above a week and up to a year
 *   is ambiguous; above a year, zero, negative, fractional or non-numbers are invalid.
 * - Addresses: plain `local@domain.tld` dot-atoms are valid; no `@`, two `@`, inner spaces,
 *   lists (`,` `;`), empty parts and dot-atom violations (`a..b@`, `.a@`, `a@b..c`, `a@-b.c`)
 *   are invalid; display names, padding, dotless domains and non-ASCII are ambiguous.
 * - Filters: lengths count UTF-16 units when that fits and code points when that does not fit
 *   (astral text between the two is ambiguous). Strings are what the API takes; `""`, `null` and numbers are ambiguous (could mean
 *   "no filter" / be stringified), other types invalid. Priority/origin: exact display name or
 *   code string valid; other letter case, padding and numeric codes ambiguous.
 * - Request-only API fields as filter keys (`start`, `limit`, `startTime`, `endTime`) are
 *   ambiguous; any other unknown key is invalid.
 * - A datetime range whose `to − from` is exactly 366 days is ambiguous (duration vs. inclusive
 *   count); everything else follows "inclusive, ≤ 366 days, to ≥ from".
 * - Instants: `YYYY-MM-DDTHH:mm:ss[.f]` with `Z` or `±HH:MM` and a real date/time are valid;
 *   lowercase `t`/`z`, a space separator, no seconds, `±HHMM`/`±HH` offsets, second 60 and
 *   24:00:00 are ambiguous; no offset, impossible values and non-strings are invalid.
 * - Named reports: `report` must match `^[a-z0-9][a-z0-9-]{0,39}$`; `title` is text of at most 80
 *   characters (a blank one, or one with control characters or line separators, is ambiguous:
 *   it may be refused or cleaned); `timezone` an IANA zone (lower case, padding, `+04:00` ambiguous).
 * - The alert's own fields: `filters` as the digest's but `priority` is refused (it has
 *   `priorities`); `priorities` a non-empty list of priority names or codes; `repeatHours` and
 *   `warnHours` whole numbers 0..8784 (a year of hours); `pagerdutySecretId` a Secrets Manager
 *   secret name (1–512 of `A-Za-z0-9/_+=.@-`) or secret ARN; `topicArn` a standard SNS topic ARN
 *   (a `.fifo` topic, an unusual partition or region: ambiguous). Padding around ids is ambiguous.
 * - `filters.extended`: an object of template field names (`queueId`) to strings; dotted names,
 *   names of documented filters, odd names, `""`, numbers and null are ambiguous.
 */
import fc from 'fast-check';

export type Status = 'valid' | 'invalid' | 'ambiguous';

export interface EventVerdict {
  /** `accept`: must parse; `reject`: must throw; `either`: may do both. */
  outcome: 'accept' | 'reject' | 'either';
  /** Paths every rejection must name (all of them). */
  mustName: string[];
  /** Paths of which a rejection must name at least one (a cross-field rule). */
  mustNameOneOf: string[];
  /** Paths a rejection may name; naming anything else is a wrong report. */
  mayName: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic of our own (Howard Hinnant's days-from-civil), so the test does not lean on
// Date.UTC or the project's parsing.

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z0: number): { y: number; m: number; d: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

const p2 = (n: number) => String(n).padStart(2, '0');

// ---------------------------------------------------------------------------------------------
// Time zones, for events (`timezone`) and environments (AICC_TIMEZONE, REPORT_TIMEZONE).

export const VALID_ZONES = [
  'UTC',
  'Asia/Dubai',
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Etc/GMT+4',
  'US/Pacific',
];
export const INVALID_ZONES = [
  'Mars/Olympus',
  'Asia/Dubaii',
  'Dubai',
  'Europe/Londn',
  'America/NewYork',
  'GMT+4',
  'UTC+4',
  'Z',
  'Local',
  '+0400',
  'Asia/Dubai/Extra',
  'undefined',
];
export const AMBIGUOUS_ZONES = ['asia/dubai', 'utc', '+04:00'];

/** A zone name: one of the known IANA names valid, known non-zones invalid, the rest open. */
export function classifyZone(v: unknown): Status {
  if (typeof v !== 'string') return 'invalid';
  const t = v.trim();
  if (VALID_ZONES.includes(t)) return t === v ? 'valid' : 'ambiguous';
  if (INVALID_ZONES.includes(t) || t === '') return 'invalid';
  return 'ambiguous';
}
const p4 = (n: number) => String(n).padStart(4, '0');

// ---------------------------------------------------------------------------------------------
// The model: validity of each value.

interface LocalStamp {
  days: number;
  seconds: number;
  dateOnly: boolean;
}

/** `YYYY-MM-DD` or `YYYY-MM-DD HH:mm:ss`, a real calendar date and clock time. */
export function classifyLocal(v: unknown): { status: Status; stamp?: LocalStamp } {
  if (typeof v !== 'string') return { status: 'invalid' };
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(v);
  if (!m) return { status: 'invalid' };
  const [y, mo, d, h = 0, mi = 0, s = 0] = m
    .slice(1)
    .map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (
    y === undefined ||
    mo === undefined ||
    d === undefined ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > daysInMonth(y, mo) ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return { status: 'invalid' };
  // Years 0000–0999 are real proleptic dates but nobody reports on them: either answer will do.
  const stamp = {
    days: daysFromCivil(y, mo, d),
    seconds: h * 3600 + mi * 60 + s,
    dateOnly: m[4] === undefined,
  };
  return { status: y < 1000 ? 'ambiguous' : 'valid', stamp };
}

function realDateTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59;
}

/** An ISO 8601 instant with an offset. */
export function classifyInstant(v: unknown): Status {
  if (typeof v !== 'string') return 'invalid';
  const strict = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(
    v,
  );
  if (strict) {
    const [y, mo, d, h, mi, s, oh = 0, om = 0] = strict.slice(1).map((x) => Number(x ?? 0)) as number[];
    if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined)
      return 'invalid';
    if (s === undefined || oh > 23 || om > 59) return 'invalid';
    if (realDateTime(y, mo, d, h, mi, s)) return 'valid';
    // Leap second and end-of-day 24:00:00 are ISO 8601 but rare: either answer will do.
    if (realDateTime(y, mo, d, h, mi, 59) && s === 60) return 'ambiguous';
    if (realDateTime(y, mo, d, 0, 0, 0) && h === 24 && mi === 0 && s === 0) return 'ambiguous';
    return 'invalid';
  }
  const loose =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)$/.exec(
      v,
    );
  if (loose) {
    const [y, mo, d, h, mi, s = 0, oh = 0, om = 0] = loose.slice(1).map((x) => Number(x ?? 0)) as number[];
    if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined)
      return 'invalid';
    return realDateTime(y, mo, d, h, mi, s) && oh <= 23 && om <= 59 ? 'ambiguous' : 'invalid';
  }
  return 'invalid';
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const STRICT_ADDRESS = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*@${LABEL}(?:\\.${LABEL})*\\.[A-Za-z]{2,}$`);

/** One recipient address. */
export function classifyAddress(v: unknown): Status {
  if (typeof v !== 'string') return 'invalid';
  if (STRICT_ADDRESS.test(v)) return 'valid';
  const t = v.trim();
  if (t === '' || !t.includes('@')) return 'invalid';
  // A display name (`Lead <lead@example.com>`) is an address SES takes; whether recipients may carry one is open.
  if (/^[^<>]*<[^<>]+>$/.test(t)) return 'ambiguous';
  if (/[,;<>]/.test(t) || /\s/.test(t)) return 'invalid';
  const at = t.lastIndexOf('@');
  const local = t.slice(0, at);
  const domain = t.slice(at + 1);
  if (local === '' || domain === '' || local.includes('@')) return 'invalid';
  // Dot-atom violations: empty atoms or labels, labels starting or ending with a hyphen.
  if (/^\.|\.\.|\.$/.test(local)) return 'invalid';
  if (/^\.|\.\.|\.$/.test(domain) || domain.split('.').some((l) => /^-|-$/.test(l))) return 'invalid';
  // Padding, dotless domains, non-ASCII (SMTPUTF8): left open.
  return 'ambiguous';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const PRIORITY_NAMES = ['Low', 'Medium', 'High', 'Critical'];
const ORIGIN_NAMES = ['Email', 'Voice', 'webchat', 'Whatsapp'];
const CODES = ['0', '1', '2', '3'];
const TEXT_FILTERS: Record<string, number> = {
  title: 128,
  status: Number.POSITIVE_INFINITY,
  classification: Number.POSITIVE_INFINITY,
  ownerId: 20,
  type: 20,
  contactId: 20,
  contactPhone: 20,
  creatorId: 20,
};
const REQUEST_ONLY_FIELDS = new Set(['start', 'limit', 'startTime', 'endTime']);

function classifyCoded(v: unknown, names: string[]): Status {
  if (typeof v === 'string') {
    if (names.includes(v) || CODES.includes(v)) return 'valid';
    const t = v.trim().toLowerCase();
    if (v === '' || names.some((n) => n.toLowerCase() === t) || CODES.includes(t)) return 'ambiguous';
    return 'invalid';
  }
  if (typeof v === 'number' && [0, 1, 2, 3].includes(v)) return 'ambiguous';
  return v === null ? 'ambiguous' : 'invalid';
}

function classifyText(v: unknown, max: number): Status {
  if (typeof v === 'string') {
    if (v === '') return 'ambiguous';
    if (v.length <= max) return 'valid';
    // "Characters" of astral text: UTF-16 units or code points? Over in code points is over in both.
    return [...v].length > max ? 'invalid' : 'ambiguous';
  }
  if (v === null || (typeof v === 'number' && Number.isFinite(v))) return 'ambiguous';
  return 'invalid';
}

const DOCUMENTED_FILTERS = new Set(['priority', 'origin', ...Object.keys(TEXT_FILTERS)]);

/** `filters.extended`: template field names to strings; notes each entry at its own path. */
function classifyExtended(v: unknown, note: (path: string, s: Status) => void): void {
  if (!isPlainObject(v)) {
    note('filters.extended', 'invalid');
    return;
  }
  for (const [k, value] of Object.entries(v)) {
    const path = `filters.extended.${k}`;
    const plainName =
      /^[A-Za-z][A-Za-z0-9_]*$/.test(k) && !DOCUMENTED_FILTERS.has(k) && !REQUEST_ONLY_FIELDS.has(k);
    let s: Status;
    if (typeof value === 'string') s = value === '' ? 'ambiguous' : 'valid';
    else if (value === null || (typeof value === 'number' && Number.isFinite(value))) s = 'ambiguous';
    else s = 'invalid';
    note(path, s === 'valid' && !plainName ? 'ambiguous' : s);
  }
}

function classifyInterval(v: unknown): Status {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return 'invalid';
  if (v <= 10_080) return 'valid';
  return v <= 525_600 ? 'ambiguous' : 'invalid';
}

export const MAX_HOURS = 8784;

/** `repeatHours`, `warnHours`: whole hours 0..8784 (a year). */
function classifyHours(v: unknown): Status {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_HOURS ? 'valid' : 'invalid';
}

/** A named report's name. */
function classifyReport(v: unknown): Status {
  return typeof v === 'string' && /^[a-z0-9][a-z0-9-]{0,39}$/.test(v) ? 'valid' : 'invalid';
}

/** A report's title: ≤ 80 characters (UTF-16 units or code points: over in both is over). */
function classifyTitle(v: unknown): Status {
  if (typeof v !== 'string') return 'invalid';
  if (v.trim() === '') return 'ambiguous';
  if ([...v.trim()].length > 80) return 'invalid';
  if (v.length > 80) return 'ambiguous';
  // A subject line cannot hold these: refusing them or cleaning them up are both fair.
  if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(v)) return 'ambiguous';
  return 'valid';
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN =
  /^arn:aws(?:-cn|-us-gov)?:secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** A Secrets Manager secret: its name or its ARN. */
export function classifySecretId(v: unknown): Status {
  if (typeof v !== 'string') return 'invalid';
  const t = v.trim();
  if (!SECRET_NAME.test(t) && !SECRET_ARN.test(t)) return 'invalid';
  return t === v ? 'valid' : 'ambiguous';
}

const TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** A standard SNS topic ARN. */
export function classifyTopicArn(v: unknown): Status {
  if (typeof v !== 'string') return 'invalid';
  const t = v.trim();
  if (TOPIC_ARN.test(t)) return t === v ? 'valid' : 'ambiguous';
  // A FIFO topic (it cannot deliver SMS or email), an odd partition or region: open.
  if (/^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/.test(t)) return 'ambiguous';
  return 'invalid';
}

const COMMON_KEYS = ['job', 'scheduledTime', 'at', 'dryRun', 'recipients', 'report', 'title', 'timezone'];
const DIGEST_KEYS = new Set([...COMMON_KEYS, 'from', 'to', 'filters']);
const ALERT_KEYS = new Set([
  ...COMMON_KEYS,
  'intervalMinutes',
  'filters',
  'priorities',
  'repeatHours',
  'warnHours',
  'pagerdutySecretId',
  'topicArn',
]);
const DAY_S = 86_400;

/** The model's verdict on one event. */
export function classifyEvent(event: unknown): EventVerdict {
  const verdict = (
    outcome: EventVerdict['outcome'],
    mustName: string[],
    mustNameOneOf: string[],
    mayName: Iterable<string>,
  ): EventVerdict => ({ outcome, mustName, mustNameOneOf, mayName: new Set(mayName) });

  if (!isPlainObject(event)) return verdict('reject', [], ['(root)', 'job'], ['(root)', 'job']);
  const keys = Object.keys(event);
  const job = event.job;
  if (job !== 'digest' && job !== 'overdue-alert') {
    // Nothing else can be judged without the job; a report may still name other present fields.
    const may = new Set(['job', '(root)']);
    for (const k of keys) may.add(k);
    return verdict('reject', ['job'], [], may);
  }

  const invalid: string[] = [];
  const ambiguous: string[] = [];
  /** Rules across fields, checked once every field is valid on its own (as `from`/`to` are). */
  const crossFields: string[] = [];
  const note = (path: string, s: Status) => {
    if (s === 'invalid') invalid.push(path);
    else if (s === 'ambiguous') ambiguous.push(path);
  };
  const allowed = job === 'digest' ? DIGEST_KEYS : ALERT_KEYS;
  for (const k of keys) {
    if (!allowed.has(k)) {
      // An empty key has no name to print; "(root)" is the best a report can do.
      invalid.push(k === '' ? '(root)' : k);
      continue;
    }
    const v = event[k];
    switch (k) {
      case 'job':
        break;
      case 'scheduledTime':
      case 'at':
        note(k, classifyInstant(v));
        break;
      case 'dryRun':
        note(k, typeof v === 'boolean' ? 'valid' : 'invalid');
        break;
      case 'intervalMinutes':
        note(k, classifyInterval(v));
        break;
      case 'report':
        note(k, classifyReport(v));
        break;
      case 'title':
        note(k, classifyTitle(v));
        break;
      case 'timezone':
        note(k, classifyZone(v));
        break;
      case 'repeatHours':
      case 'warnHours':
        note(k, classifyHours(v));
        break;
      case 'pagerdutySecretId':
        note(k, classifySecretId(v));
        break;
      case 'topicArn':
        note(k, classifyTopicArn(v));
        break;
      case 'priorities':
        if (!Array.isArray(v) || v.length === 0) invalid.push(k);
        else for (const [i, p] of v.entries()) note(`priorities.${i}`, classifyCoded(p, PRIORITY_NAMES));
        break;
      case 'from':
      case 'to':
        note(k, classifyLocal(v).status);
        break;
      case 'recipients':
        if (!Array.isArray(v) || v.length === 0) invalid.push(k);
        else for (const [i, a] of v.entries()) note(`recipients.${i}`, classifyAddress(a));
        break;
      case 'filters':
        if (!isPlainObject(v)) {
          invalid.push(k);
          break;
        }
        for (const [fk, fv] of Object.entries(v)) {
          const path = `filters.${fk}`;
          // The alert queries each of its `priorities`: a priority filter contradicts them (a rule
          // across fields: a rejection for another field may come first).
          if (fk === 'priority' && job === 'overdue-alert') {
            const s = classifyCoded(fv, PRIORITY_NAMES);
            if (s === 'invalid') invalid.push(path);
            else crossFields.push(path);
          } else if (fk === 'priority') note(path, classifyCoded(fv, PRIORITY_NAMES));
          else if (fk === 'origin') note(path, classifyCoded(fv, ORIGIN_NAMES));
          else if (fk in TEXT_FILTERS && Object.hasOwn(TEXT_FILTERS, fk))
            note(path, classifyText(fv, TEXT_FILTERS[fk] as number));
          else if (fk === 'extended') classifyExtended(fv, note);
          else if (REQUEST_ONLY_FIELDS.has(fk)) ambiguous.push(path);
          else invalid.push(path);
        }
        break;
    }
  }

  // Cross-field: from and to go together, to ≥ from, inclusive span ≤ 366 days.
  let cross: string[] = [...crossFields];
  let crossAmbiguous = false;
  if (job === 'digest') {
    const hasFrom = Object.hasOwn(event, 'from');
    const hasTo = Object.hasOwn(event, 'to');
    if (hasFrom !== hasTo) cross = [...cross, 'from', 'to'];
    else if (hasFrom && hasTo) {
      const f = classifyLocal(event.from);
      const t = classifyLocal(event.to);
      if (f.stamp && t.stamp) {
        const fromS = f.stamp.days * DAY_S + f.stamp.seconds;
        const toS = t.stamp.days * DAY_S + (t.stamp.dateOnly ? DAY_S - 1 : t.stamp.seconds);
        if (toS < fromS || toS - fromS + 1 > 366 * DAY_S) {
          if (!t.stamp.dateOnly && toS - fromS === 366 * DAY_S) crossAmbiguous = true;
          else cross = [...cross, 'from', 'to'];
        }
      }
    }
  }

  const may = new Set([...invalid, ...ambiguous, ...cross, ...(crossAmbiguous ? ['from', 'to'] : [])]);
  if (invalid.length > 0) return verdict('reject', invalid, [], may);
  if (cross.length > 0)
    return verdict('reject', [], ambiguous.length ? [...cross, ...ambiguous] : cross, may);
  if (ambiguous.length > 0 || crossAmbiguous)
    return verdict('either', [], [...ambiguous, ...(crossAmbiguous ? ['from', 'to'] : [])], may);
  return verdict('accept', [], [], may);
}

// ---------------------------------------------------------------------------------------------
// Generators: pools mixing valid, invalid and ambiguous values for every field.

/** Values whose error messages are parsed: never a `;` (the separator of issues). */
const junkText = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes(';'));
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', ' ', 'yesterday', 'now', {}, [], [1], { a: 1 }),
  junkText,
  fc.integer(),
  fc.double({ noNaN: false }),
);

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const realFields: fc.Arbitrary<Fields> = fc
  .record({
    y: fc.integer({ min: 1990, max: 2099 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
  })
  .map((f) => ({ ...f, d: Math.min(f.d, daysInMonth(f.y, f.mo)) }));

/** Fields that are out of range in exactly one way (2026-02-30, 13th month, 25:00:00, ...). */
const impossibleFields: fc.Arbitrary<Fields> = fc.oneof(
  realFields.map((f) => ({ ...f, mo: 2, d: isLeap(f.y) ? 30 : 29 + (f.d % 3) })),
  realFields.map((f) => ({ ...f, mo: [4, 6, 9, 11][f.d % 4] as number, d: 31 })),
  realFields.map((f) => ({ ...f, mo: f.mo % 2 === 0 ? 0 : 13 })),
  realFields.map((f) => ({ ...f, d: f.d % 2 === 0 ? 0 : 32 })),
  realFields.map((f) => ({ ...f, h: 24 + (f.h % 76), mi: f.h % 2 ? 0 : f.mi })),
  realFields.map((f) => ({ ...f, mi: 60 + (f.mi % 40) })),
  realFields.map((f) => ({ ...f, s: 60 + (f.s % 40) })),
  fc.constant({ y: 2026, mo: 2, d: 30, h: 0, mi: 0, s: 0 }),
  fc.constant({ y: 2026, mo: 11, d: 27, h: 25, mi: 0, s: 0 }),
);

const dateText = (f: Fields) => `${p4(f.y)}-${p2(f.mo)}-${p2(f.d)}`;
const dateTimeText = (f: Fields) => `${dateText(f)} ${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}`;

/** Local dates for `from`/`to`: real, impossible and malformed. */
export const localDateArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: realFields.chain((f) => fc.constantFrom(dateText(f), dateTimeText(f))) },
  { weight: 2, arbitrary: impossibleFields.chain((f) => fc.constantFrom(dateText(f), dateTimeText(f))) },
  {
    weight: 2,
    arbitrary: realFields.chain((f) =>
      fc.constantFrom<unknown>(
        `${dateText(f)}T${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}`,
        `${dateText(f)} ${p2(f.h)}:${p2(f.mi)}`,
        `${dateText(f)}Z`,
        `${f.y}/${p2(f.mo)}/${p2(f.d)}`,
        `${f.y}-${f.mo}-${f.d}`,
        `${p2(f.d)}-${p2(f.mo)}-${p4(f.y)}`,
        ` ${dateText(f)}`,
        `${dateText(f)} `,
        `${dateText(f)}  ${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}`,
        Number(`${f.y}${p2(f.mo)}${p2(f.d)}`),
        `+0${dateText(f)}`,
      ),
    ),
  },
  { weight: 1, arbitrary: junk },
);

/** A from/to pair around the interesting boundaries: to < from, equal, 365–367 days, random. */
export const rangeArb: fc.Arbitrary<{ from: string; to: string }> = fc
  .record({
    from: realFields,
    deltaDays: fc.oneof(
      fc.integer({ min: -2, max: 2 }),
      fc.integer({ min: 364, max: 367 }),
      fc.integer({ min: -800, max: 800 }),
    ),
    toTime: fc.oneof(
      fc.constant<'date' | 'same' | 'minus1' | 'plus1' | 'random'>('date'),
      fc.constantFrom<'date' | 'same' | 'minus1' | 'plus1' | 'random'>('same', 'minus1', 'plus1', 'random'),
    ),
    randomSeconds: fc.integer({ min: 0, max: DAY_S - 1 }),
    fromDateOnly: fc.boolean(),
  })
  .map(({ from, deltaDays, toTime, randomSeconds, fromDateOnly }) => {
    const fromDays = daysFromCivil(from.y, from.mo, from.d);
    const fromSec = fromDateOnly ? 0 : from.h * 3600 + from.mi * 60 + from.s;
    const fromText = fromDateOnly ? dateText(from) : dateTimeText(from);
    if (toTime === 'date') {
      const c = civilFromDays(fromDays + deltaDays);
      return { from: fromText, to: `${p4(c.y)}-${p2(c.m)}-${p2(c.d)}` };
    }
    const sec =
      toTime === 'same'
        ? fromSec
        : toTime === 'minus1'
          ? fromSec - 1
          : toTime === 'plus1'
            ? fromSec + 1
            : randomSeconds;
    const total = (fromDays + deltaDays) * DAY_S + sec;
    const days = Math.floor(total / DAY_S);
    const rest = total - days * DAY_S;
    const c = civilFromDays(days);
    const to = `${p4(c.y)}-${p2(c.m)}-${p2(c.d)} ${p2(Math.floor(rest / 3600))}:${p2(Math.floor((rest % 3600) / 60))}:${p2(rest % 60)}`;
    return { from: fromText, to };
  });

const OFFSETS = ['Z', '+00:00', '+04:00', '-05:30', '+14:00', '-12:00', '+05:45'];
const isoText = (f: Fields, frac: string, off: string) =>
  `${dateText(f)}T${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}${frac}${off}`;

/** Instants for `scheduledTime`/`at`. */
export const instantArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(realFields, fc.constantFrom('', '.000', '.5', '.123456'), fc.constantFrom(...OFFSETS))
      .map(([f, frac, off]) => isoText(f, frac, off)),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(impossibleFields, fc.constantFrom(...OFFSETS)).map(([f, off]) => isoText(f, '', off)),
  },
  {
    weight: 2,
    arbitrary: realFields.chain((f) =>
      fc.constantFrom<unknown>(
        isoText(f, '', ''),
        `${dateText(f)} ${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}`,
        `${dateText(f)} ${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}Z`,
        `${dateText(f)}t${p2(f.h)}:${p2(f.mi)}:${p2(f.s)}z`,
        `${dateText(f)}T${p2(f.h)}:${p2(f.mi)}Z`,
        isoText(f, '', '+0400'),
        isoText(f, '', '+04'),
        isoText(f, '', '+25:00'),
        isoText(f, '', '+04:60'),
        dateText(f),
        Date.UTC(f.y, f.mo - 1, f.d),
        `${isoText(f, '', 'Z')} `,
      ),
    ),
  },
  { weight: 1, arbitrary: junk },
);

const validAddress = fc.constantFrom(
  'lead@example.com',
  'on-call+digest@example.org',
  'first.last@sub.example.co.uk',
  "o'brien@example.ie",
  'x_y-z@mail-1.example.net',
  'UPPER@EXAMPLE.COM',
);
const invalidAddress = fc.constantFrom<unknown>(
  '',
  ' ',
  'lead',
  'lead@',
  '@example.com',
  'lead@@example.com',
  'lead@exa mple.com',
  'le ad@example.com',
  'a@example.com,b@example.com',
  'a@example.com;b@example.com',
  'a@b@example.com',
  '<lead@example.com',
  null,
  42,
  { address: 'lead@example.com' },
  ['lead@example.com'],
);
const ambiguousAddress = fc.constantFrom(
  'Lead <lead@example.com>',
  ' lead@example.com ',
  'lead@localhost',
  'пользователь@пример.рф',
);

/** Recipient addresses for the main property (dot-atom violations have their own test). */
export const addressArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: validAddress },
  { weight: 2, arbitrary: invalidAddress },
  { weight: 1, arbitrary: ambiguousAddress },
);

/** Addresses that are not RFC 5321 dot-atoms: every one must be refused. */
export const DOT_ATOM_VIOLATIONS = [
  'lead..ops@example.com',
  '.lead@example.com',
  'lead.@example.com',
  'lead@example..com',
  'lead@.example.com',
  'lead@example.com.',
  'lead@-example.com',
  'lead@example-.com',
];

export const recipientsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.array(addressArb, { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.oneof(validAddress, junk) },
);

const ascii = (min: number, max: number) =>
  fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: max }).filter((s) => !s.includes(';'));
const hostileFilterText = fc.constantFrom(
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "=cmd|' /C calc'!A0",
);

const textFilterValue = (max: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: ascii(1, Math.min(max, 40)) },
    {
      weight: 2,
      arbitrary: Number.isFinite(max)
        ? fc.constantFrom(max, max + 1, max + 2, 2 * max + 10).map((n) => 'x'.repeat(n))
        : fc.constantFrom(200, 1_000).map((n) => 's'.repeat(n)),
    },
    { weight: 1, arbitrary: hostileFilterText.map((s) => s.slice(0, max)) },
    { weight: 1, arbitrary: junk },
  );

const codedValue = (names: string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names, ...CODES) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(
        'Urgent',
        'Urgent!!',
        '4',
        '-1',
        '3.0',
        'P1',
        '5',
        4,
        -1,
        3.5,
        true,
        {},
        [],
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        ...names.map((n) => n.toUpperCase()),
        ` ${names[0]} `,
        0,
        3,
        null,
        '',
      ),
    },
    { weight: 1, arbitrary: junk },
  );

const UNKNOWN_FILTER_KEYS = [
  'foo',
  'Priority',
  'owner_id',
  'createdDate',
  'constructor',
  'toString',
  'dueDate',
  'id',
];

const extendedArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<unknown>(
      { queueId: 'q-emea' },
      { queueId: 'q-apac', ext_region: 'EMEA' },
      { isReopen: 'true', caseNo: '000000000035013' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      { 'type.__objectType': 'x' },
      { queueId: 5 },
      { queueId: '' },
      { queueId: null },
      { priority: '3' },
      { 'bad key': 'x' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>('q-emea', ['q-emea'], { queueId: {} }, { queueId: true }, null),
  },
);

/** Filters; `priority` present with weight `priorityWeight` out of 10 (the alert refuses it). */
const filtersArb = (priorityWeight: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .record(
          {
            title: textFilterValue(128),
            status: textFilterValue(Number.POSITIVE_INFINITY),
            classification: textFilterValue(Number.POSITIVE_INFINITY),
            priority: codedValue(PRIORITY_NAMES),
            origin: codedValue(ORIGIN_NAMES),
            ownerId: textFilterValue(20),
            type: textFilterValue(20),
            contactId: textFilterValue(20),
            contactPhone: textFilterValue(20),
            creatorId: textFilterValue(20),
            extended: extendedArb,
          },
          { requiredKeys: [] },
        )
        .chain((f) =>
          fc
            .tuple(
              fc.oneof(
                { weight: 5, arbitrary: fc.constant(undefined) },
                {
                  weight: 1,
                  arbitrary: fc.tuple(fc.constantFrom(...UNKNOWN_FILTER_KEYS, ...REQUEST_ONLY_FIELDS), junk),
                },
              ),
              fc.integer({ min: 0, max: 9 }),
            )
            .map(([extra, draw]) => {
              const { priority, ...rest } = f as Record<string, unknown>;
              const kept = draw < priorityWeight && priority !== undefined ? { ...rest, priority } : rest;
              return extra ? withKey(kept, extra[0], extra[1]) : kept;
            }),
        ),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'priority=Critical', [], ['Critical'], 3) },
  );

/** Adds an own property even for `__proto__`-like names (as JSON.parse would). */
function withKey(obj: object, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...obj };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

const intervalArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof(fc.integer({ min: 1, max: 10_080 }), fc.constantFrom(1, 5, 15, 60, 10_080)),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      0,
      -0,
      -1,
      -60,
      0.5,
      59.9,
      60.000001,
      1e12,
      Number.MAX_SAFE_INTEGER,
      2 ** 53 + 2,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      '60',
      null,
      true,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(10_081, 100_000, 525_600, 525_601) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
);

const hoursArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof(fc.integer({ min: 0, max: MAX_HOURS }), fc.constantFrom(0, 1, 4, 24, MAX_HOURS)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(MAX_HOURS + 1, 100_000, -1, 0.5, 2.5, '4', null, true, Number.NaN),
  },
);

const reportArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.constantFrom('daily', 'emea-voice', 'oncall-emea', '0', 'a'.repeat(40), '9-lives'),
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '',
      '-daily',
      'Daily',
      'emea_voice',
      'emea voice',
      'a'.repeat(41),
      'ëmea',
      ' daily',
      'daily\n',
      7,
      null,
      ['daily'],
    ),
  },
);

const titleArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'EMEA voice',
        'تقرير الحالات',
        'On-call · EMEA 🚨',
        'T'.repeat(80),
        '<b>bold</b> & "quoted"',
      ),
      fc
        .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 80 })
        .filter((t) => t.trim() !== '' && !t.includes(';')),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>('T'.repeat(81), 'é'.repeat(200), 42, null, ['EMEA'], {}),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      '',
      '   ',
      'Line\nbreak',
      'Bell\u0007',
      'Sep\u2028arator',
      `${'😀'.repeat(50)}`,
      ` ${'T'.repeat(80)} `,
    ),
  },
);

const zoneArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VALID_ZONES) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...INVALID_ZONES, '', 4, null) },
  { weight: 1, arbitrary: fc.constantFrom(...AMBIGUOUS_ZONES, ' Asia/Dubai') },
);

const prioritiesArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom<unknown>(...PRIORITY_NAMES, ...CODES) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>('Urgent', 'P1', '4', {}, true) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>('critical', ' High ', 3, null) },
      ),
      { minLength: 1, maxLength: 4 },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], 'Critical', 'Critical,High', null, 3) },
);

const secretIdArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'aicc/pagerduty-emea',
      'pagerduty',
      'team+on.call@ops=1_x',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:aicc/pagerduty-AbCdEf',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '',
      'has space',
      'bad#char',
      'x'.repeat(513),
      'arn:aws:sns:eu-west-1:123456789012:oncall',
      'arn:aws:secretsmanager:eu-west-1:12345:secret:x',
      7,
      null,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(' aicc/pagerduty ') },
);

const topicArnArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'arn:aws:sns:eu-west-1:123456789012:oncall',
      'arn:aws:sns:us-east-1:123456789012:oncall-emea_2',
      'arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '',
      'oncall',
      'arn:aws:sqs:eu-west-1:123456789012:queue',
      'arn:aws:sns:eu-west-1:12345:oncall',
      'arn:aws:sns:eu-west-1:123456789012:',
      'arn:aws:sns:eu-west-1:123456789012:on call',
      'arn:aws:sns:eu-west-1:123456789012:oncall:0b6941c4-f7a0-4a64-8a1b-6a5c7b1f7b1e',
      42,
      null,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'arn:aws:sns:eu-west-1:123456789012:oncall.fifo',
      ' arn:aws:sns:eu-west-1:123456789012:oncall',
    ),
  },
);

const dryRunArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('true', 'false', 'yes', 1, 0, null, [], {}) },
);

const jobArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('digest', 'overdue-alert') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      'Digest',
      'overdue_alert',
      'overdue',
      'DIGEST',
      '',
      ' digest',
      null,
      1,
      ['digest'],
    ),
  },
);

const UNKNOWN_TOP_KEYS = [
  'foo',
  'Job',
  'dry_run',
  'scheduled_time',
  'asOf',
  'timeZone',
  'priority',
  'repeat_hours',
  'warnhours',
  'topic',
  'limit',
  'constructor',
  'toString',
  '__proto__',
  '',
];

/** A whole event: any field may be absent, and some fields of the other job may stray in. */
export function eventArb(mode: 'mostly-valid' | 'wild'): fc.Arbitrary<unknown> {
  /** Present with weight `present`, absent with weight `absent`. */
  const some = <T>(arb: fc.Arbitrary<T>, present: number, absent: number): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: arb });
  const opt = <T>(arb: fc.Arbitrary<T>) => (mode === 'mostly-valid' ? some(arb, 1, 2) : some(arb, 1, 1));
  /** The named-report and alert fields: fewer at once in the mostly-valid mix, so that valid events stay common. */
  const rare = <T>(arb: fc.Arbitrary<T>) => (mode === 'mostly-valid' ? some(arb, 1, 6) : some(arb, 1, 2));
  const objects = fc
    .record({
      job: mode === 'mostly-valid' ? fc.constantFrom('digest', 'overdue-alert') : some(jobArb, 12, 1),
      scheduledTime: opt(instantArb),
      at: opt(instantArb),
      dryRun: opt(dryRunArb),
      recipients: opt(recipientsArb),
      range: opt(
        fc.oneof(
          { weight: 3, arbitrary: rangeArb },
          { weight: 1, arbitrary: fc.record({ from: localDateArb, to: localDateArb }) },
        ),
      ),
      halfRange: some(fc.constantFrom('from', 'to'), 1, mode === 'mostly-valid' ? 12 : 4),
      // A priority filter is common on a digest, rare on an alert (which refuses it).
      digestFilters: opt(filtersArb(5)),
      alertFilters: rare(filtersArb(1)),
      intervalMinutes: opt(intervalArb),
      report: rare(reportArb),
      title: rare(titleArb),
      timezone: rare(zoneArb),
      priorities: rare(prioritiesArb),
      repeatHours: rare(hoursArb),
      warnHours: rare(hoursArb),
      pagerdutySecretId: rare(secretIdArb),
      topicArn: rare(topicArnArb),
      strayKey: some(
        fc.tuple(fc.constantFrom(...UNKNOWN_TOP_KEYS), junk),
        1,
        mode === 'mostly-valid' ? 12 : 3,
      ),
    })
    .map((r) => {
      const e: Record<string, unknown> = {};
      if (r.job !== undefined) e.job = r.job;
      const digest = r.job === 'digest';
      // Mostly the job's own fields; now and then the other job's (an unknown key there).
      const strays = mode === 'wild';
      if (r.scheduledTime !== undefined) e.scheduledTime = r.scheduledTime;
      if (r.at !== undefined) e.at = r.at;
      if (r.dryRun !== undefined) e.dryRun = r.dryRun;
      if (r.recipients !== undefined) e.recipients = r.recipients;
      if (r.range !== undefined && (digest || strays)) {
        if (r.halfRange !== 'to') e.from = r.range.from;
        if (r.halfRange !== 'from') e.to = r.range.to;
      }
      const filters = digest ? r.digestFilters : r.alertFilters;
      if (filters !== undefined) e.filters = filters;
      if (r.report !== undefined) e.report = r.report;
      if (r.title !== undefined) e.title = r.title;
      if (r.timezone !== undefined) e.timezone = r.timezone;
      // The alert's own fields, now and then on a digest (an unknown key there).
      const alertOnly = {
        intervalMinutes: r.intervalMinutes,
        priorities: r.priorities,
        repeatHours: r.repeatHours,
        warnHours: r.warnHours,
        pagerdutySecretId: r.pagerdutySecretId,
        topicArn: r.topicArn,
      };
      for (const [k, v] of Object.entries(alertOnly)) if (v !== undefined && (!digest || strays)) e[k] = v;
      return r.strayKey ? withKey(e, r.strayKey[0], r.strayKey[1]) : e;
    });
  if (mode === 'mostly-valid') return objects;
  return fc.oneof(
    { weight: 12, arbitrary: objects },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(null, undefined, 'digest', 42, [], [{ job: 'digest' }], true),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Reading an error message: `Invalid event: a.b: message; c: message`.

/** The field paths an `Invalid event: …` / `Invalid configuration: …` message names. */
export function namedPaths(message: string): string[] {
  const body = message.replace(/^Invalid (event|configuration): /, '');
  return body
    .split('; ')
    .map((issue) => {
      const i = issue.indexOf(': ');
      return i < 0 ? issue : issue.slice(0, i);
    })
    .filter((p) => p.length > 0);
}

/** Checks a rejection's message against a verdict; returns a description of what is wrong, or null. */
export function checkNamed(message: string, v: EventVerdict): string | null {
  const named = namedPaths(message);
  if (named.length === 0) return `no field named in "${message}"`;
  const missing = v.mustName.filter((p) => !named.includes(p));
  if (missing.length) return `does not name ${missing.join(', ')} in "${message}"`;
  if (v.mustNameOneOf.length && !v.mustNameOneOf.some((p) => named.includes(p)))
    return `names none of ${v.mustNameOneOf.join(', ')} in "${message}"`;
  const wrong = named.filter((p) => !v.mayName.has(p));
  if (wrong.length) return `names ${wrong.join(', ')}, which are not at fault, in "${message}"`;
  return null;
}
