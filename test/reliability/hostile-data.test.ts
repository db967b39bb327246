/**
 * Hostile data end to end: the sandbox serves cases whose every field tries to break the email
 * (markup, CRLF, bidi controls, 10,000-character strings, formulas, unknown enums, broken due
 * dates); the real handler renders them (dry run) and mails them (local SES). Then a property over
 * random Unicode through the renderers directly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderAlert, renderDigest } from '../../functions/case-digest/email/render.js';
import type { AlertView, DigestView, OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { createHandler } from '../../functions/case-digest/handler.js';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import type { AlertResult } from '../../functions/case-digest/jobs/overdue-alert.js';
import { type LocalSes, startLocalSes } from '../../sandbox/local-ses.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import {
  alertedIds,
  buildHostileCases,
  countBy,
  createdIn,
  ESCAPED_IMG,
  ESCAPED_SCRIPT,
  FORMULA_START,
  FORMULA_VALUES,
  HOSTILE,
  HOSTILE_IDS,
  type HostileSet,
  htmlProblems,
  overdueIds,
  parseCsv,
  phoneFor,
  phoneLeaks,
  textProblems,
  visible,
} from '../helpers/hostile-data.js';

// Asia/Dubai (UTC+4, no DST) for the API and the report: 02:00Z on the 27th is 06:00 local.
const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z';
const AS_OF_LOCAL = '2026-11-27 06:00:00';
const LOOKBACK_FROM_LOCAL = '2026-10-28 06:00:00';
const DAY = '2026-11-26';
const PREVIOUS_DAY = '2026-11-25';
// The alert check: 08:30 local, when the showcase cases (due 08:00 yesterday) get their first reminder.
const ALERT_AT = '2026-11-27T04:30:00Z';
const ALERT_AT_LOCAL = '2026-11-27 08:30:00';
const ALERT_LOOKBACK_FROM_LOCAL = '2026-10-28 08:30:00';

const data: HostileSet = buildHostileCases({
  day: DAY,
  previousDay: PREVIOUS_DAY,
  lookbackDay: '2026-11-05',
  beforeLookbackDay: '2026-10-20',
  asOfLocal: AS_OF_LOCAL,
  afterWindowLocal: '2026-11-27 05:00:00',
});
/** Every real phone number served (hostile "phones" have fewer than 6 hidden digits). */
const PHONES = data.cases
  .map((c) => c.contactPhone)
  .filter((p): p is string => typeof p === 'string' && /^[+(0]/.test(p) && p.replace(/\D/g, '').length >= 10);

let sandbox: Sandbox;
let ses: LocalSes;
let handler: ReturnType<typeof createHandler>;
const saved = { ...process.env };

beforeAll(async () => {
  sandbox = await startSandbox({ cases: data.cases, timezone: ZONE, now: () => new Date(SCHEDULED) });
  ses = await startLocalSes();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  handler = createHandler({
    env: {
      AICC_BASE_URL: sandbox.url,
      AICC_TOKEN: 'sandbox-token',
      AICC_TIMEZONE: ZONE,
      REPORT_TIMEZONE: ZONE,
      MAIL_FROM: 'Case Digest <digest@example.com>',
      DIGEST_RECIPIENTS: 'managers@example.com',
      ALERT_RECIPIENTS: 'on-call@example.com',
      CASE_URL_TEMPLATE: 'https://aicc.example.com/case/{id}?no={caseNo}',
      AICC_TIMEOUT_MS: '5000',
      AWS_ENDPOINT_URL_SESV2: ses.url,
    },
    now: () => new Date(SCHEDULED),
  });
});

afterAll(async () => {
  process.env = saved;
  await Promise.all([sandbox?.close(), ses?.close()]);
});

beforeEach(async () => {
  await ses.clear();
});

/** The digest the SPEC asks for, counted from the served records by the oracle. */
function expectedDigest() {
  const inWindow = data.cases.filter((c) => createdIn(c, `${DAY} 00:00:00`, `${DAY} 23:59:59`));
  return {
    total: inWindow.length,
    previousTotal: data.cases.filter((c) =>
      createdIn(c, `${PREVIOUS_DAY} 00:00:00`, `${PREVIOUS_DAY} 23:59:59`),
    ).length,
    byPriority: countBy(inWindow, 'priority'),
    byOrigin: countBy(inWindow, 'origin'),
    byState: countBy(inWindow, 'state'),
    overdue: overdueIds(data.cases, LOOKBACK_FROM_LOCAL, AS_OF_LOCAL, AS_OF_LOCAL),
    inWindowIds: new Set(inWindow.map((c) => c.id)),
  };
}

const sortedEntries = (r: Record<string, number> | Map<string, number>) =>
  [...(r instanceof Map ? r : Object.entries(r))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const oneLine = (subject: string) => !/[\r\n\u2028\u2029]/.test(subject);
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

describe('hostile case data through the real handler', () => {
  it('dry-run digest: the numbers equal an independent count of the served cases', async () => {
    const want = expectedDigest();
    const result = (await handler({ job: 'digest', scheduledTime: SCHEDULED, dryRun: true })) as DigestResult;

    expect(result.job).toBe('digest');
    expect(result.total).toBe(want.total);
    expect(result.previousTotal).toBe(want.previousTotal);
    expect(sortedEntries(result.byPriority)).toEqual(sortedEntries(want.byPriority));
    expect(sortedEntries(result.byOrigin)).toEqual(sortedEntries(want.byOrigin));
    expect(sortedEntries(result.byState)).toEqual(sortedEntries(want.byState));
    expect(result.overdue.caseIds).toEqual(want.overdue);
    expect(result.overdue.count).toBe(want.overdue.length);
    expect(result.warnings).toEqual([]);

    // The data is as hostile as intended: hundreds of priorities, more than one page of overdue cases.
    expect(Object.keys(result.byPriority).length).toBeGreaterThan(300);
    expect(want.overdue.length).toBeGreaterThan(50);

    // Malformed or absent due dates: counted in totals and buckets, never overdue.
    const malformedInWindow = data.malformedDueIds.filter((id) => want.inWindowIds.has(id));
    expect(malformedInWindow.length).toBeGreaterThan(30);
    expect(result.overdue.caseIds.filter((id) => data.malformedDueIds.includes(id))).toEqual([]);
    const bucketed = Object.values(result.byState).reduce((a, n) => a + n, 0);
    expect(bucketed).toBe(result.total);
    expect(Object.values(result.byPriority).reduce((a, n) => a + n, 0)).toBe(result.total);
    expect(Object.values(result.byOrigin).reduce((a, n) => a + n, 0)).toBe(result.total);

    // A leaked `__proto__` would have closed this case; its own fields say open and overdue.
    expect(result.overdue.caseIds).toContain('proto-carrier');
  });

  it('dry-run digest: the email renders, stays under 100 KB and escapes everything', async () => {
    const result = (await handler({ job: 'digest', scheduledTime: SCHEDULED, dryRun: true })) as DigestResult;
    const email = result.emails[0];
    expect(result.emails).toHaveLength(1);
    if (!email?.html || email.text === undefined) throw new Error('dry run returned no rendered email');

    expect(htmlProblems(email.html)).toEqual([]);
    expect(Buffer.byteLength(email.html, 'utf8')).toBeLessThan(100_000);
    // The payloads are there, escaped — not dropped.
    expect(visible(email.html)).toContain(ESCAPED_IMG);
    expect(visible(email.html)).toContain(ESCAPED_SCRIPT);
    expect(visible(email.html)).toMatch(/and [\d,]+ more/);

    expect(oneLine(email.subject)).toBe(true);
    expect(email.subject).not.toMatch(BIDI);
    expect(email.subject).toBe(`Case digest ${DAY}: ${result.total} new, ${result.overdue.count} overdue`);

    expect(textProblems(email.text)).toEqual([]);
    expect(email.text).toContain(String(result.total));

    expect(phoneLeaks(email.html, PHONES)).toEqual([]);
    expect(phoneLeaks(email.text, PHONES)).toEqual([]);
    expect(phoneLeaks(JSON.stringify(result), PHONES)).toEqual([]);
    // Masked forms are shown: the showcase's first phone, by its last 4 digits.
    const last4 = phoneFor(0).replace(/\D/g, '').slice(-4);
    expect(visible(email.html)).toContain(`•••• ${last4}`);

    expect(email.attachments).toEqual([
      {
        filename: 'overdue-2026-11-27.csv',
        contentType: expect.stringMatching(/^text\/csv/),
        size: expect.any(Number),
      },
    ]);
  });

  it('real send through local SES: one message, one-line subject, safe HTML, neutralised CSV', async () => {
    const want = expectedDigest();
    const result = (await handler({ job: 'digest', scheduledTime: SCHEDULED })) as DigestResult;
    expect(result.dryRun).toBe(false);
    expect(result.overdue.caseIds).toEqual(want.overdue);

    const mail = await ses.emails();
    expect(mail).toHaveLength(1);
    const [m] = mail;
    if (!m) throw new Error('no mail');
    expect(m.destination.to).toEqual(['managers@example.com']);
    expect(oneLine(m.subject)).toBe(true);
    expect(htmlProblems(m.body.html ?? '')).toEqual([]);
    expect(textProblems(m.body.text ?? '')).toEqual([]);
    expect(visible(m.body.html ?? '')).toContain(ESCAPED_IMG);
    expect(phoneLeaks(m.body.html ?? '', PHONES)).toEqual([]);
    expect(phoneLeaks(m.body.text ?? '', PHONES)).toEqual([]);

    expect(m.attachments).toHaveLength(1);
    const csvText = Buffer.from(m.attachments[0]?.content ?? '', 'base64').toString('utf8');
    expect(phoneLeaks(csvText, PHONES)).toEqual([]);
    const [header, ...rows] = parseCsv(csvText);
    expect(header?.[0]).toBe('caseNo');
    const idCol = header?.indexOf('id') ?? -1;
    const titleCol = header?.indexOf('title') ?? -1;
    const phoneCol = header?.indexOf('contactPhone') ?? -1;
    expect(idCol).toBeGreaterThanOrEqual(0);
    // Every overdue case, exactly once (a formula id comes back without its neutralising quote).
    const unquote = (cell: string | undefined) =>
      cell?.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
    expect(rows.map((r) => unquote(r[idCol])).sort()).toEqual(want.overdue);
    expect(rows.every((r) => r.length === header?.length)).toBe(true);

    const formulaCells = rows.flatMap((r, i) =>
      r.filter((cell) => FORMULA_START.test(cell)).map((cell) => `row ${i + 1}: ${JSON.stringify(cell)}`),
    );
    expect(formulaCells, 'cells a spreadsheet would evaluate').toEqual([]);
    // The formula titles are kept, prefixed with a quote (showcase cases are all overdue).
    const titles = rows.map((r) => r[titleCol]);
    for (const formula of FORMULA_VALUES) expect(titles).toContain(`'${formula}`);
    for (const r of rows) expect(r[phoneCol]).toMatch(/^(•••• \d{4}|••••)?$/);
    // Formula ids are kept whole behind the quote, in the id and caseNo columns.
    const ids = rows.map((r) => r[idCol]);
    for (const id of HOSTILE_IDS.filter((x) => FORMULA_START.test(x))) expect(ids).toContain(`'${id}`);
    expect(result.overdue.caseIds).toEqual(expect.arrayContaining(HOSTILE_IDS));
  });

  it('hostile filters from the event: one-line subject, escaped in the HTML', async () => {
    const title = `${HOSTILE.script}\r\nBcc: attacker@example.net \u202Eevil`;
    const result = (await handler({
      job: 'digest',
      scheduledTime: SCHEDULED,
      dryRun: true,
      filters: { title, ownerId: '<b onmouseover=x>', status: '=cmd|x' },
    })) as DigestResult;
    const email = result.emails[0];
    if (!email?.html) throw new Error('no rendered email');
    expect(oneLine(email.subject)).toBe(true);
    expect(email.subject).not.toMatch(BIDI);
    expect(htmlProblems(email.html)).toEqual([]);
    expect(visible(email.html)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(visible(email.html)).toContain('&lt;b onmouseover&#x3D;x&gt;');
    // Server-side title filter (substring): the independent count of what matches.
    const want = data.cases.filter(
      (c) =>
        createdIn(c, `${DAY} 00:00:00`, `${DAY} 23:59:59`) &&
        typeof c.title === 'string' &&
        c.title.includes(title) &&
        c.ownerId === '<b onmouseover=x>' &&
        c.status === '=cmd|x',
    );
    expect(result.total).toBe(want.length);
  });

  it('overdue alert dry run: exact cases, safe HTML, one-line subject, masked phones', async () => {
    const want = alertedIds(data.cases, {
      lookbackFrom: ALERT_LOOKBACK_FROM_LOCAL,
      atLocal: ALERT_AT_LOCAL,
      intervalMinutes: 60,
      repeatHours: 24,
    });
    expect(want.length).toBeGreaterThanOrEqual(data.showcaseIds.length);
    const result = (await handler({ job: 'overdue-alert', at: ALERT_AT, dryRun: true })) as AlertResult;
    expect(result.alerted.caseIds).toEqual(want);
    expect(result.alerted.count).toBe(want.length);
    const email = result.emails[0];
    if (!email?.html || email.text === undefined) throw new Error('no rendered alert');
    expect(email.subject).toMatch(/^\[Overdue\] [\d,]+ Critical cases? past due$/);
    expect(htmlProblems(email.html)).toEqual([]);
    expect(visible(email.html)).toContain(ESCAPED_IMG);
    expect(visible(email.html)).toContain(ESCAPED_SCRIPT);
    expect(textProblems(email.text)).toEqual([]);
    for (const text of [email.html, email.text, JSON.stringify(result)])
      expect(phoneLeaks(text, PHONES)).toEqual([]);
    expect(await ses.emails()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Random Unicode through the renderers.

/**
 * Appended to every data string: a private-use character the templates never contain. The raw
 * string followed by it can only appear in the HTML if the string was inserted unescaped (an
 * escaped string has no "<" at all), so a coincidence with template markup cannot fool the check.
 */
const SENTINEL = '\uE000';

const INJECTIONS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '<iframe src=//evil.example>',
  '</td></tr></table><script>',
  '<a href="javascript:alert(1)">x</a>',
  '<!--',
  '<',
  '"><b onmouseover=alert(1)>',
];

const unicode = (maxLength: number) =>
  fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme', maxLength }));

const dataString: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: unicode(40) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(unicode(20), fc.constantFrom(...INJECTIONS), unicode(20))
        .map(([a, b, c]) => a + b + c),
    },
    {
      weight: 2,
      arbitrary: fc.string({
        unit: fc.constantFrom(
          '<',
          '>',
          '&',
          '"',
          "'",
          '`',
          '=',
          '\u202E',
          '\u2066',
          '\r',
          '\n',
          '\t',
          'x',
          '😀',
        ),
        maxLength: 300,
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1_000, max: 12_000 }), fc.constantFrom('<&"', 'A', '😀', 'é\u0301'))
        .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
    },
  )
  .map((s) => s + SENTINEL);

const caseViewArb: fc.Arbitrary<OverdueCaseView> = fc
  .record({
    id: dataString,
    caseNo: dataString,
    title: dataString,
    priority: dataString,
    origin: dataString,
    state: dataString,
    ownerId: dataString,
    contactPhone: dataString,
    overdueMinutes: fc.integer({ min: 0, max: 100_000 }),
  })
  .map(({ overdueMinutes, ...c }) => {
    const asOf = Date.UTC(2026, 10, 27, 2);
    const dueAt = new Date(asOf - overdueMinutes * 60_000);
    return { ...c, dueAt, createdAt: null, overdueMs: overdueMinutes * 60_000, url: null };
  });

const countsArb = fc.array(fc.tuple(dataString, fc.integer({ min: 1, max: 1_000_000 })), { maxLength: 40 });

const digestViewArb: fc.Arbitrary<DigestView> = fc
  .record({
    overdue: fc.array(caseViewArb, { maxLength: 70 }),
    byPriority: countsArb,
    byOrigin: countsArb,
    byState: countsArb,
    filters: fc.array(fc.tuple(dataString, dataString), { maxLength: 14 }),
    warnings: fc.array(dataString, { maxLength: 8 }),
    total: fc.nat(1_000_000),
    previousTotal: fc.nat(1_000_000),
  })
  .map((v) => ({
    asOf: new Date('2026-11-27T02:00:00Z'),
    generatedAt: new Date('2026-11-27T02:00:05Z'),
    reportTimezone: ZONE,
    periodLabel: DAY,
    window: { from: `${DAY} 00:00:00`, to: `${DAY} 23:59:59`, timezone: ZONE },
    filters: Object.fromEntries(v.filters),
    total: v.total,
    previousTotal: v.previousTotal,
    byPriority: Object.fromEntries(v.byPriority),
    byOrigin: Object.fromEntries(v.byOrigin),
    byState: Object.fromEntries(v.byState),
    overdue: v.overdue,
    warnings: v.warnings,
  }));

/** Every string of a view that came from "data". */
function dataStrings(view: DigestView | AlertView): string[] {
  const cases = 'overdue' in view ? view.overdue : view.cases;
  const out = cases.flatMap((c) => [
    c.id,
    c.caseNo,
    c.title,
    c.priority,
    c.origin,
    c.state,
    c.ownerId,
    c.contactPhone,
  ]);
  out.push(...view.warnings);
  if ('overdue' in view) {
    out.push(...Object.entries(view.filters).flat());
    for (const r of [view.byPriority, view.byOrigin, view.byState]) out.push(...Object.keys(r));
  }
  return out;
}

function renderProblems(view: DigestView | AlertView, email: { subject: string; html: string }): string[] {
  const problems = htmlProblems(email.html);
  if (!oneLine(email.subject)) problems.push(`subject spans lines: ${JSON.stringify(email.subject)}`);
  if (BIDI.test(email.subject)) problems.push('bidi control in subject');
  for (const s of dataStrings(view))
    if (s.includes('<') && email.html.includes(s))
      problems.push(`raw data in HTML: ${JSON.stringify(s.slice(0, 80))}`);
  return problems;
}

describe('random Unicode as case fields, straight through the renderers', () => {
  it('renderDigest: never the raw string when it has "<", always under 100 KB (300 views)', () => {
    let rows = 0;
    fc.assert(
      fc.property(digestViewArb, (view) => {
        const email = renderDigest(view);
        rows += view.overdue.length;
        const problems = renderProblems(view, email);
        if (problems.length) throw new Error(problems.join('\n'));
      }),
      { numRuns: 300 },
    );
    expect(rows).toBeGreaterThan(1_000);
  });

  it('renderAlert: the same for the on-call alert (150 views)', () => {
    fc.assert(
      fc.property(
        fc.array(caseViewArb, { minLength: 1, maxLength: 70 }),
        fc.array(dataString, { maxLength: 5 }),
        (cases, warnings) => {
          const view: AlertView = {
            asOf: new Date('2026-11-27T02:00:00Z'),
            generatedAt: new Date('2026-11-27T02:00:05Z'),
            reportTimezone: ZONE,
            priorities: ['Critical', 'High'],
            intervalMinutes: 60,
            repeatHours: 24,
            cases,
            warnings,
          };
          const email = renderAlert(view);
          const problems = renderProblems(view, email);
          if (problems.length) throw new Error(problems.join('\n'));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the check itself catches raw markup (a control: an unescaped render fails it)', () => {
    const view: AlertView = {
      asOf: new Date('2026-11-27T02:00:00Z'),
      generatedAt: new Date('2026-11-27T02:00:05Z'),
      reportTimezone: ZONE,
      priorities: ['Critical'],
      intervalMinutes: 60,
      repeatHours: 24,
      cases: [],
      warnings: [`${HOSTILE.img}${SENTINEL}`],
    };
    const fake = { subject: 'x\r\ny', html: `<html><body><p>${HOSTILE.img}${SENTINEL}</p></body></html>` };
    const problems = renderProblems(view, fake);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^raw data in HTML/),
        expect.stringMatching(/^foreign tag <img/),
        expect.stringMatching(/^subject spans lines/),
      ]),
    );
  });
});
