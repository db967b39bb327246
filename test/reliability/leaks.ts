/**
 * The leak check of the reliability suite: every form in which what one test produced can be read
 * (log output, thrown errors down their whole cause chain — AggregateError members and a
 * ChannelError's failures included —, results, mail with its attachments decoded), searched for
 * secrets and for phone numbers that were not masked (SPEC §4: no token or secret in a log line, an
 * error or a result; SPEC §8: phones masked in HTML, text, CSV, warnings, logs and results).
 */
import { inspect } from 'node:util';
import type { StoredEmail } from '../../sandbox/local-ses.js';

/** Something a reader can see, and where it came from. */
export interface Haystack {
  where: string;
  text: string;
}

/** JSON of anything: cycles cut, bigints as text, never throwing. */
export function serialise(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[circular]';
          seen.add(v);
        }
        return typeof v === 'bigint' ? String(v) : v;
      }) ?? String(value)
    );
  } catch (error) {
    return `unserialisable: ${String(error)}`;
  }
}

/** Every error reachable from `error`: causes, AggregateError members, a ChannelError's failures. */
export function errorTree(error: unknown): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (e === undefined || e === null || depth > 12 || seen.has(e)) return;
    seen.add(e);
    out.push(e);
    if (!(e instanceof Error)) return;
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, depth + 1);
    const failures = (e as { failures?: unknown }).failures;
    if (Array.isArray(failures)) for (const f of failures) visit((f as { error?: unknown }).error, depth + 1);
    visit(e.cause, depth + 1);
  };
  visit(error, 0);
  return out;
}

/** The ways an error can be printed: String, JSON, util.inspect, message, stack — for each error of its tree. */
export function errorForms(error: unknown): string[] {
  return errorTree(error).flatMap((e) => {
    const forms = [String(e), serialise(e), inspect(e, { depth: 8 })];
    if (e instanceof Error) forms.push(e.message, e.stack ?? '');
    return forms;
  });
}

/** One test's outputs as haystacks; attachments decoded (the CSV is where a phone would hide). */
export function haystacksOf(observed: {
  output: string;
  errors: readonly unknown[];
  results: readonly unknown[];
  mail: readonly StoredEmail[];
}): Haystack[] {
  return [
    { where: 'log output (stdout, stderr, console)', text: observed.output },
    ...observed.errors.flatMap((e, i) =>
      errorForms(e).map((text) => ({ where: `thrown error #${i}`, text })),
    ),
    ...observed.results.map((r, i) => ({ where: `result #${i}`, text: serialise(r) })),
    ...observed.mail.flatMap((m, i) => [
      { where: `email #${i}`, text: serialise(m) },
      ...m.attachments.map((a, j) => ({
        where: `email #${i} attachment #${j} (${a.filename ?? 'unnamed'})`,
        text: Buffer.from(a.content, 'base64').toString('utf8'),
      })),
    ]),
  ];
}

/** Where a secret shows up: as it is, JSON-escaped or URL-encoded. Only its first 4 characters are reported. */
export function secretLeaks(haystacks: readonly Haystack[], secrets: Iterable<string>): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
    for (const { where, text } of haystacks)
      for (const form of forms)
        if (text.includes(form)) leaks.push(`${where} contains a secret (${form.slice(0, 4)}…)`);
  }
  return leaks;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

/**
 * Every string of `lengths` digits that `text` shows in a row — also across the spaces, dots,
 * dashes, brackets and plus signs a phone number is written with. A masked phone (`•••• 4567`)
 * shows 4 digits, so no number of 10 or more digits can come from one.
 */
function digitWindows(text: string, lengths: ReadonlySet<number>): Set<string> {
  const out = new Set<string>();
  for (const match of text.matchAll(/\d[\d ().+-]*\d/g)) {
    const run = digitsOf(match[0]);
    for (const n of lengths) for (let i = 0; i + n <= run.length; i++) out.add(run.slice(i, i + n));
  }
  return out;
}

/**
 * Phone numbers shown unmasked: all their digits in a row, with or without separators (so the
 * number as served, too). Numbers of fewer than 10 digits are not searched (too many false alarms).
 */
export function unmaskedPhones(haystacks: readonly Haystack[], phones: Iterable<string>): string[] {
  const wanted = new Map<string, string>();
  for (const p of phones) if (digitsOf(p).length >= 10) wanted.set(digitsOf(p), p);
  const lengths = new Set([...wanted.keys()].map((d) => d.length));
  const leaks: string[] = [];
  for (const { where, text } of haystacks) {
    const windows = digitWindows(text, lengths);
    for (const [digits, phone] of wanted)
      if (windows.has(digits)) leaks.push(`${where} shows the phone ${phone} unmasked`);
  }
  return leaks;
}
