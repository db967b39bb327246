/**
 * Hostile data end to end: the sandbox serves cases whose every field tries to break the email
 * (markup, CRLF, bidi controls, 10,000-character strings, formulas, unknown enums, broken due
 * dates) — overdue, due soon and about to be warned of; the real handler (built with its
 * environment and SDK clients passed in) renders them (dry run) and mails them (local SES). Then a
 * property over random Unicode through the renderers directly.
 *
 * What must hold for every email: the HTML escapes every value and stays under 100 KB, the subject
 * is one line, the CSV cannot run a formula, phones show only their last 4 digits (HTML, text, CSV,
 * results) — in the digest's due-soon and overdue sections and in the alert's two sections alike —
 * and every number equals an independent count of the served cases.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderAlert, renderDigest } from '../../functions/case-digest/email/render.js';
import type {
  AlertView,
  DigestView,
  OverdueCaseView,
  RenderedEmail,
} from '../../functions/case-digest/email/views.js';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import type { AlertResult } from '../../functions/case-digest/jobs/overdue-alert.js';
import { createHandler, type Handler } from '../../functions/case-digest/runtime.js';
import { type LocalSes, startLocalSes } from '../../sandbox/local-ses.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import {
  ageBucketsOf,
  alertedIds,
  attainmentOf,
  buildHostileCases,
  countBy,
  createdIn,
  dueSoonIds,
  ESCAPED_IMG,
  ESCAPED_SCRIPT,
  FORMULA_START,
  FORMULA_VALUES,
  HOSTILE,
  HOSTILE_IDS,
  type HostileSet,
  htmlProblems,
  malformedDueCount,
  overdueIds,
  ownersOf,
  parseCsv,
  phoneFor,
  phoneLeaks,
  textProblems,
  visible,
  warnedIds,
} from '../helpers/hostile-data.js';
import { localAws } from '../helpers/local-aws.js';

// Asia/Dubai (UTC+4, no DST) for the API and the report: 02:00Z on the 27th is 06:00 local.
const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z';
const AS_OF_LOCAL = '2026-11-27 06:00:00';
/** asOf + AT_RISK_HOURS (24). */
const HORIZON_LOCAL = '2026-11-28 06:00:00';
const LOOKBACK_FROM_LOCAL = '2026-10-28 06:00:00';
const DAY = '2026-11-26';
const PREVIOUS_DAY = '2026-11-25';
// The alert check: 08:30 local, when the showcase cases (due 08:00 yesterday) get their first
// reminder; with a 2 h warning, the cases due 10:00 today are warned of (08:00 is in 07:30–08:30].
const ALERT_AT = '2026-11-27T04:30:00Z';
const ALERT_AT_LOCAL = '2026-11-27 08:30:00';
const ALERT_LOOKBACK_FROM_LOCAL = '2026-10-28 08:30:00';
const WARN_HOURS = 2;

const data: HostileSet = buildHostileCases({
  day: DAY,
  previousDay: PREVIOUS_DAY,
  lookbackDay: '2026-11-05',
  beforeLookbackDay: '2026-10-20',
  asOfLocal: AS_OF_LOCAL,
  afterWindowLocal: '2026-11-27 05:00:00',
  warnDueLocal: '2026-11-27 10:00:00',
});
/** Every real phone number served (hostile "phones" have fewer than 6 hidden digits). */
const PHONES = data.cases
  .map((c) => c.contactPhone)
  .filter((p): p is string => typeof p === 'string' && /^[+(0]/.test(p) && p.replace(/\D/g, '').length >= 10);

let sandbox: Sandbox;
let ses: LocalSes;
let handler: Handler;

beforeAll(async () => {
  sandbox = await startSandbox({ cases: data.cases, timezone: ZONE, now: () => new Date(SCHEDULED) });
  ses = await startLocalSes();
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
    },
    aws: localAws({ ses: ses.url }),
    logger: new Logger({ serviceName: 'aicc-case-digest', logLevel: 'SILENT' }),
    clock: () => new Date(SCHEDULED),
  });
});

afterAll(async () => {
  await Promise.all([sandbox?.close(), ses?.close()]);
});

beforeEach(async () => {
  await ses.clear();
});

