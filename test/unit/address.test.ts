import fc from 'fast-check';
import libmime from 'libmime';
import { describe, expect, it } from 'vitest';
import { formatMailbox, parseMailbox } from '../../functions/case-digest/email/address.js';

const ADDRESS = 'digest@example.com';
const ENCODED_WORD = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/g;

/**
 * The display name a mail client reads back from `Name <address>`: a quoted string unescaped (RFC
 * 5322 — an encoded word inside quotes is not decoded), anything else through libmime's RFC 2047 decoder.
 */
function readName(header: string): string {
  const suffix = ` <${ADDRESS}>`;
  expect(header.endsWith(suffix)).toBe(true);
  const phrase = header.slice(0, -suffix.length);
  const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(phrase);
  return quoted ? (quoted[1] ?? '').replace(/\\(.)/gs, '$1') : libmime.decodeWords(phrase);
}

/** Names from every corner: full unicode (emoji, RTL, CJK), quotes, backslashes, `=?`, specials, controls. */
const tricky = fc.constantFrom(
  '"',
  '\\',
  '=?',
  '?=',
  '=?UTF-8?B?',
  '<',
  '>',
  ',',
  ';',
  ':',
  '@',
  '(',
  ')',
  ' ',
  '\t',
);
const displayName = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
    fc.string({
      unit: fc.oneof(tricky, fc.constantFrom('a', 'é', 'ت', '東', '🚨', '👩🏽‍💻')),
      minLength: 1,
      maxLength: 80,
    }),
    fc
      .array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 8 })), { minLength: 1, maxLength: 20 })
      .map((parts) => parts.join('')),
  )
  // A From name with nothing but blanks is no name; lone surrogates cannot be in an environment variable.
  .filter((name) => name.trim() !== '' && !/\p{Cs}/u.test(name));

describe('formatMailbox (property)', () => {
  it('writes any display name as printable ASCII, in encoded words of at most 75 characters, that reads back exactly', () => {
    fc.assert(
      fc.property(displayName, (name) => {
        const header = formatMailbox({ name, address: ADDRESS });
        expect(header).toMatch(/^[\x20-\x7e]+$/);
        for (const word of header.match(ENCODED_WORD) ?? []) expect(word.length).toBeLessThanOrEqual(75);
        expect(readName(header)).toBe(name);
      }),
      { numRuns: 1_000 },
    );
  });

  it('round-trips through parseMailbox for any name without control characters', () => {
    fc.assert(
      fc.property(
        displayName.filter((n) => !/\p{Cc}/u.test(n) && n === n.trim()),
        (name) => {
          expect(parseMailbox(formatMailbox({ name, address: ADDRESS }))?.address).toBe(ADDRESS);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('formatMailbox (cases)', () => {
  it.each([
    ['a plain name as is', 'Case Digest', 'Case Digest <digest@example.com>'],
    ['specials quoted', 'Acme, Inc.', '"Acme, Inc." <digest@example.com>'],
    ['quotes and backslashes escaped', 'a "b" \\c', '"a \\"b\\" \\\\c" <digest@example.com>'],
    ['"=?" quoted, so it is not read as an encoded word', 'x=?y', '"x=?y" <digest@example.com>'],
    ['no name: the bare address', '', 'digest@example.com'],
  ])('writes %s', (_what, name, header) => {
    expect(formatMailbox({ name, address: ADDRESS })).toBe(header);
  });

  it('encodes a non-ASCII name in UTF-8 base64 words', () => {
    const header = formatMailbox({ name: 'تقرير', address: ADDRESS });
    expect(header).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <digest@example\.com>$/);
    expect(readName(header)).toBe('تقرير');
  });

  it('never splits a character across two words (each word decodes on its own)', () => {
    const name = '🚨'.repeat(40);
    const header = formatMailbox({ name, address: ADDRESS });
    const words = header.match(ENCODED_WORD) ?? [];
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(libmime.decodeWords(word)).toMatch(/^(🚨)+$/u);
  });
});
