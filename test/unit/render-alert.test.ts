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
  it('keeps the order of the view (most overdue first)', () => {
    const cases = [alertCase(5, 9 * HOUR), alertCase(1, 4 * HOUR), alertCase(3, HOUR)];
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
  it('attaches nothing up to 50 cases', () => {
    const email = renderAlert(alertView({ cases: manyCases(50) }));
    expect(email.attachments).toEqual([]);
    expect(email.html).not.toContain('more</strong>');
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
