/**
 * Accessibility of the rendered HTML: a language, a title, data tables with scoped headers and
 * layout tables marked as presentation, link text that says where it goes, no image without alt.
 * Text contrast (≥ 4.5:1 for every text colour on its background) is checked in
 * render-templates.test.ts, over the same kinds of emails.
 */
import { describe, expect, it } from 'vitest';
import { renderedSamples } from '../helpers/views.js';

// Every sample: every block the templates can show.
const samples = renderedSamples();

/** The HTML without comments: the Outlook-only conditional blocks repeat the layout for Outlook. */
const withoutComments = (html: string) => html.replace(/<!--[\s\S]*?-->/g, '');
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/[\u00a0\u200b]/g, (c) => (c === '\u00a0' ? ' ' : ''))
    .trim();

interface TableInfo {
  tag: string;
  /** The cells of each of its own rows (not of nested tables): `th` with its scope, or `td`. */
  rows: string[][];
}

/** Every table with its own rows and cells, nested tables kept apart. */
function tables(html: string): TableInfo[] {
  const found: TableInfo[] = [];
  const stack: TableInfo[] = [];
  for (const [tag, slash, name] of withoutComments(html).matchAll(/<(\/?)(table|tr|th|td)\b[^>]*>/gi)) {
    const top = stack[stack.length - 1];
    if (name === 'table') {
      if (slash) stack.pop();
      else {
        const table = { tag, rows: [] };
        found.push(table);
        stack.push(table);
      }
    } else if (!slash && name === 'tr') top?.rows.push([]);
    else if (!slash && top)
      top.rows[top.rows.length - 1]?.push(name === 'th' ? `th:${attr(tag, 'scope')}` : 'td');
  }
  return found;
}

describe.each(samples)('%s: accessibility', (_name, { email, cases }) => {
  const { html } = email;

  it('names its language and has a title', () => {
    expect(/<html lang="([a-z]{2}(-[A-Z]{2})?)">/.exec(html)?.[1]).toBe('en');
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
    expect(textOf(title)).toBe(email.subject);
  });

  it('marks every layout table as presentation, and gives every data table scoped headers', () => {
    const all = tables(html);
    expect(all.length).toBeGreaterThan(1);
    const layout = all.filter(({ tag }) => attr(tag, 'role') === 'presentation');
    const data = all.filter(({ tag }) => attr(tag, 'role') !== 'presentation');
    // A layout table holds no headers: a screen reader reads it as plain content.
    for (const { tag, rows } of layout)
      expect({ tag, headers: rows.flat().filter((c) => c.startsWith('th')) }).toEqual({ tag, headers: [] });
    // A data table: no other role, and a header row of column headers or a row header opening every row.
    for (const { tag, rows } of data) {
      expect({ tag, role: attr(tag, 'role') }).toEqual({ tag, role: undefined });
      const columnHeaders = rows[0]?.every((c) => c === 'th:col') ?? false;
      const rowHeaders = rows.every((r) => r[0] === 'th:row');
      expect({ tag, rows, scoped: columnHeaders || rowHeaders }).toEqual({ tag, rows, scoped: true });
      const headers = rows.flat().filter((c) => c.startsWith('th'));
      expect(headers.filter((c) => !/^th:(col|row)$/.test(c))).toEqual([]);
    }
  });

  it('has one h1 and no skipped heading level', () => {
    const levels = [...html.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    const skipped = levels.slice(1).filter((level, i) => level > (levels[i] ?? 1) + 1);
    expect(skipped).toEqual([]);
  });

  it('says where each link goes: a case deep link reads as its case number', () => {
    const links = [...html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/g)].map((m) => ({
      href: textOf(attr(`<a${m[1]}>`, 'href') ?? ''),
      text: textOf(m[2] as string),
    }));
    const shown = cases.filter((c) => links.some((l) => l.href === c.url));
    expect(links).toHaveLength(shown.length);
    for (const link of links) {
      expect(link.text).not.toMatch(/^(click here|here|link|more|read more|details|open|this)$/i);
      const c = cases.find((x) => x.url === link.href);
      expect({ link, caseNo: c?.caseNo }).toEqual({ link, caseNo: link.text });
    }
  });

  it('has no image (and so none without alt text)', () => {
    for (const [img] of html.matchAll(/<img\b[^>]*>/gi)) expect(img).toMatch(/\salt="[^"]*"/);
    expect(html).not.toMatch(/<img\b|<svg\b|background-image|url\(/i);
  });
});

describe('the table check itself', () => {
  it('catches a data table without scoped headers and a layout table with headers', () => {
    const bad = tables(
      '<table width="100%"><tr><td>a</td></tr></table><table role="presentation"><tr><th scope="col">b</th></tr></table>',
    );
    expect(bad[0]?.rows).toEqual([['td']]);
    expect(bad[1]?.rows).toEqual([['th:col']]);
  });

  it('keeps the cells of nested tables apart', () => {
    const nested = tables(
      '<table role="presentation"><tr><td><table><tr><th scope="col">x</th></tr></table></td></tr></table>',
    );
    expect(nested.map((t) => t.rows)).toEqual([[['td']], [['th:col']]]);
  });
});
