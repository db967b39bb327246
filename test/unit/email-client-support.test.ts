/**
 * The rendered HTML checked against the caniemail support data (through @jsx-email/doiuse-email)
 * for the clients the recipients read mail in: Outlook for Windows, Gmail (web, mobile web, iOS,
 * Android) and Apple Mail (macOS, iOS). A feature a client does not support fails the test unless
 * it is allow-listed below with the reason it is harmless there; so does a partly supported one.
 */
import { doIUseEmail } from '@jsx-email/doiuse-email';
import { describe, expect, it } from 'vitest';
import { type RenderedSample, renderedSamples } from '../helpers/views.js';

const CLIENTS = [
  'outlook.windows',
  'gmail.desktop-webmail',
  'gmail.mobile-webmail',
  'gmail.ios',
  'gmail.android',
  'apple-mail.macos',
  'apple-mail.ios',
];

/**
 * Features caniemail marks "not supported" by one of CLIENTS that the templates may still use,
 * with why that is harmless. Empty: the hidden preheader (`display:none`, `overflow:hidden`) and
 * `border-spacing` were flagged and removed. (The `color-scheme` meta is not in the data; it only
 * tells clients that honour it to keep the explicit colours.)
 */
const ALLOWED_UNSUPPORTED: Readonly<Record<string, string>> = {};

/**
 * Features caniemail marks "partially supported", each checked against its caveats: where a
 * caveat could bite, a test below proves the templates stay clear of it.
 */
const ALLOWED_PARTIAL: Readonly<Record<string, string>> = {
  '<body> element': 'Gmail turns <body> into a <div>; the wrapper table repeats its background and colour.',
  margin:
    'Only non-negative px margins on block text elements (no `auto`, none on <span>); `margin:0` on <body> is a reset Outlook may ignore.',
  padding:
    'Outlook pads table cells only: padding is set on <td>/<th> (and <ul>, where Outlook keeps its own indent).',
  'width attribute': 'The caveats concern <img> (there are none); on tables and cells it is honoured.',
  'height attribute': 'The caveats concern <img>; height="12" on a bar cell is honoured.',
  'max-width':
    'Outlook honours it on <table>, where it is set; Apple Mail for iOS ignores it on tables, where screens are narrower than the 960 px cap anyway (Outlook also gets an MSO-only 960 px table).',
  'font-size': 'Outlook lacks `rem`; only px sizes are used.',
  'line-height':
    'Outlook is erratic with px/em line heights; only unitless ones are used, but on the 1 px bar cells.',
  'font-weight': 'Outlook maps numbers to normal/bold; only `normal` and `bold` are used.',
  'text-decoration': 'A single value (`underline`, on links, which clients underline anyway).',
  '<ul>, <ol> and <dl>':
    'The caveats are `reversed` on <ol> and `value` on <li>; the warnings are a plain <ul> of <li>.',
  border: 'Outlook caps borders at 8 px and is unreliable on <p>/<div>; borders are 1–4 px, on cells only.',
};

// Every sample (the first is 'digest').
const samples = renderedSamples();

interface Finding {
  feature: string;
  client: string;
  level: 'unsupported' | 'partial' | 'unparsed';
}

/** What caniemail says about `html` for CLIENTS, one finding per feature and client. */
function findings(html: string): Finding[] {
  const result = doIUseEmail(html, { emailClients: CLIENTS });
  const parse = (message: string, level: Finding['level']): Finding => {
    const m = /^`(.+)` is (?:not|only partially) supported by `(.+)`$/.exec(message);
    return m
      ? { feature: m[1] as string, client: m[2] as string, level }
      : { feature: message, client: '', level: 'unparsed' };
  };
  return [
    ...(result.success ? [] : result.errors.map((e) => parse(e, 'unsupported'))),
    ...result.warnings.map((w) => parse(w, 'partial')),
  ];
}

/** The findings not allow-listed, as readable lines (empty when the HTML passes). */
function problems(html: string): string[] {
  const lines = findings(html)
    .filter((f) =>
      f.level === 'unsupported'
        ? !(f.feature in ALLOWED_UNSUPPORTED)
        : f.level === 'partial'
          ? !(f.feature in ALLOWED_PARTIAL)
          : true,
    )
    .map((f) => `${f.feature}: ${f.level} in ${f.client}`);
  // The templates keep to inline styles: a <style> block is a problem even where the data misses it.
  if (/<style\b/i.test(html)) lines.push('<style> element: the templates use inline styles only');
  return [...new Set(lines)];
}

