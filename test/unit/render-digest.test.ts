import { describe, expect, it } from 'vitest';
import type { AiccClient } from '../../functions/case-digest/aicc/client.js';
import { loadConfig } from '../../functions/case-digest/config.js';
import { renderDigest } from '../../functions/case-digest/email/render.js';
import type { DigestView, OverdueCaseView, RenderedEmail } from '../../functions/case-digest/email/views.js';
import { parseEvent } from '../../functions/case-digest/events.js';
import type { JobDeps } from '../../functions/case-digest/jobs/deps.js';
import { runDigest } from '../../functions/case-digest/jobs/digest.js';
import {
  overdueCase as baseCase,
  digestView as baseDigestView,
  dueSoonCase,
  HOUR,
} from '../helpers/views.js';
import { wallClock } from '../helpers/zones.js';

/** Overdue by 3 d 4 h (and `i` minutes), without a deep link unless the test gives one. */
const overdueCase = (i: number, over: Partial<OverdueCaseView> = {}): OverdueCaseView =>
  baseCase(i, { overdueMs: (3 * 24 + 4) * HOUR + i * 60_000, url: null, ...over });

/** The helper's digest with nothing due soon: the overdue-table tests count rows, links and CSV lines. */
const digestView = (over: Partial<DigestView> = {}): DigestView =>
  baseDigestView({
    generatedAt: new Date('2026-11-27T02:00:05Z'),
    overdue: [overdueCase(0), overdueCase(1), overdueCase(2)],
    atRisk: [],
    ...over,
  });

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** The HTML as a reader sees its text: without the zero-width wrap points, no-break spaces as spaces. */
const visible = (html: string) => html.replace(/\u200B/g, '').replace(/\u00A0/g, ' ');
const csvText = (email: RenderedEmail) => new TextDecoder().decode(email.attachments[0]?.content);
const many = (n: number, over: (i: number) => Partial<OverdueCaseView> = () => ({})) =>
  Array.from({ length: n }, (_, i) => overdueCase(i, over(i)));

describe('renderDigest: subject and headline', () => {
  it('names the period and the headline numbers', () => {
    const email = renderDigest(digestView());
    expect(email.subject).toBe('Case digest 2026-11-26: 284 new, 3 overdue');
  });

  it('appends the applied filters to the subject', () => {
    expect(renderDigest(digestView({ filters: { priority: 'Critical' } })).subject).toBe(
      'Case digest 2026-11-26: 284 new, 3 overdue [priority=Critical]',
    );
    expect(renderDigest(digestView({ filters: { priority: 'Critical', origin: 'Email' } })).subject).toBe(
      'Case digest 2026-11-26: 284 new, 3 overdue [priority=Critical, origin=Email]',
    );
  });

  it('writes large numbers with thousands separators', () => {
    const email = renderDigest(digestView({ total: 100_000, previousTotal: 98_500 }));
    expect(email.subject).toContain('100,000 new');
    expect(email.html).toContain('100,000');
    expect(email.text).toContain('+1,500 (+1.5%)');
  });

  it('shows the day-over-day change with its sign and percentage', () => {
    const up = renderDigest(digestView({ total: 284, previousTotal: 251 }));
    expect(up.html).toContain('+33 (+13.1%)');
    expect(up.text).toContain('+33 (+13.1%)');
    const down = renderDigest(digestView({ total: 239, previousTotal: 251 }));
    expect(down.html).toContain('\u221212 (\u22124.8%)');
    expect(down.text).toContain('\u221212 (\u22124.8%)');
    const flat = renderDigest(digestView({ total: 251, previousTotal: 251 }));
    expect(flat.text).toContain('change: 0 (±0.0%)');
  });

  it('says n/a for the change when the previous period had no cases', () => {
    const email = renderDigest(digestView({ total: 10, previousTotal: 0 }));
    expect(email.text).toContain('change: n/a');
    expect(email.html).toMatch(/>n\/a</);
  });

  it('puts the headline on the first lines of the text part', () => {
    const lines = renderDigest(digestView({ atRisk: [dueSoonCase(0), dueSoonCase(1)] })).text.split('\n');
    expect(lines[0]).toBe('Case digest 2026-11-26: 284 new, 3 overdue');
    expect(lines[1]).toBe('New cases: 284 (previous period: 251; change: +33 (+13.1%))');
    expect(lines[2]).toBe('Due dates met: 90.0% (90 met, 10 missed, 30 not yet due, 2 unknown)');
    expect(lines[3]).toBe('Overdue open cases: 3');
    expect(lines[4]).toBe('Due in the next 24 h: 2');
  });
});

