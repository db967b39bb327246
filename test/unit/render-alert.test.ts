import { describe, expect, it } from 'vitest';
import { renderAlert } from '../../functions/case-digest/email/render.js';
import type { AlertView, OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { alertView as baseAlertView, HOUR, overdueCase } from '../helpers/views.js';

const ASOF = new Date('2026-11-27T10:00:00Z'); // 14:00 in Asia/Dubai

/** Overdue by `overdueMs` at ASOF, with a deep link and a phone the alert must leave out. */
const alertCase = (i: number, overdueMs: number, over: Partial<OverdueCaseView> = {}): OverdueCaseView =>
  overdueCase(
    i,
    {
      title: `Payment line down #${i}`,
      ownerId: `oncall-${i}`,
      contactPhone: '•••• 1234',
      overdueMs,
      ...over,
    },
    ASOF,
  );

const alertView = (over: Partial<AlertView> = {}): AlertView =>
  baseAlertView({
    asOf: ASOF,
    generatedAt: new Date('2026-11-27T10:00:02Z'),
    cases: [alertCase(0, 3 * HOUR), alertCase(1, 26 * HOUR + 5 * 60_000)],
    ...over,
  });

const manyCases = (n: number) => Array.from({ length: n }, (_, i) => alertCase(i, (n - i) * HOUR));

describe('renderAlert: subject', () => {
  it('names the count and the priority', () => {
    expect(renderAlert(alertView()).subject).toBe('[Overdue] 2 Critical cases past due');
  });

  it('says "case" for one', () => {
    expect(renderAlert(alertView({ cases: [alertCase(0, HOUR)] })).subject).toBe(
      '[Overdue] 1 Critical case past due',
    );
  });

  it('joins several priorities in the configured order', () => {
    const view = alertView({
      priorities: ['Critical', 'High'],
      cases: [alertCase(0, 5 * HOUR, { priority: 'High' }), alertCase(1, HOUR, { priority: 'Critical' })],
    });
    expect(renderAlert(view).subject).toBe('[Overdue] 2 Critical/High cases past due');
  });

  it('stays one line whatever the priority names hold', () => {
    const view = alertView({ cases: [alertCase(0, HOUR, { priority: 'Crit\r\nBcc: x@example.com\u202E' })] });
    expect(renderAlert(view).subject).toBe('[Overdue] 1 Crit Bcc: x@example.com case past due');
  });
});

describe('renderAlert: text part', () => {
  it('starts with a line short enough for email-to-SMS', () => {
    const { text } = renderAlert(alertView());
    const first = text.split('\n')[0] ?? '';
    expect(first).toBe('2 Critical cases past due: 0000…35013 (3 h), 0000…35014 (26 h)');
  });

  it('keeps the first line within 160 characters and counts what did not fit', () => {
    const first = renderAlert(alertView({ cases: manyCases(40) })).text.split('\n')[0] ?? '';
    expect(first.length).toBeLessThanOrEqual(160);
    expect(first).toMatch(/^40 Critical cases past due: 0000…35013 \(40 h\), .*, \+\d+ more$/);
  });

  it('lists each case with title, priority, owner, overdue for, due date in zone and link', () => {
    const { text } = renderAlert(alertView());
    expect(text).toContain('00000000035013  Critical · overdue 3 h (due 2026-11-27 11:00)');
    expect(text).toContain('  Payment line down #0');
    expect(text).toContain('  owner oncall-0');
    expect(text).toContain('  https://aicc.example.com/case/0');
    expect(text).toContain('overdue 1 d 2 h (due 2026-11-26 11:55)');
    expect(text).toContain('Checked every 60 min; a reminder follows every 24 h while a case stays overdue.');
  });

  it('says a case is alerted once when reminders are off', () => {
    expect(renderAlert(alertView({ repeatHours: 0 })).text).toContain('each case is alerted once.');
  });
});

describe('renderAlert: HTML', () => {
  it('keeps the order of the view (the job sorts it: priority, then oldest due)', () => {
    // Not "most overdue first": a High case overdue longer still follows a Critical one.
    const cases = [
      alertCase(5, HOUR, { priority: 'Critical' }),
      alertCase(1, 9 * HOUR, { priority: 'Critical' }),
      alertCase(3, 20 * HOUR, { priority: 'High' }),
    ];
    const { html, text } = renderAlert(alertView({ cases }));
    for (const part of [html, text]) {
      const positions = cases.map((c) => part.indexOf(c.caseNo));
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it('links each case and shows owner, overdue for and due date in the report zone', () => {
    const { html } = renderAlert(alertView());
    expect(html).toContain(
      '<a href="https://aicc.example.com/case/0" style="color:#0a58ca;text-decoration:underline">00000000035013</a>',
    );
    expect(html).toContain(' · owner oncall-0</span>');
    expect(html).toContain('>3 h<');
    expect(html).toContain('>2026-11-27<br>11:00<');
    expect(html).toContain('due (Asia/Dubai)');
    expect(html).toContain('As of 2026-11-27 14:00 (Asia/Dubai)');
    expect(html).toContain('by aicc-case-digest, overdue alert.');
  });

  it('leaves the phone out of the alert', () => {
    const { html, text } = renderAlert(alertView());
    expect(html).not.toContain('1234');
    expect(text).not.toContain('1234');
  });

  it('escapes hostile titles', () => {
    const cases = [
      alertCase(0, HOUR, { title: '<img src=x onerror=alert(1)>', ownerId: '"><script>x</script>' }),
    ];
    const { html, text } = renderAlert(alertView({ cases }));
    expect(html).not.toMatch(/<img|<script|onerror=/);
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(text).toContain('<img src=x onerror=alert(1)>'); // plain text is not HTML
  });

  it('shows warnings', () => {
    const { html, text } = renderAlert(alertView({ warnings: ['AICC reported 5 cases but 4 arrived.'] }));
    expect(html).toContain('AICC reported 5 cases but 4 arrived.');
    expect(text).toContain('- AICC reported 5 cases but 4 arrived.');
  });
});

describe('renderAlert: attachment', () => {
  it('attaches every listed case as CSV, even for one case and up to 50', () => {
    for (const n of [1, 50]) {
      const email = renderAlert(alertView({ cases: manyCases(n) }));
      expect(email.attachments.map((a) => a.filename)).toEqual(['overdue-2026-11-27.csv']);
      const csv = new TextDecoder().decode(email.attachments[0]?.content);
      expect(csv.trimEnd().split('\r\n')).toHaveLength(n + 1);
      expect(email.html).not.toContain('more</strong>');
    }
  });

  it('cuts at 50 rows and attaches every case as CSV beyond that', () => {
    const email = renderAlert(alertView({ cases: manyCases(51) }));
    expect(email.attachments).toHaveLength(1);
    expect(email.attachments[0]?.filename).toBe('overdue-2026-11-27.csv');
    expect(email.html).toContain('and 1 more</strong> — see attachment overdue-2026-11-27.csv');
    expect(email.text).toContain('and 1 more — see attachment overdue-2026-11-27.csv');
    const csv = new TextDecoder().decode(email.attachments[0]?.content);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(52);
  });
});

/** Due `inMinutes` after ASOF, warned `warnHours` ahead. */
const warnedCase = (i: number, inMinutes: number, over: Partial<OverdueCaseView> = {}): OverdueCaseView =>
  overdueCase(
    200 + i,
    {
      title: `Disk almost full #${i}`,
      overdueMs: 0,
      dueAt: new Date(ASOF.getTime() + inMinutes * 60_000),
      ...over,
    },
    ASOF,
  );

describe('renderAlert: overdue and due-soon sections', () => {
  it.each([
    ['overdue cases only', { warnHours: 2, warned: [] }, '[Overdue] 2 Critical cases past due'],
    [
      'due-soon cases only',
      { warnHours: 2, cases: [], warned: [warnedCase(0, 90)] },
      '[Due soon] 1 Critical case due within 2 h',
    ],
    [
      'both',
      { warnHours: 2, warned: [warnedCase(0, 90), warnedCase(1, 100)] },
      '[Overdue] 2 Critical cases past due · 2 Critical cases due within 2 h',
    ],
  ])('names the counts in the subject with %s', (_name, over, subject) => {
    expect(renderAlert(alertView(over)).subject).toBe(subject);
  });

  it.each([
    [{ warned: [] }, '[Overdue] 2 Critical cases past due · On-call EMEA'],
    [{ cases: [], warned: [warnedCase(0, 90)] }, '[Due soon] 1 Critical case due within 2 h · On-call EMEA'],
    [
      { warned: [warnedCase(0, 90)] },
      '[Overdue] 2 Critical cases past due · 1 Critical case due within 2 h · On-call EMEA',
    ],
  ])('appends the title of a named report: %#', (over, subject) => {
    const report = { name: 'oncall-emea', title: 'On-call EMEA' };
    expect(renderAlert(alertView({ warnHours: 2, report, ...over })).subject).toBe(subject);
  });

  it('lists the overdue and the due-soon cases in two sections, in HTML and text', () => {
    const warned = [warnedCase(0, 30), warnedCase(1, 95)];
    const { html, text } = renderAlert(alertView({ warnHours: 2, warned }));
    expect(html).toMatch(/<h2[^>]*>Overdue<\/h2>/);
    expect(html).toMatch(/<h2[^>]*>Due soon \(within 2 h\)<\/h2>/);
    expect(text).toContain('Overdue (2):');
    expect(text).toContain('Due soon, within 2 h (2):');
    for (const part of [html, text]) {
      // Every overdue case before the due-soon heading, every warned case after it.
      const split = part.indexOf(part === html ? 'Due soon (within 2 h)' : 'Due soon, within 2 h');
      for (const c of alertView().cases) expect(part.indexOf(c.caseNo)).toBeLessThan(split);
      for (const c of warned) expect(part.indexOf(c.caseNo)).toBeGreaterThan(split);
    }
    expect(text).toContain('00000000035213  Critical · due in 30 min (due 2026-11-27 14:30)');
    expect(text).toContain('cases are also warned 2 h before they fall due.');
  });

  it('heads a due-soon-only alert as such, without an empty overdue section', () => {
    const { html, text } = renderAlert(alertView({ warnHours: 2, cases: [], warned: [warnedCase(0, 90)] }));
    expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]).toBe('Due-soon alert');
    expect(text.split('\n')[0]).toBe('1 Critical case due within 2 h: 0000…35213 (in 1 h)');
    expect(text).not.toContain('Overdue (');
  });

  it('names a report in the heading and the footer', () => {
    const report = { name: 'oncall-emea', title: 'On-call EMEA' };
    const { html, text } = renderAlert(alertView({ report, scheduledTime: ASOF }));
    expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]).toBe('Overdue alert · On-call EMEA');
    // 10:00Z is 14:00 in Asia/Dubai, the report zone.
    expect(text).toContain(
      `Report "oncall-emea", sent by its schedule "oncall-emea" in the stack's schedule group, scheduled run of 2026-11-27 14:00 (Asia/Dubai).`,
    );
    expect(text).not.toContain('ALERT_RECIPIENTS');
  });

  it('attaches a CSV of both sections, marked by their section column', () => {
    const email = renderAlert(alertView({ warnHours: 2, warned: [warnedCase(0, 90)] }));
    const rows = new TextDecoder().decode(email.attachments[0]?.content).trimEnd().split('\r\n').slice(1);
    expect(rows.map((r) => r.split(',')[0])).toEqual(['overdue', 'overdue', 'due-soon']);
  });

  it('attaches the CSV for due-soon cases alone', () => {
    const email = renderAlert(alertView({ warnHours: 2, cases: [], warned: [warnedCase(0, 90)] }));
    expect(email.attachments.map((a) => a.filename)).toEqual(['overdue-2026-11-27.csv']);
  });
});