/** Every `property: value` of every inline style, with the tag it sits on. */
function declarations(html: string): { tag: string; property: string; value: string }[] {
  const out: { tag: string; property: string; value: string }[] = [];
  for (const m of html.matchAll(/<([a-z0-9]+)\b[^>]*\sstyle="([^"]*)"/gi)) {
    for (const decl of (m[2] as string).split(';')) {
      const i = decl.indexOf(':');
      if (i > 0)
        out.push({
          tag: (m[1] as string).toLowerCase(),
          property: decl.slice(0, i).trim().toLowerCase(),
          value: decl.slice(i + 1).trim(),
        });
    }
  }
  return out;
}

describe.each(samples)('%s: email-client support (caniemail)', (_name, { email: { html } }) => {
  it('uses nothing Outlook, Gmail or Apple Mail lacks, bar the allow-listed', () => {
    expect(problems(html)).toEqual([]);
  });

  it('stays clear of the caveats of the partly supported features it uses', () => {
    const decls = declarations(html);
    const margins = decls.filter((x) => x.property === 'margin' || x.property.startsWith('margin-'));
    for (const d of margins) {
      expect(d.value).not.toMatch(/-|auto/);
      expect(d.tag).not.toBe('span');
    }
    expect(margins.filter((d) => d.tag === 'body' && d.value !== '0')).toEqual([]);
    const paddings = decls.filter((x) => x.property.startsWith('padding'));
    expect(paddings.filter((d) => d.tag === 'body' && d.value !== '0')).toEqual([]);
    for (const d of paddings.filter((x) => x.tag !== 'body')) expect(['td', 'th', 'ul']).toContain(d.tag);
    for (const d of decls.filter((x) => x.property === 'font-size')) expect(d.value).toMatch(/^\d+px$/);
    for (const d of decls.filter((x) => x.property === 'line-height'))
      expect(d.value).toMatch(/^(\d+(\.\d+)?|1px)$/);
    for (const d of decls.filter((x) => x.property === 'font-weight'))
      expect(['normal', 'bold']).toContain(d.value);
    for (const d of decls.filter((x) => x.property === 'text-decoration')) expect(d.value).toBe('underline');
    for (const d of decls.filter(
      (x) => x.property.startsWith('border') && x.property !== 'border-collapse',
    )) {
      expect(['td', 'th']).toContain(d.tag);
      for (const px of d.value.match(/\d+(?=px)/g) ?? []) expect(Number(px)).toBeLessThanOrEqual(8);
    }
    expect(html).not.toMatch(/<img\b|<ol\b|<li [^>]*\bvalue=/i);
  });
});

describe('the email-client check itself', () => {
  const [
    ,
    {
      email: { html },
    },
  ] = samples[0] as RenderedSample;
  // A cell of the headline row: outside the Outlook-only conditional comments, which the check skips.
  const cell = '<td width="33%" style="';
  const inject = (find: string, replace: string) => {
    expect(html).toContain(find);
    return html.replace(find, replace);
  };

  it('passes the templates as they are', () => {
    expect(problems(html)).toEqual([]);
  });

  it('fails a flexbox or grid layout', () => {
    expect(problems(inject(cell, `${cell}display:flex;`))).toContain(
      'display:flex: unsupported in outlook.windows',
    );
    expect(problems(inject(cell, `${cell}display:grid;`))).toContain(
      'display:grid: unsupported in gmail.desktop-webmail',
    );
  });

  it('fails a layout from a <style> block', () => {
    const styled = inject(
      '</head>',
      '<style>.col{display:inline-block;width:50%} @media (max-width:600px){.col{width:100%}}</style></head>',
    ).replace(cell, `<td class="col" width="33%" style="`);
    const found = problems(styled);
    expect(found).toContain('Class selector: unsupported in gmail.mobile-webmail');
    expect(found).toContain('@media: unsupported in outlook.windows');
    expect(found).toContain('<style> element: the templates use inline styles only');
  });

  it('fails a partly supported feature nobody has reviewed', () => {
    expect(problems(inject(cell, `${cell}display:block;`))).toContain('display: partial in outlook.windows');
  });

  it('fails what the removed preheader used', () => {
    const hidden = inject('<body style="', '<body style="').replace(
      '<table role="presentation"',
      '<div style="display:none;max-height:0;overflow:hidden">preview</div><table role="presentation"',
    );
    expect(problems(hidden)).toEqual(
      expect.arrayContaining([
        'display:none: unsupported in gmail.mobile-webmail',
        'overflow: unsupported in outlook.windows',
      ]),
    );
  });
});