describe('renderDigest: report details', () => {
  it('shows the window, its time zone and the filters', () => {
    const email = renderDigest(digestView({ filters: { priority: 'Critical', ownerId: 'agent7' } }));
    for (const part of [email.html, email.text]) {
      expect(part).toContain('2026-11-26 00:00:00 – 2026-11-26 23:59:59 (Asia/Dubai)');
      expect(part).toMatch(/priority ?= ?Critical, ownerId ?= ?agent7/);
    }
  });

  it('says "none" when no filter is applied', () => {
    const email = renderDigest(digestView());
    expect(email.html).toMatch(/Filters<\/th>\s*<td[^>]*>none<\/td>/);
    expect(email.text).toContain('Filters: none');
  });

  it('says when and how it was generated, in the report zone', () => {
    const email = renderDigest(digestView({ trigger: 'scheduled' }));
    const footer = 'Generated 2026-11-27 06:00 (Asia/Dubai) by aicc-case-digest, scheduled digest.';
    expect(email.html).toContain(footer);
    expect(email.text).toContain(footer);
  });

  it('calls an ad-hoc run an ad-hoc report, not a scheduled digest', () => {
    const email = renderDigest(digestView({ trigger: 'ad-hoc' }));
    const footer = 'Generated 2026-11-27 06:00 (Asia/Dubai) by aicc-case-digest, ad-hoc report.';
    expect(email.html).toContain(footer);
    expect(email.text).toContain(footer);
    expect(email.html + email.text).not.toContain('scheduled digest');
  });

  it('shows warnings visibly', () => {
    const warning = 'AICC reported 290 cases but 284 unique cases arrived.';
    const email = renderDigest(digestView({ warnings: [warning] }));
    expect(email.html).toContain('Warnings');
    expect(email.html).toContain(warning);
    expect(email.text).toContain(`- ${warning}`);
    expect(renderDigest(digestView()).html).not.toContain('Warnings');
  });

  it('lists at most 5 warnings and counts the rest', () => {
    const email = renderDigest(digestView({ warnings: Array.from({ length: 8 }, (_, i) => `warning ${i}`) }));
    expect(email.html).toContain('warning 4');
    expect(email.html).not.toContain('warning 5');
    expect(email.html).toContain('and 3 more');
  });
});

describe('the digest job: the footer says how the run was started', () => {
  const now = () => new Date('2026-11-27T02:00:05Z');
  const config = loadConfig({
    AICC_BASE_URL: 'https://aicc.invalid',
    AICC_TOKEN: 'unused',
    AICC_TIMEZONE: 'Asia/Dubai',
    REPORT_TIMEZONE: 'Asia/Dubai',
    MAIL_FROM: 'digest@example.com',
  });
  // No case anywhere: the footer is all this looks at.
  const client = {
    stats: { requests: 0, pages: 0, retries: 0, throttled: 0 },
    concurrency: { start: 4, max: 4, final: 4, peak: 4 },
    forEachCase: async () => ({ reportedCount: 0, uniqueCount: 0, pages: 1 }),
    countCases: async () => 0,
  } as unknown as AiccClient;
  const nothingSent = () => {
    throw new Error('a dry run sends nothing');
  };
  const deps: JobDeps = {
    config,
    client,
    clock: now,
    logger: { info: () => {}, warn: () => {} },
    sendEmail: nothingSent,
    sendPagerDuty: nothingSent,
    publishTopic: nothingSent,
  };
  const footerOf = async (event: Record<string, unknown>) => {
    const input = parseEvent({ job: 'digest', dryRun: true, ...event }, now);
    if (input.job !== 'digest') throw new Error('not a digest');
    const html = (await runDigest(input, deps)).emails[0]?.html ?? '';
    return /by aicc-case-digest, ([a-z -]+)\./.exec(html)?.[1];
  };

  it.each([
    ['a schedule delivery', { scheduledTime: '2026-11-27T02:00:00Z' }, 'scheduled digest'],
    [
      'a range, even with a scheduledTime',
      { scheduledTime: '2026-11-27T02:00:00Z', from: '2026-11-20', to: '2026-11-26' },
      'ad-hoc report',
    ],
    ['a range', { from: '2026-11-20', to: '2026-11-26' }, 'ad-hoc report'],
    ['a manual run at a time', { at: '2026-11-27T02:00:00Z' }, 'ad-hoc report'],
    ['a manual run now', {}, 'ad-hoc report'],
  ])('%s → "%s"', async (_name, event, expected) => {
    expect(await footerOf(event)).toBe(expected);
  });
});