/** The digest the SPEC asks for, counted from the served records by the oracle. */
function expectedDigest() {
  const inWindow = data.cases.filter((c) => createdIn(c, `${DAY} 00:00:00`, `${DAY} 23:59:59`));
  const overdue = overdueIds(data.cases, LOOKBACK_FROM_LOCAL, AS_OF_LOCAL, AS_OF_LOCAL);
  const overdueSet = new Set(overdue);
  const overdueCases = data.cases.filter((c) => overdueSet.has(String(c.id)));
  return {
    total: inWindow.length,
    previousTotal: data.cases.filter((c) =>
      createdIn(c, `${PREVIOUS_DAY} 00:00:00`, `${PREVIOUS_DAY} 23:59:59`),
    ).length,
    byPriority: countBy(inWindow, 'priority'),
    byOrigin: countBy(inWindow, 'origin'),
    byState: countBy(inWindow, 'state'),
    overdue,
    byAge: ageBucketsOf(overdueCases, AS_OF_LOCAL),
    byOwner: ownersOf(overdueCases),
    atRisk: dueSoonIds(data.cases, {
      lookbackFrom: LOOKBACK_FROM_LOCAL,
      asOfLocal: AS_OF_LOCAL,
      horizonLocal: HORIZON_LOCAL,
    }),
    sla: attainmentOf(inWindow, AS_OF_LOCAL),
    malformedDue: malformedDueCount(data.cases.filter((c) => createdIn(c, LOOKBACK_FROM_LOCAL, AS_OF_LOCAL))),
    inWindowIds: new Set(inWindow.map((c) => c.id)),
  };
}

/** The alert at ALERT_AT with a 2 h warning, counted by the oracle. */
function expectedAlert() {
  const lookback = { lookbackFrom: ALERT_LOOKBACK_FROM_LOCAL, atLocal: ALERT_AT_LOCAL, intervalMinutes: 60 };
  return {
    alerted: alertedIds(data.cases, { ...lookback, repeatHours: 24 }),
    warned: warnedIds(data.cases, { ...lookback, warnHours: WARN_HOURS }),
    malformedDue: malformedDueCount(
      data.cases.filter(
        (c) => c.priority === 'Critical' && createdIn(c, ALERT_LOOKBACK_FROM_LOCAL, ALERT_AT_LOCAL),
      ),
    ),
  };
}

/** The one warning a run over the hostile data has: how many due dates it could not read. */
const malformedWarning = (n: number) =>
  new RegExp(`^${n} cases have a dueDate that is not a valid YYYY-MM-DD HH:mm:ss date`);

