/**
 * What an alert publishes to SNS (SPEC §13): an SMS line of at most 140 printable ASCII characters,
 * a Subject SNS accepts, and an Amazon Q Developer custom notification for chat.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chatNotification,
  smsLine,
  topicMessage,
  topicSubject,
} from '../../functions/case-digest/channels/topic.js';
import { renderAlert } from '../../functions/case-digest/email/render.js';
import type { OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { alertView, dueSoonCase, HOUR, overdueCase } from '../helpers/views.js';

const ASOF = new Date('2026-11-27T10:00:00Z');
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Hostile text: full unicode, controls, line breaks, bidi, markdown and HTML, very long. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom(
      '\r',
      '\n',
      '\u2028',
      '\u202E',
      '\t',
      '\u0000',
      '…',
      'é',
      '東',
      '🔥',
      '*',
      '[',
      ']',
      '(',
      ')',
      ' ',
      '0',
      'x',
    ),
    maxLength: 300,
  }),
  fc.constantFrom('x'.repeat(10_000), '<script>alert(1)</script>', '[click](javascript:alert(1))', ''),
);
const hostileCase = fc
  .record({ caseNo: hostile, id: hostile, title: hostile, priority: hostile })
  .map((over) => overdueCase(0, over, ASOF));

describe('smsLine', () => {
  it('lists short case numbers after a headline, as the SPEC example', () => {
    const alerted = [overdueCase(0, {}, ASOF), overdueCase(1, { caseNo: '00000000037005' }, ASOF)];
    expect(smsLine(alerted, [], ['Critical'])).toBe('[Overdue] 2 Critical: ...35013, ...37005');
  });

  it('names both sections, each with its own priorities in the configured order', () => {
    const line = smsLine(
      [overdueCase(0, {}, ASOF)],
      [dueSoonCase(0, { priority: 'High' }, ASOF), dueSoonCase(1, {}, ASOF)],
      ['Critical', 'High'],
    );
    expect(line).toBe('[Overdue] 1 Critical: ...35013 [Due soon] 2 Critical/High: ...35113, ...35114');
  });

  it('counts what does not fit in 140 characters', () => {
    const alerted = Array.from({ length: 500 }, (_, i) => overdueCase(i, {}, ASOF));
    const line = smsLine(alerted, [], ['Critical']);
    expect(line.length).toBeLessThanOrEqual(140);
    expect(line).toMatch(/^\[Overdue\] 500 Critical: \.\.\.35013, .* \+\d+ more$/);
  });

  it('property: at most 140 printable ASCII characters, whatever the cases and however many', () => {
    fc.assert(
      fc.property(
        fc.array(hostileCase, { maxLength: 20 }),
        fc.array(hostileCase, { maxLength: 20 }),
        fc.integer({ min: 0, max: 500 }),
        hostile,
        (alerted, warned, extra, priorities) => {
          const many = [...alerted, ...Array.from({ length: extra }, (_, i) => overdueCase(i, {}, ASOF))];
          const line = smsLine(
            many.map((c) => ({ ...c, priority: priorities })),
            warned,
            [priorities, 'Critical'],
          );
          expect(line.length).toBeLessThanOrEqual(140);
          expect(line).toMatch(PRINTABLE_ASCII);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('topicSubject', () => {
  it('keeps an ASCII subject as it is', () => {
    expect(topicSubject('[Overdue] 2 Critical cases past due')).toBe('[Overdue] 2 Critical cases past due');
  });

  it('writes a non-ASCII subject in ASCII', () => {
    const subject = topicSubject('[Overdue] 1 Critical case past due · Équipe Zürich');
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject).toContain('Equipe Zurich');
  });

  it('property: printable ASCII, fewer than 100 characters, starting with a letter, digit or punctuation', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.string({ unit: 'grapheme', maxLength: 400 })), (raw) => {
        const subject = topicSubject(raw);
        expect(subject).toMatch(PRINTABLE_ASCII);
        expect(subject.length).toBeGreaterThan(0);
        expect(subject.length).toBeLessThan(100);
        expect(subject).toMatch(/^[\x21-\x7e]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('chatNotification', () => {
  const parse = (json: string) =>
    JSON.parse(json) as {
      version: string;
      source: string;
      content: { textType: string; title: string; description: string };
    };

  it('is an Amazon Q Developer custom notification listing the cases with their links', () => {
    const n = parse(
      chatNotification(
        '[Overdue] 1 Critical case past due · 1 Critical case due within 2 h',
        [overdueCase(0, { title: 'Router down', overdueMs: 3 * HOUR }, ASOF)],
        [dueSoonCase(0, { title: 'Disk full' }, ASOF)],
        ASOF,
      ),
    );
    expect(n.version).toBe('1.0');
    expect(n.source).toBe('custom');
    expect(n.content.textType).toBe('client-markdown');
    expect(n.content.title).toBe('[Overdue] 1 Critical case past due · 1 Critical case due within 2 h');
    expect(n.content.description).toContain('[00000000035013](https://aicc.example.com/case/0)');
    expect(n.content.description).toContain('Router down');
    expect(n.content.description).toContain('overdue by 3 h');
    expect(n.content.description).toContain('[00000000035113](https://aicc.example.com/case/100)');
    expect(n.content.description).toContain('due in 1 h');
  });

  it('escapes markdown in titles, so a title cannot format or link the message', () => {
    const title = '*bold* _it_ [click](https://evil.example) `code` # heading';
    const n = parse(chatNotification('s', [overdueCase(0, { title }, ASOF)], [], ASOF));
    const { description } = n.content;
    expect(description).toContain('\\*bold\\*');
    expect(description).toContain('\\_it\\_');
    expect(description).toContain('\\[click\\]\\(https://evil.example\\)');
    expect(description).toContain('\\`code\\`');
    expect(description).not.toContain('[click](');
  });

  it('links no case whose URL is not plain http(s)', () => {
    const n = parse(chatNotification('s', [overdueCase(0, { url: 'javascript:alert(1)' }, ASOF)], [], ASOF));
    expect(n.content.description).not.toContain('javascript:');
    expect(n.content.description).not.toMatch(/\]\(/);
  });

  it('property: valid JSON of the documented shape whatever the cases hold', () => {
    fc.assert(
      fc.property(fc.array(hostileCase, { maxLength: 30 }), hostile, (cases, subject) => {
        const n = parse(chatNotification(subject, cases, cases, ASOF));
        expect(n).toMatchObject({
          version: '1.0',
          source: 'custom',
          content: { textType: 'client-markdown' },
        });
        expect(typeof n.content.title).toBe('string');
        expect(typeof n.content.description).toBe('string');
      }),
      { numRuns: 100 },
    );
  });
});

describe('topicMessage', () => {
  const cases: OverdueCaseView[] = [overdueCase(0, {}, ASOF)];
  const email = renderAlert(alertView({ asOf: ASOF, cases, warned: [] }));

  it('sends the email text as the default, with the subject and SMS line', () => {
    const m = topicMessage(email, 'text', {
      alerted: cases,
      warned: [],
      priorities: ['Critical'],
      asOf: ASOF,
    });
    expect(m).toEqual({
      subject: '[Overdue] 1 Critical case past due',
      default: email.text,
      sms: '[Overdue] 1 Critical: ...35013',
    });
  });

  it('sends a chat notification as the default for the chat format', () => {
    const m = topicMessage(email, 'chat', {
      alerted: cases,
      warned: [],
      priorities: ['Critical'],
      asOf: ASOF,
    });
    expect(JSON.parse(m.default)).toMatchObject({ version: '1.0', source: 'custom' });
  });
});