describe('renderDigest: breakdowns', () => {
  it('draws a row per bucket with its count, share and a proportional bar', () => {
    const { html, text } = renderDigest(digestView());
    expect(html).toContain('New cases by priority');
    expect(html).toContain('New cases by origin');
    expect(html).toContain('New cases by state');
    expect(html).toMatch(
      />Medium<\/td>\s*<td[^>]*>130<\/td>\s*<td[^>]*>45\.8%<\/td>\s*<td[^>]*><table[^>]*width="46%"/,
    );
    expect(text).toMatch(/Medium\s+130\s+45\.8%/);
  });

  it('orders priorities Critical, High, Medium, Low, then the rest by count', () => {
    const { text } = renderDigest(digestView());
    const at = (label: string) => text.indexOf(`  ${label} `);
    expect(at('Critical')).toBeLessThan(at('High'));
    expect(at('High')).toBeLessThan(at('Medium'));
    expect(at('Medium')).toBeLessThan(at('Low'));
    expect(at('Low')).toBeLessThan(at('Unspecified'));
  });

  it('keeps the top 20 values and folds the rest into one "Other" row', () => {
    const byState = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`State ${i}`, 1000 - i]));
    const { html } = renderDigest(digestView({ byState }));
    expect(html).toContain('>State 19<');
    expect(html).not.toContain('>State 20<');
    expect(html).toContain('Other (280 values)');
  });

  it('says so when a breakdown is empty', () => {
    const { html, text } = renderDigest(digestView({ total: 0, byPriority: {}, byOrigin: {}, byState: {} }));
    expect(html.match(/No cases\./g)).toHaveLength(3);
    expect(text.match(/No cases\./g)).toHaveLength(3);
  });
});