const sortedEntries = (r: Record<string, number> | Map<string, number>) =>
  [...(r instanceof Map ? r : Object.entries(r))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const oneLine = (subject: string) => !/[\r\n\u2028\u2029]/.test(subject);
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

/** The text between two headings of a rendered part (a section of the email). */
function between(text: string, start: RegExp, end: RegExp | null): string {
  const from = text.search(start);
  expect(from, `section ${start} present`).toBeGreaterThanOrEqual(0);
  const rest = text.slice(from);
  const to = end ? rest.search(end) : -1;
  return to < 0 ? rest : rest.slice(0, to);
}

/** A CSV attachment's rows as objects by header, and the header itself. */
function csvRows(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header = [], ...rows] = parseCsv(text);
  expect(
    rows.every((r) => r.length === header.length),
    'every row as wide as the header',
  ).toBe(true);
  return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** A formula id or value comes back from the CSV without its neutralising quote. */
const unquote = (cell: string | undefined) =>
  cell?.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;

/** Problems of a CSV: a cell a spreadsheet would evaluate, a phone not masked to its last 4 digits. */
function csvProblems(rows: readonly Record<string, string>[]): string[] {
  const problems: string[] = [];
  for (const [i, r] of rows.entries()) {
    for (const [column, cell] of Object.entries(r))
      if (FORMULA_START.test(cell))
        problems.push(`row ${i + 1} ${column}: formula ${JSON.stringify(cell.slice(0, 40))}`);
    if (!/^(•••• \d{4}|••••)?$/.test(r.contactPhone ?? ''))
      problems.push(`row ${i + 1}: phone ${r.contactPhone}`);
  }
  return problems;
}

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
    expect(result.overdue.byAge).toEqual(want.byAge);
    expect(sortedEntries(result.overdue.byOwner)).toEqual(sortedEntries(want.byOwner));
    expect(result.atRisk).toEqual({ count: want.atRisk.length, caseIds: want.atRisk });
    expect(result.sla).toEqual(want.sla);
    // Broken due dates are never silent: one warning, with the count.
    expect(want.malformedDue).toBeGreaterThan(30);
    expect(result.warnings).toEqual([expect.stringMatching(malformedWarning(want.malformedDue))]);

    // The data is as hostile as intended: hundreds of priorities, more than one page of overdue
    // cases, more due soon than the due-soon table shows, owners named like prototypes.
    expect(Object.keys(result.byPriority).length).toBeGreaterThan(300);
    expect(want.overdue.length).toBeGreaterThan(50);
    expect(want.atRisk.length).toBeGreaterThan(20);
    expect(want.atRisk).toEqual(expect.arrayContaining([...data.dueSoonIds, ...data.warnIds]));
    expect(want.byOwner.get('__proto__')).toBeGreaterThan(0);

    // Malformed or absent due dates: counted in totals and buckets, never overdue or due soon.
    const malformedInWindow = data.malformedDueIds.filter((id) => want.inWindowIds.has(id));
    expect(malformedInWindow.length).toBeGreaterThan(30);
    expect(
      [...result.overdue.caseIds, ...result.atRisk.caseIds].filter((id) => data.malformedDueIds.includes(id)),
    ).toEqual([]);
    const bucketed = Object.values(result.byState).reduce((a, n) => a + n, 0);
    expect(bucketed).toBe(result.total);
    expect(Object.values(result.byPriority).reduce((a, n) => a + n, 0)).toBe(result.total);
    expect(Object.values(result.byOrigin).reduce((a, n) => a + n, 0)).toBe(result.total);
    expect(Object.values(result.overdue.byAge).reduce((a, n) => a + n, 0)).toBe(result.overdue.count);
    expect(Object.values(result.overdue.byOwner).reduce((a, n) => a + n, 0)).toBe(result.overdue.count);

    // A leaked `__proto__` would have closed this case; its own fields say open and overdue.
    expect(result.overdue.caseIds).toContain('proto-carrier');
  });

  it('dry-run digest: the email renders, stays under 100 KB and escapes everything, the due-soon section too', async () => {
    const result = (await handler({ job: 'digest', scheduledTime: SCHEDULED, dryRun: true })) as DigestResult;
    const email = result.emails[0];
    expect(result.emails).toHaveLength(1);
    if (!email?.html || email.text === undefined) throw new Error('dry run returned no rendered email');

    expect(htmlProblems(email.html)).toEqual([]);
    expect(Buffer.byteLength(email.html, 'utf8')).toBeLessThan(100_000);
    // The payloads are there, escaped — not dropped — in the overdue table and in the due-soon one.
    const html = visible(email.html);
    expect(html).toContain(ESCAPED_IMG);
    expect(html).toContain(ESCAPED_SCRIPT);
    expect(html).toMatch(/and [\d,]+ more/);
    const dueSoonHtml = between(html, />Due in the next 24 h</, />Overdue open cases</);
    expect(dueSoonHtml).toContain(ESCAPED_IMG);
    expect(dueSoonHtml).toContain(ESCAPED_SCRIPT);
    expect(dueSoonHtml).toMatch(/and [\d,]+ more/);

    expect(oneLine(email.subject)).toBe(true);
    expect(email.subject).not.toMatch(BIDI);
    expect(email.subject).toBe(`Case digest ${DAY}: ${result.total} new, ${result.overdue.count} overdue`);

    expect(textProblems(email.text)).toEqual([]);
    expect(email.text).toContain(String(result.total));
    const dueSoonText = between(email.text, /Due in the next 24 h \(/, /Overdue open cases \(/);
    expect(dueSoonText).toContain(`(${result.atRisk.count})`);

    for (const part of [email.html, email.text, dueSoonHtml, dueSoonText, JSON.stringify(result)])
      expect(phoneLeaks(part, PHONES)).toEqual([]);
    // Masked forms are shown: the showcase's first phone, and a due-soon case's, by their last 4 digits.
    expect(html).toContain(`•••• ${phoneFor(0).replace(/\D/g, '').slice(-4)}`);
    expect(dueSoonHtml).toContain(`•••• ${phoneFor(200).replace(/\D/g, '').slice(-4)}`);

    expect(email.attachments).toEqual([
      {
        filename: 'overdue-2026-11-27.csv',
        contentType: expect.stringMatching(/^text\/csv/),
        size: expect.any(Number),
      },
    ]);
  });

  it('real send through local SES: one message, one-line subject, safe HTML, a neutralised CSV with both sections', async () => {
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
    const { header, rows } = csvRows(csvText);
    expect(header.slice(0, 3)).toEqual(['section', 'caseNo', 'id']);
    expect(csvProblems(rows), 'cells a spreadsheet would evaluate, phones unmasked').toEqual([]);
    // Every overdue case and every case due soon, exactly once, in its section.
    const idsOf = (section: string) =>
      rows
        .filter((r) => r.section === section)
        .map((r) => unquote(r.id))
        .sort();
    expect(idsOf('overdue')).toEqual(want.overdue);
    expect(idsOf('due-soon')).toEqual(want.atRisk);
    expect(rows).toHaveLength(want.overdue.length + want.atRisk.length);

    // The formula titles are kept, prefixed with a quote, in both sections.
    for (const section of ['overdue', 'due-soon']) {
      const titles = rows.filter((r) => r.section === section).map((r) => r.title);
      for (const formula of FORMULA_VALUES) expect(titles, section).toContain(`'${formula}`);
    }
    // Formula ids are kept whole behind the quote, in the id and caseNo columns.
    const ids = rows.map((r) => r.id);
    for (const id of HOSTILE_IDS.filter((x) => FORMULA_START.test(x))) expect(ids).toContain(`'${id}`);
    expect(result.overdue.caseIds).toEqual(expect.arrayContaining(HOSTILE_IDS));
  });

  it('hostile filters from the event: one-line subject, escaped in the HTML, numbers as the server-side filter counts them', async () => {
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

  it('overdue alert dry run with a 2 h warning: exact cases in both sections, safe HTML, one-line subject, masked phones', async () => {
    const want = expectedAlert();
    expect(want.alerted.length).toBeGreaterThanOrEqual(data.showcaseIds.length);
    expect(want.warned).toEqual(data.warnIds.slice().sort());
    const result = (await handler({
      job: 'overdue-alert',
      at: ALERT_AT,
      warnHours: WARN_HOURS,
      dryRun: true,
    })) as AlertResult;
    expect(result.alerted).toEqual({ count: want.alerted.length, caseIds: want.alerted });
    expect(result.warned).toEqual({ count: want.warned.length, caseIds: want.warned });
    expect(result.warnings).toEqual([expect.stringMatching(malformedWarning(want.malformedDue))]);
    const email = result.emails[0];
    if (!email?.html || email.text === undefined) throw new Error('no rendered alert');
    expect(email.subject).toMatch(
      new RegExp(
        `^\\[Overdue\\] ${want.alerted.length} Critical cases past due · ${want.warned.length} Critical cases due within 2 h$`,
      ),
    );
    expect(oneLine(email.subject)).toBe(true);
    expect(htmlProblems(email.html)).toEqual([]);
    expect(Buffer.byteLength(email.html, 'utf8')).toBeLessThan(100_000);
    expect(textProblems(email.text)).toEqual([]);
    // Both sections show the payloads, escaped (the alert's tables show no phone column at all).
    const html = visible(email.html);
    const overdueHtml = between(html, />Overdue</, />Due soon \(within 2 h\)</);
    const dueSoonHtml = between(html, />Due soon \(within 2 h\)</, null);
    const overdueText = between(email.text, /^Overdue \(/m, /^Due soon, within 2 h \(/m);
    const dueSoonText = between(email.text, /^Due soon, within 2 h \(/m, null);
    for (const section of [overdueHtml, dueSoonHtml]) {
      expect(section).toContain(ESCAPED_IMG);
      expect(section).toContain(ESCAPED_SCRIPT);
    }
    expect(dueSoonText).toContain(`(${want.warned.length})`);
    expect(overdueText).toContain(`(${want.alerted.length})`);
    for (const text of [email.html, email.text, JSON.stringify(result)])
      expect(phoneLeaks(text, PHONES)).toEqual([]);
    expect(email.attachments).toEqual([
      {
        filename: 'overdue-2026-11-27.csv',
        contentType: expect.stringMatching(/^text\/csv/),
        size: expect.any(Number),
      },
    ]);
    expect(await ses.emails()).toEqual([]);
  });

  it('overdue alert sent through local SES: a neutralised, masked CSV with both sections, each case once', async () => {
    const want = expectedAlert();
    const result = (await handler({
      job: 'overdue-alert',
      at: ALERT_AT,
      warnHours: WARN_HOURS,
    })) as AlertResult;
    expect(result.emails.map((e) => e.status)).toEqual(['sent']);

    const [m, ...more] = await ses.emails();
    expect(more).toEqual([]);
    if (!m) throw new Error('no mail');
    expect(m.destination.to).toEqual(['on-call@example.com']);
    expect(oneLine(m.subject)).toBe(true);
    expect(htmlProblems(m.body.html ?? '')).toEqual([]);
    expect(textProblems(m.body.text ?? '')).toEqual([]);
    const csvText = Buffer.from(m.attachments[0]?.content ?? '', 'base64').toString('utf8');
    for (const part of [m.body.html ?? '', m.body.text ?? '', csvText])
      expect(phoneLeaks(part, PHONES)).toEqual([]);
    const { rows } = csvRows(csvText);
    expect(csvProblems(rows)).toEqual([]);
    const idsOf = (section: string) =>
      rows
        .filter((r) => r.section === section)
        .map((r) => unquote(r.id))
        .sort();
    expect(idsOf('overdue')).toEqual(want.alerted);
    expect(idsOf('due-soon')).toEqual(want.warned);
    expect(rows).toHaveLength(want.alerted.length + want.warned.length);
    for (const formula of FORMULA_VALUES)
      expect(rows.filter((r) => r.section === 'due-soon').map((r) => r.title)).toContain(`'${formula}`);
  });

  it('hostile alert filters (the alert takes filters, but not priority): one-line subject, escaped', async () => {
    const result = (await handler({
      job: 'overdue-alert',
      at: ALERT_AT,
      warnHours: WARN_HOURS,
      dryRun: true,
      filters: { title: HOSTILE.img, ownerId: '<b onmouseover=x>', extended: { queueId: HOSTILE.script } },
    })) as AlertResult;
    // Nothing matches every filter: nothing to alert, nothing rendered, nothing sent.
    expect(result.alerted.count + result.warned.count).toBe(0);
    expect(result.emails).toEqual([]);
    const titled = (await handler({
      job: 'overdue-alert',
      at: ALERT_AT,
      warnHours: WARN_HOURS,
      dryRun: true,
      filters: { title: HOSTILE.img },
    })) as AlertResult;
    const want = [
      ...alertedIds(
        data.cases.filter((c) => typeof c.title === 'string' && c.title.includes(HOSTILE.img)),
        {
          lookbackFrom: ALERT_LOOKBACK_FROM_LOCAL,
          atLocal: ALERT_AT_LOCAL,
          intervalMinutes: 60,
          repeatHours: 24,
        },
      ),
    ];
    expect(titled.alerted.caseIds).toEqual(want);
    const email = titled.emails[0];
    if (!email?.html) throw new Error('no rendered alert');
    expect(oneLine(email.subject)).toBe(true);
    expect(htmlProblems(email.html)).toEqual([]);
    expect(visible(email.html)).toContain(ESCAPED_IMG);
    expect(phoneLeaks(email.html, PHONES)).toEqual([]);
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

/** Real phone numbers in several spellings: views should hold them masked, the renderers mask them again. */
const PROPERTY_PHONES = Array.from({ length: 12 }, (_, i) => phoneFor(900 + i));

/** A case field that came from the API: random data, or now and then a real phone number. */
const phoneField: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: dataString },
  { weight: 1, arbitrary: fc.constantFrom(...PROPERTY_PHONES) },
);

const ASOF = Date.UTC(2026, 10, 27, 2);

/** A case `minutes` from due: overdue (past due) or due soon (not yet due). */
const caseViewArb = (kind: 'overdue' | 'due-soon'): fc.Arbitrary<OverdueCaseView> =>
  fc
    .record({
      id: dataString,
      caseNo: dataString,
      title: dataString,
      priority: dataString,
      origin: dataString,
      state: dataString,
      ownerId: dataString,
      contactPhone: phoneField,
      minutes: fc.integer({ min: kind === 'overdue' ? 0 : 1, max: 100_000 }),
    })
    .map(({ minutes, ...c }) => {
      const dueAt = new Date(kind === 'overdue' ? ASOF - minutes * 60_000 : ASOF + minutes * 60_000);
      return {
        ...c,
        dueAt,
        createdAt: null,
        overdueMs: kind === 'overdue' ? minutes * 60_000 : 0,
        url: null,
      };
    });

const countsArb = fc.array(fc.tuple(dataString, fc.integer({ min: 1, max: 1_000_000 })), { maxLength: 40 });

/** The age buckets of `overdue`, counted here: < 24 h, < 72 h, < 168 h, the rest. */
function ageBuckets(overdue: readonly OverdueCaseView[]): DigestView['overdueByAge'] {
  const out = { '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 };
  for (const c of overdue) {
    const h = c.overdueMs / 3_600_000;
    out[h < 24 ? '<1d' : h < 72 ? '1-3d' : h < 168 ? '3-7d' : '>7d']++;
  }
  return out;
}

const digestViewArb: fc.Arbitrary<DigestView> = fc
  .record({
    overdue: fc.array(caseViewArb('overdue'), { maxLength: 70 }),
    atRisk: fc.array(caseViewArb('due-soon'), { maxLength: 30 }),
    atRiskHours: fc.integer({ min: 1, max: 8784 }),
    owners: countsArb,
    sla: fc.record({
      met: fc.nat(100_000),
      missed: fc.nat(100_000),
      pending: fc.nat(100_000),
      unknown: fc.nat(100_000),
    }),
    byPriority: countsArb,
    byOrigin: countsArb,
    byState: countsArb,
    filters: fc.array(fc.tuple(dataString, dataString), { maxLength: 14 }),
    warnings: fc.array(dataString, { maxLength: 8 }),
    total: fc.nat(1_000_000),
    previousTotal: fc.nat(1_000_000),
  })
  .map((v) => ({
    asOf: new Date(ASOF),
    generatedAt: new Date(ASOF + 5_000),
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
    overdueByAge: ageBuckets(v.overdue),
    overdueByOwner: Object.fromEntries(v.owners),
    atRisk: v.atRisk,
    atRiskHours: v.atRiskHours,
    sla: v.sla,
    warnings: v.warnings,
  }));

const alertViewArb: fc.Arbitrary<AlertView> = fc
  .record({
    cases: fc.array(caseViewArb('overdue'), { maxLength: 70 }),
    warned: fc.array(caseViewArb('due-soon'), { maxLength: 40 }),
    warnHours: fc.integer({ min: 1, max: 8784 }),
    warnings: fc.array(dataString, { maxLength: 5 }),
  })
  .filter((v) => v.cases.length + v.warned.length > 0)
  .map((v) => ({
    asOf: new Date(ASOF),
    generatedAt: new Date(ASOF + 5_000),
    reportTimezone: ZONE,
    priorities: ['Critical', 'High'],
    intervalMinutes: 60,
    repeatHours: 24,
    ...v,
  }));

/** Every string of a view that came from "data". */
function dataStrings(view: DigestView | AlertView): string[] {
  const cases = 'overdue' in view ? [...view.overdue, ...view.atRisk] : [...view.cases, ...view.warned];
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
    out.push(...Object.entries(view.filters).flat(), ...Object.keys(view.overdueByOwner));
    for (const r of [view.byPriority, view.byOrigin, view.byState]) out.push(...Object.keys(r));
  }
  return out;
}

/**
 * What must hold for any rendered email: the HTML checks, a one-line subject without bidi
 * controls, no raw data string in the HTML, phones masked in every part, and a CSV that cannot run
 * a formula, masks phones, and lists each case of each section once.
 */
function renderProblems(view: DigestView | AlertView, email: RenderedEmail): string[] {
  const problems = htmlProblems(email.html);
  if (!oneLine(email.subject)) problems.push(`subject spans lines: ${JSON.stringify(email.subject)}`);
  if (BIDI.test(email.subject)) problems.push('bidi control in subject');
  for (const s of dataStrings(view))
    if (s.includes('<') && email.html.includes(s))
      problems.push(`raw data in HTML: ${JSON.stringify(s.slice(0, 80))}`);
  const [overdue, dueSoon] = 'overdue' in view ? [view.overdue, view.atRisk] : [view.cases, view.warned];
  const attachment = email.attachments[0];
  if (overdue.length + dueSoon.length > 0 && !attachment) problems.push('no CSV attachment');
  const csv = attachment ? new TextDecoder().decode(attachment.content) : '';
  for (const [part, text] of [
    ['HTML', email.html],
    ['text', email.text],
    ['CSV', csv],
    ['subject', email.subject],
  ] as const)
    for (const leak of phoneLeaks(text, PROPERTY_PHONES)) problems.push(`${part}: ${leak}`);
  if (attachment) {
    const [header = [], ...rows] = parseCsv(csv);
    const column = (name: string) => header.indexOf(name);
    for (const [i, r] of rows.entries()) {
      const formula = r.find((cell) => FORMULA_START.test(cell));
      if (formula !== undefined)
        problems.push(`CSV row ${i + 1}: formula ${JSON.stringify(formula.slice(0, 40))}`);
      const phone = r[column('contactPhone')] ?? '';
      if (!/^(•••• \d{4}|••••)?$/.test(phone))
        problems.push(`CSV row ${i + 1}: phone ${JSON.stringify(phone)}`);
    }
    // The sections counted here, independently of the renderer: one row per case, in its section.
    const sections = rows.map((r) => r[column('section')]);
    const count = (s: string) => sections.filter((x) => x === s).length;
    if (
      count('overdue') !== overdue.length ||
      count('due-soon') !== dueSoon.length ||
      rows.length !== sections.length
    )
      problems.push(
        `CSV rows: ${count('overdue')} overdue, ${count('due-soon')} due soon, for ${overdue.length} and ${dueSoon.length} cases`,
      );
  }
  return problems;
}

describe('random Unicode as case fields, straight through the renderers', () => {
  it('renderDigest: never the raw string when it has "<", always under 100 KB, phones masked, CSV safe — both tables (300 views)', () => {
    let rows = 0;
    fc.assert(
      fc.property(digestViewArb, (view) => {
        const email = renderDigest(view);
        rows += view.overdue.length + view.atRisk.length;
        const problems = renderProblems(view, email);
        if (problems.length) throw new Error(problems.join('\n'));
      }),
      { numRuns: 300 },
    );
    expect(rows).toBeGreaterThan(1_500);
  });

  it('renderAlert: the same for the on-call alert, overdue and due-soon sections (150 views)', () => {
    let warned = 0;
    fc.assert(
      fc.property(alertViewArb, (view) => {
        const email = renderAlert(view);
        warned += view.warned.length;
        const problems = renderProblems(view, email);
        if (problems.length) throw new Error(problems.join('\n'));
      }),
      { numRuns: 150 },
    );
    expect(warned).toBeGreaterThan(500);
  });

  it('the check itself catches raw markup, raw phones and live formulas (a control: an unsafe render fails it)', () => {
    const view: AlertView = {
      asOf: new Date(ASOF),
      generatedAt: new Date(ASOF + 5_000),
      reportTimezone: ZONE,
      priorities: ['Critical'],
      intervalMinutes: 60,
      repeatHours: 24,
      warnHours: 2,
      cases: [],
      warned: [],
      warnings: [`${HOSTILE.img}${SENTINEL}`],
    };
    const phone = PROPERTY_PHONES[0] as string;
    const csv = `section,caseNo,id,contactPhone\r\noverdue,=1+1,x,${phone}\r\n`;
    const fake: RenderedEmail = {
      subject: 'x\r\ny',
      html: `<html><body><p>${HOSTILE.img}${SENTINEL}</p></body></html>`,
      text: `call ${phone}`,
      attachments: [{ filename: 'x.csv', contentType: 'text/csv', content: new TextEncoder().encode(csv) }],
    };
    const problems = renderProblems(view, fake);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^raw data in HTML/),
        expect.stringMatching(/^foreign tag <img/),
        expect.stringMatching(/^subject spans lines/),
        expect.stringMatching(/^text: raw phone/),
        expect.stringMatching(/^CSV row 1: formula/),
        expect.stringMatching(/^CSV row 1: phone/),
        expect.stringMatching(/^CSV rows: 1 overdue/),
      ]),
    );
  });
});
