import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderAlert, renderDigest } from '../../functions/case-digest/email/render.js';
import type { DigestView, OverdueCaseView } from '../../functions/case-digest/email/views.js';

const ASOF = new Date('2026-11-27T02:00:00Z');

const overdueCase = (
  i: number,
  text: { title: string; owner: string; priority: string },
): OverdueCaseView => ({
  id: `id${i}`,
  caseNo: `CN${i}`,
  title: text.title,
  priority: text.priority,
  origin: 'Email',
  state: text.priority,
  ownerId: text.owner,
  contactPhone: '',
  dueAt: ASOF,
  createdAt: null,
  overdueMs: 60_000 * i,
  url: null,
});

const digestView = (overdue: OverdueCaseView[], atRisk: OverdueCaseView[] = []): DigestView => ({
  asOf: ASOF,
  generatedAt: ASOF,
  reportTimezone: 'UTC',
  periodLabel: '2026-11-26',
  window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: 'UTC' },
  filters: {},
  total: overdue.length,
  previousTotal: 1,
  byPriority: Object.fromEntries(overdue.map((c, i) => [c.priority, i + 1])),
  byOrigin: {},
  byState: Object.fromEntries(overdue.map((c, i) => [`${c.state}#${i}`, i + 1])),
  overdue,
  overdueByAge: { '<1d': overdue.length, '1-3d': 0, '3-7d': 0, '>7d': 0 },
  overdueByOwner: Object.fromEntries(overdue.map((c, i) => [c.ownerId, i + 1])),
  atRisk,
  atRiskHours: 24,
  sla: { met: 1, missed: 1, pending: 0, unknown: 0 },
  warnings: [],
});

const hostile = fc.constantFrom(
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  `<${'"'.repeat(10_000)}`,
  `${'<'.repeat(10_000)}`,
);
const anyString = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({
    unit: fc.constantFrom('<', '>', '"', "'", '&', '=', '`', '\u202E', '\r', '\n', 'a', '🔥'),
    maxLength: 400,
  }),
  hostile,
);
const withTag = fc.tuple(anyString, anyString).map(([a, b]) => `${a}<${b}`);

const ALLOWED_TAGS = new Set(
  'html head meta title body div table tr td th h1 h2 p span strong em br ul li a'.split(' '),
);
const tagsOf = (html: string) =>
  new Set(
    [...html.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((m) =>
      m[1]?.toLowerCase(),
    ),
  );

/** Every piece of markup the templates can produce, with harmless values: what a "<…" may match innocently. */
const plain = overdueCase(0, { title: 'x', owner: 'y', priority: 'z' });
const baseline = [
  renderDigest({ ...digestView([plain], [plain]), warnings: ['w'] }).html,
  renderAlert({
    report: { name: 'r', title: 't' },
    asOf: ASOF,
    generatedAt: ASOF,
    reportTimezone: 'UTC',
    priorities: ['z'],
    intervalMinutes: 60,
    repeatHours: 24,
    warnHours: 2,
    cases: [plain],
    warned: [plain],
    warnings: ['w'],
  }).html,
].join('\n');

describe('rendering arbitrary strings (property)', () => {
  it('never puts a raw value holding "<" into the HTML', () => {
    fc.assert(
      fc.property(withTag, withTag, withTag, (title, owner, priority) => {
        const c = overdueCase(1, { title, owner, priority });
        const html = renderDigest(digestView([c], [c])).html;
        // What could open a tag is the "<" and what follows it in the value: that part must never appear raw.
        // (The whole value may, innocently: an escaped owner "&lt;K" before "</span>" holds "K<".) A part the
        // template itself happens to contain (e.g. "<a") says nothing.
        const leaked = (out: string, value: string) => {
          const opening = value.slice(value.indexOf('<'));
          return opening.length > 1 && !baseline.includes(opening) && out.includes(opening);
        };
        expect([title, owner, priority].filter((value) => leaked(html, value))).toEqual([]);
        const alertHtml = renderAlert({
          report: { name: 'r', title },
          asOf: ASOF,
          generatedAt: ASOF,
          reportTimezone: 'UTC',
          priorities: [priority],
          intervalMinutes: 60,
          repeatHours: 24,
          warnHours: 2,
          cases: [c],
          warned: [c],
          warnings: [title],
        }).html;
        expect([title, owner, priority].filter((value) => leaked(alertHtml, value))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('emits only the template’s own tags and stays under 100 KB', () => {
    const texts = fc.record({ title: anyString, owner: anyString, priority: anyString });
    fc.assert(
      fc.property(fc.array(texts, { minLength: 1, maxLength: 60 }), (rows) => {
        const cases = rows.map((text, i) => overdueCase(i, text));
        const email = renderDigest(digestView(cases, cases));
        expect(Buffer.byteLength(email.html, 'utf8')).toBeLessThan(100_000);
        for (const tag of tagsOf(email.html)) expect(ALLOWED_TAGS.has(tag ?? '')).toBe(true);
        expect(email.html).not.toContain('<a ');
        expect(email.subject).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 60 },
    );
  });
});