describe('renderDigest: the overdue table', () => {
  it('keeps the order of the view', () => {
    const overdue = [overdueCase(7), overdueCase(2), overdueCase(9)];
    const email = renderDigest(digestView({ overdue }));
    for (const part of [email.html, email.text]) {
      const positions = overdue.map((c) => part.indexOf(c.caseNo));
      expect(positions.every((p) => p > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it('shows owner, masked phone, due date in the report zone and how long overdue', () => {
    const c = overdueCase(0, {
      dueAt: new Date('2026-11-23T21:40:00Z'),
      overdueMs: (3 * 24 + 4) * HOUR + 20 * 60_000,
    });
    const { html, text } = renderDigest(digestView({ overdue: [c] }));
    expect(text).toContain('2026-11-24 01:40'); // Dubai is UTC+4
    // The HTML stacks date and time in the narrow column, and keeps the masked phone on one line.
    expect(html).toContain('2026-11-24<br>01:40');
    expect(html).toContain('due (Asia/Dubai)');
    expect(html).toContain('phone&nbsp;••••\u00A04567');
    for (const part of [html, text]) {
      expect(part).toContain('3 d 4 h');
      expect(part).toContain('owner-0');
    }
    expect(text).toContain('•••• 4567');
  });

  it('cuts the table at 50 rows and points to the attachment for the rest', () => {
    const email = renderDigest(digestView({ overdue: many(120) }));
    const shown = many(120).filter((c) => email.html.includes(`>${c.caseNo}<`)).length;
    expect(shown).toBe(50);
    expect(email.html).toContain('and 70 more</strong> — see attachment overdue-2026-11-27.csv');
    expect(email.text).toContain('and 70 more — see attachment overdue-2026-11-27.csv');
    expect(email.text).not.toContain(many(120)[50]?.caseNo);
  });

  it('honours maxRows', () => {
    const email = renderDigest(digestView({ overdue: many(12) }), { maxRows: 10 });
    expect(email.html).toContain('and 2 more');
    expect(renderDigest(digestView({ overdue: many(12) }), { maxRows: 0 }).html).toContain(
      '12 cases</strong>',
    );
  });

  it('links the case number only when the view has a URL', () => {
    const overdue = [
      overdueCase(0, { url: 'https://aicc.example.com/case?id=c6m8id0&tab=1' }),
      overdueCase(1, { url: null }),
    ];
    const { html, text } = renderDigest(digestView({ overdue }));
    expect(html).toContain(
      `<a href="https://aicc.example.com/case?id&#x3D;c6m8id0&amp;tab&#x3D;1" style="color:#0a58ca;text-decoration:underline">${overdue[0]?.caseNo}</a>`,
    );
    expect(html).not.toMatch(new RegExp(`<a [^>]*>${overdue[1]?.caseNo}<`));
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(text).toContain('https://aicc.example.com/case?id=c6m8id0&tab=1');
  });

  it('never links a URL that is not plain http(s)', () => {
    const overdue = [
      overdueCase(0, { url: 'javascript:alert(1)' }),
      overdueCase(1, { url: 'https://x.example/"onmouseover="alert(1)' }),
    ];
    const { html, text } = renderDigest(digestView({ overdue }));
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('javascript:');
    expect(text).not.toContain('javascript:');
  });

  it('says so when nothing is overdue, and attaches nothing', () => {
    const email = renderDigest(digestView({ overdue: [] }));
    expect(email.html).toContain('No open cases are past their due date.');
    expect(email.subject).toContain('0 overdue');
    expect(email.attachments).toEqual([]);
  });
});

describe('renderDigest: the CSV attachment', () => {
  it('lists every overdue case, named after the local date of asOf', () => {
    // 22:30 UTC on the 26th is already the 27th in Dubai.
    const email = renderDigest(digestView({ asOf: new Date('2026-11-26T22:30:00Z'), overdue: many(120) }));
    expect(email.attachments).toHaveLength(1);
    const [csv] = email.attachments;
    expect(csv?.filename).toBe('overdue-2026-11-27.csv');
    expect(csv?.contentType).toBe('text/csv; charset=utf-8');
    const lines = csvText(email).trimEnd().split('\r\n');
    expect(lines).toHaveLength(121);
    for (const c of many(120)) expect(csvText(email)).toContain(c.caseNo);
  });

  it('is attached even for a single overdue case', () => {
    expect(renderDigest(digestView({ overdue: many(1) })).attachments).toHaveLength(1);
  });
});

describe('renderDigest: hostile data', () => {
  const hostile = [
    '<img src=x onerror=alert(1)>',
    '"><script>alert(document.cookie)</script>',
    "' onmouseover='alert(1)",
    'line one\r\nBcc: victim@example.com',
    'abc\u202Eexe.txt',
    'Printer 🔥 on fire 👩🏽‍💻',
  ];

  it('escapes every API value in the HTML', () => {
    const overdue = hostile.map((title, i) =>
      overdueCase(i, { title, ownerId: title, state: title, priority: title }),
    );
    const byPriority = Object.fromEntries(hostile.map((h, i) => [h, i + 1]));
    const { html } = renderDigest(digestView({ overdue, byPriority, filters: { title: hostile[1] ?? '' } }));
    expect(html).not.toMatch(/<script|<img|onerror=|onmouseover=/i);
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('Printer 🔥 on fire 👩🏽‍💻');
  });

  it('keeps the subject and the text free of line breaks and bidi controls', () => {
    const overdue = hostile.map((title, i) => overdueCase(i, { title }));
    const email = renderDigest(
      digestView({
        overdue,
        periodLabel: '2026-11-26\r\nBcc: x@example.com',
        filters: { title: 'a\nb\u202Ec' },
      }),
    );
    expect(email.subject).not.toMatch(/[\r\n\u202E]/);
    expect(email.subject).toContain('Bcc: x@example.com'); // on the same line: harmless text
    expect(email.text).not.toMatch(/[\r\u202A-\u202E\u2066-\u2069]/);
    expect(email.text).toContain('line one Bcc: victim@example.com');
    expect(email.text).toContain('abcexe.txt');
    expect(email.html).not.toContain('\u202E');
  });

  it('masks a phone number the view forgot to mask, in HTML, text and CSV', () => {
    const raw = '+971 50 123 9876';
    const email = renderDigest(digestView({ overdue: [overdueCase(0, { contactPhone: raw })] }));
    for (const part of [visible(email.html), email.text, csvText(email)]) {
      expect(part).not.toContain(raw);
      expect(part).not.toContain('1239876');
      expect(part).not.toContain('123 9876');
      expect(part).toContain('•••• 9876');
    }
  });

  it('truncates extremely long values for display', () => {
    const title = `${'A'.repeat(10_000)}END`;
    const { html, text } = renderDigest(digestView({ overdue: [overdueCase(0, { title })] }));
    expect(visible(html)).toContain(`${'A'.repeat(200)}…`);
    expect(visible(html)).not.toContain('A'.repeat(201));
    expect(text).toContain(`${'A'.repeat(200)}…`);
  });

  it('lets a long unbroken value wrap on a phone, with zero-width spaces in the HTML only', () => {
    const title = `see ${'x'.repeat(45)}`;
    const { html, text } = renderDigest(digestView({ overdue: [overdueCase(0, { title })] }));
    expect(html).toContain(`see ${'x'.repeat(20)}\u200B${'x'.repeat(20)}\u200Bxxxxx`);
    expect(text).toContain(title);
    expect(text).not.toContain('\u200B');
  });

  it('has no script and no URL but the case deep links', () => {
    const urls = ['https://aicc.example.com/case/1', 'http://aicc.example.com/case/2'];
    const overdue = [
      overdueCase(0, { url: urls[0] ?? null, title: 'see https://evil.example/phish' }),
      overdueCase(1, { url: urls[1] ?? null }),
    ];
    const { html } = renderDigest(digestView({ overdue }));
    expect(html).not.toMatch(/<script|<style|<link|<img|@import|url\(/i);
    const found = [...visible(html).matchAll(/https?:\/\/[^\s"<>]+/g)].map((m) => m[0]);
    const allowed = new Set([...urls, 'https://evil.example/phish']);
    expect(found.every((u) => allowed.has(u))).toBe(true);
    // A URL inside a title is text, never a link.
    expect(html).not.toContain('href="https://evil.example');
  });
});

describe('renderDigest: bounded size', () => {
  it('stays under 100 KB with 5,000 overdue cases of 10,000-character titles', () => {
    const overdue = many(5_000, () => ({
      title: 'x'.repeat(10_000),
      url: 'https://aicc.example.com/case/c6m8',
    }));
    const started = performance.now();
    const email = renderDigest(digestView({ overdue }));
    const ms = performance.now() - started;
    expect(bytes(email.html)).toBeLessThan(100_000);
    expect(email.html).toContain('and 4,950 more');
    expect(csvText(email).split('\r\n').length).toBe(5_002); // header + rows + final line end
    console.info(`5,000 overdue (10,000-char titles): ${ms.toFixed(1)} ms, HTML ${bytes(email.html)} bytes`);
  });

  it('stays under 100 KB whatever the values are made of', () => {
    const quotes = '"'.repeat(10_000);
    const overdue = many(5_000, (i) => ({
      title: quotes,
      caseNo: `=${'"'.repeat(500)}${i}`,
      ownerId: '<'.repeat(5_000),
      priority: `${'&'.repeat(300)}${i % 400}`,
      state: `${'='.repeat(300)}${i % 300}`,
      contactPhone: '1'.repeat(200),
      url: `https://aicc.example.com/${'a='.repeat(400)}`,
    }));
    const keyed = (prefix: string) =>
      Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`${prefix}${'"'.repeat(200)}${i}`, i + 1]));
    const view = digestView({
      overdue,
      byPriority: keyed('p'),
      byOrigin: keyed('o'),
      byState: keyed('s'),
      warnings: Array.from({ length: 100 }, () => '"'.repeat(5_000)),
      filters: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`${'"'.repeat(100)}${i}`, '"'.repeat(1_000)]),
      ),
      periodLabel: '"'.repeat(1_000),
    });
    const email = renderDigest(view);
    expect(bytes(email.html)).toBeLessThan(100_000);
    expect(email.html).toMatch(/and [\d,]+ more<\/strong> — see attachment/);
  });

  it('renders a typical 50-row table well inside the budget', () => {
    const overdue = many(5_000, () => ({ url: 'https://aicc.example.com/case/c6m8id0' }));
    const email = renderDigest(digestView({ overdue }));
    expect(bytes(email.html)).toBeLessThan(60_000);
    expect(email.html).toContain('and 4,950 more');
  });
});

/** Oracle: `YYYY-MM-DD HH:mm` of an instant in a zone, by Intl (test/helpers/zones.ts). */
const localMinute = (instant: Date, zone: string) => wallClock(zone, instant.getTime()).slice(0, 16);
/** The lines of the text part between a heading line and the next blank line. */
const textSection = (text: string, heading: string) => {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
};
const dueSoon = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    dueSoonCase(i, { caseNo: `DUE-${String(i).padStart(3, '0')}`, url: null }),
  );

describe('renderDigest: due-date attainment', () => {
  it('shows met / (met + missed) as a percentage, with the four counts', () => {
    const sla = { met: 2, missed: 1, pending: 3, unknown: 4 };
    const expected = `${((2 / 3) * 100).toFixed(1)}%`; // 66.7%
    const { html, text } = renderDigest(digestView({ sla }));
    expect(text).toContain(`Due dates met: ${expected} (2 met, 1 missed, 3 not yet due, 4 unknown)`);
    expect(html).toContain(`>${expected}<`);
  });

  it('shows "—" when no case was met or missed', () => {
    const { html, text } = renderDigest(digestView({ sla: { met: 0, missed: 0, pending: 7, unknown: 1 } }));
    expect(text).toMatch(/^Due dates met: — /m);
    expect(html).toMatch(/>—</);
    expect(html + text).not.toMatch(/NaN|Infinity/);
  });
});

describe('renderDigest: overdue by age and by owner', () => {
  it('shows the four age buckets with their counts, youngest first, empty ones too', () => {
    const overdueByAge = { '<1d': 3, '1-3d': 5, '3-7d': 0, '>7d': 2 };
    const { html, text } = renderDigest(digestView({ overdueByAge }));
    const rows = textSection(text, 'Overdue for');
    expect(
      rows.map((r) =>
        r
          .trim()
          .split(/\s{2,}/)
          .slice(0, 2),
      ),
    ).toEqual([
      ['less than 1 day', '3'],
      ['1–3 days', '5'],
      ['3–7 days', '0'],
      ['more than 7 days', '2'],
    ]);
    for (const label of ['less than 1 day', '1–3 days', '3–7 days', 'more than 7 days'])
      expect(html).toContain(`>${label}<`);
  });

  it('shows the ten owners with most overdue cases, most first, and folds the rest', () => {
    // 14 owners, owner-k with k + 1 cases, handed over in no particular order.
    const order = [3, 11, 0, 7, 13, 5, 9, 1, 12, 4, 8, 2, 10, 6];
    const overdueByOwner = Object.fromEntries(order.map((k) => [`owner-${k}`, k + 1]));
    const { html, text } = renderDigest(digestView({ overdueByOwner }));
    const rows = textSection(text, 'Owners with most overdue cases').map((r) => r.trim().split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual([
      'owner-13',
      'owner-12',
      'owner-11',
      'owner-10',
      'owner-9',
      'owner-8',
      'owner-7',
      'owner-6',
      'owner-5',
      'owner-4',
      'Other (4 values)',
    ]);
    expect(rows.at(-1)?.[1]).toBe(String(1 + 2 + 3 + 4));
    expect(html).toContain('>owner-4<');
    expect(html).not.toContain('>owner-3<');
  });

  it('says so when nothing is overdue, without pointing to the attachment the due-soon cases have', () => {
    const email = renderDigest(
      digestView({
        overdue: [],
        overdueByAge: { '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 },
        overdueByOwner: {},
        atRisk: dueSoon(2),
      }),
    );
    expect(email.attachments).toHaveLength(1); // the due-soon cases
    for (const part of [email.html, email.text]) {
      expect(part).toContain('No open cases are past their due date.');
      expect(part).not.toMatch(/All 0 are also in the attached/);
    }
  });
});

describe('renderDigest: the due-soon table', () => {
  it('lists the cases due in the next AT_RISK_HOURS in the order of the view (soonest first)', () => {
    const atRisk = dueSoon(3);
    const { html, text } = renderDigest(digestView({ atRisk, atRiskHours: 12 }));
    expect(text).toContain('Due in the next 12 h (3), soonest first:');
    for (const part of [html, text]) {
      const positions = atRisk.map((c) => part.indexOf(c.caseNo));
      expect(positions.every((p) => p > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(text).toContain('DUE-000  Critical · Processing · due in 1 h (due 2026-11-27 07:00)');
  });

  it('shows at most 20 rows and points to the attachment for the rest', () => {
    const atRisk = dueSoon(25);
    const email = renderDigest(digestView({ atRisk }));
    for (const part of [email.html, email.text]) {
      const shown = atRisk.filter((c) => part.includes(c.caseNo));
      expect(shown.map((c) => c.caseNo)).toEqual(atRisk.slice(0, 20).map((c) => c.caseNo));
    }
    expect(email.text).toContain('and 5 more — see attachment overdue-2026-11-27.csv');
    expect(email.html).toContain('and 5 more</strong> — see attachment overdue-2026-11-27.csv');
  });

  it('says so when nothing is due soon', () => {
    const { html, text } = renderDigest(digestView({ atRisk: [], atRiskHours: 24 }));
    expect(html).toContain('No open case is due in the next 24 h.');
    expect(text).toContain('No open case is due in the next 24 h.');
  });

  it('lists overdue and due-soon cases in the CSV, marked by its section column', () => {
    const email = renderDigest(digestView({ overdue: many(3), atRisk: dueSoon(25) }));
    const rows = csvText(email)
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]?.split(',')[0]).toBe('section');
    const sections = rows.slice(1).map((r) => r.split(',')[0]);
    expect(sections).toEqual([...Array(3).fill('overdue'), ...Array(25).fill('due-soon')]);
  });

  it('attaches the CSV for due-soon cases alone', () => {
    const email = renderDigest(digestView({ overdue: [], atRisk: dueSoon(1) }));
    expect(email.attachments.map((a) => a.filename)).toEqual(['overdue-2026-11-27.csv']);
  });
});

describe('renderDigest: a named report', () => {
  const report = { name: 'emea-voice', title: 'EMEA voice' };
  const scheduledTime = new Date('2026-11-27T05:00:00Z');

  it('puts the title in the subject and the heading', () => {
    const email = renderDigest(digestView({ report, scheduledTime }));
    expect(email.subject).toBe('Case digest · EMEA voice 2026-11-26: 284 new, 3 overdue');
    expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(email.html)?.[1]).toBe('Case digest · EMEA voice 2026-11-26');
    expect(email.text.split('\n')[0]).toBe(email.subject);
  });

  it('names the report and its scheduled run in the footer, and where its recipients are set', () => {
    const email = renderDigest(digestView({ report, scheduledTime }));
    const when = localMinute(scheduledTime, 'Asia/Dubai'); // the report zone, not UTC
    expect(when).toBe('2026-11-27 09:00');
    expect(email.text).toContain(
      `Report "emea-voice", sent by its schedule "emea-voice" in the stack's schedule group, scheduled run of ${when} (Asia/Dubai).`,
    );
    expect(email.html).toContain(
      `Report &quot;emea-voice&quot;, sent by its schedule &quot;emea-voice&quot; in the stack&#x27;s schedule group, scheduled run of ${when} (Asia/Dubai).`,
    );
    expect(email.text).toContain('"reports" in cdk.json');
    expect(email.text).not.toContain('DIGEST_RECIPIENTS');
  });

  it('says DIGEST_RECIPIENTS sets the recipients of a plain digest', () => {
    expect(renderDigest(digestView()).text).toContain('DIGEST_RECIPIENTS');
  });

  it('keeps a hostile title on one line and escaped', () => {
    const email = renderDigest(
      digestView({ report: { name: 'x', title: '<b>EMEA</b>\r\nBcc: y@example.com\u202E' } }),
    );
    expect(email.subject).not.toMatch(/[\r\n\u202E]/);
    expect(email.html).not.toContain('<b>EMEA');
    expect(email.html).toContain('&lt;b&gt;EMEA&lt;/b&gt;');
  });
});

describe('renderDigest: bounded size with both tables full', () => {
  it('stays under 100 KB with 5,000 overdue and 5,000 due-soon cases of 10,000-character titles', () => {
    const title = 'x'.repeat(10_000);
    const overdue = many(5_000, () => ({ title, url: 'https://aicc.example.com/case/c6m8' }));
    const atRisk = Array.from({ length: 5_000 }, (_, i) =>
      dueSoonCase(i, { caseNo: `DUE-${i}`, title, url: 'https://aicc.example.com/case/due' }),
    );
    const email = renderDigest(digestView({ overdue, atRisk }));
    expect(bytes(email.html)).toBeLessThan(100_000);
    expect(email.html).toContain('and 4,950 more');
    expect(email.html).toContain('and 4,980 more');
    expect(csvText(email).trimEnd().split('\r\n')).toHaveLength(10_001);
  });
});
