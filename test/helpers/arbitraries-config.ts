/**
 * Random Lambda environments (SPEC §4) and an independent verdict on each, from a model written
 * for the tests (no project code). A blank variable counts as unset, as `FOO=` in a shell.
 *
 * Where the SPEC is silent the model says `ambiguous` (either answer is acceptable; a rejection
 * must still name that variable):
 * - numbers written as `+5`, ` 24 `, `24.0`, `0x10`, `1e2`, `-0`, or beyond 2^53;
 * - `AICC_CONCURRENCY` above 64, `OVERDUE_LOOKBACK_DAYS` above 3650;
 * - lowercase zone names (`asia/dubai`), UTC-offset zones (`+04:00`: not IANA, but some
 *   runtimes accept them);
 * - addresses with display names in recipient lists, empty list items between commas,
 *   padding, dotless domains; priority codes (`3`) in ALERT_PRIORITIES;
 * - CASE_URL_TEMPLATE without `{id}`/`{caseNo}` or not http(s); AICC_BASE_URL with a query,
 *   fragment, user info or upper-case scheme;
 * - `http:` on 127.0.0.2 or other loopback spellings than the three the SPEC names;
 * - AT_RISK_HOURS or ALERT_WARN_HOURS above a year (8784); ALERT_TOPIC_FORMAT in other letter case;
 * - MAIL_FROM display names with `<`/`>`, line or paragraph separators or bidi/format characters,
 *   bare addresses on dotless domains.
 * The rules it holds to (SPEC §4, §11): AICC_BASE_URL and PAGERDUTY_EVENTS_URL are `https:` only,
 * `http:` only on 127.0.0.1, localhost or [::1]; AICC_MAX_CONCURRENCY below AICC_CONCURRENCY
 * (default 4) is refused naming both; MAIL_FROM takes any Unicode display name, quoted or not,
 * except one with control characters or a `"` in an unquoted name; PAGERDUTY_SECRET_ID is a
 * Secrets Manager name or ARN, ALERT_TOPIC_ARN a standard topic ARN, ALERT_TOPIC_FORMAT `text`
 * or `chat`, AT_RISK_HOURS ≥ 1, ALERT_WARN_HOURS ≥ 0.
 * Timer overflow and dot-atom violations are kept out of the random pools and tested on their own
 * (bad-input.test.ts), as is header injection — which the MAIL_FROM pool now also carries.
 */
import fc from 'fast-check';
import {
  AMBIGUOUS_ZONES,
  classifyAddress,
  classifySecretId,
  classifyTopicArn,
  classifyZone,
  type EventVerdict,
  INVALID_ZONES,
  namedPaths,
  type Status,
  VALID_ZONES,
} from './arbitraries-events.js';

export { INVALID_ZONES, VALID_ZONES };

export const CONFIG_VARS = [
  'AICC_BASE_URL',
  'AICC_SECRET_ID',
  'AICC_TOKEN',
  'AICC_CLIENT_ID',
  'AICC_CLIENT_SECRET',
  'AICC_TIMEZONE',
  'REPORT_TIMEZONE',
  'MAIL_FROM',
  'DIGEST_RECIPIENTS',
  'ALERT_RECIPIENTS',
  'ALERT_PRIORITIES',
  'ALERT_REPEAT_HOURS',
  'OVERDUE_LOOKBACK_DAYS',
  'CLOSED_STATES',
  'CASE_URL_TEMPLATE',
  'AICC_CONCURRENCY',
  'AICC_MAX_CONCURRENCY',
  'AT_RISK_HOURS',
  'ALERT_WARN_HOURS',
  'PAGERDUTY_SECRET_ID',
  'PAGERDUTY_ROUTING_KEY',
  'PAGERDUTY_EVENTS_URL',
  'ALERT_TOPIC_ARN',
  'ALERT_TOPIC_FORMAT',
  'AICC_TIMEOUT_MS',
  'SES_CONFIGURATION_SET',
  'IDEMPOTENCY_TABLE',
] as const;
export type ConfigVar = (typeof CONFIG_VARS)[number];
export type Env = Record<string, string | undefined>;

const CREDENTIAL_VARS = ['AICC_SECRET_ID', 'AICC_TOKEN', 'AICC_CLIENT_ID', 'AICC_CLIENT_SECRET'];

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
const worst = (...s: Status[]): Status =>
  s.includes('invalid') ? 'invalid' : s.includes('ambiguous') ? 'ambiguous' : 'valid';

/** A count written in an env var; `min` 0 or 1, `max` the largest the model calls valid. */
export function classifyCount(v: string, min: 0 | 1, max: number, aboveMax: Status): Status {
  const t = v.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < min) return 'invalid';
    if (!Number.isSafeInteger(n)) return 'ambiguous';
    if (n > max) return aboveMax;
    return t === v ? 'valid' : 'ambiguous';
  }
  const n = Number(t);
  // Digits in some other spelling (+5, 24.0, 0x10, 1e2, -0): numeric, but not how anyone writes it.
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^0[xXoObB][0-9a-fA-F]+$/.test(t)) {
    if (!Number.isFinite(n) || !Number.isInteger(n) || n < min) return 'invalid';
    return 'ambiguous';
  }
  return 'invalid';
}

function classifyList(v: string, item: (s: string) => Status): Status {
  const parts = v.split(',').map((s) => s.trim());
  const items = parts.filter((s) => s !== '');
  if (items.length === 0) return 'invalid';
  const empties: Status = items.length < parts.length ? 'ambiguous' : 'valid';
  return worst(empties, ...items.map(item));
}

function classifyPriorityName(v: string): Status {
  const t = v.toLowerCase();
  if (['low', 'medium', 'high', 'critical'].includes(t)) return 'valid';
  return ['0', '1', '2', '3'].includes(t) ? 'ambiguous' : 'invalid';
}

/** The loopback hosts on which `http:` is allowed for local runs (SPEC §4). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** AICC_BASE_URL, PAGERDUTY_EVENTS_URL: `https:`, or `http:` on a loopback host. */
function classifyServiceUrl(v: string): Status {
  const plain = /^(https?):\/\/([A-Za-z0-9.-]+|\[::1\])(?::(\d{1,5}))?(\/[A-Za-z0-9._~\-/]*)?$/.exec(v);
  if (plain) {
    const [, scheme, host = '', port] = plain;
    if (port !== undefined && Number(port) > 65_535) return 'invalid';
    if (scheme === 'https' || LOOPBACK_HOSTS.has(host)) return 'valid';
    // Loopback by another name (127.0.0.2, LOCALHOST): the SPEC names three hosts.
    return /^127\.\d+\.\d+\.\d+$/.test(host) || host.toLowerCase() === 'localhost' ? 'ambiguous' : 'invalid';
  }
  const t = v.trim();
  const shape = /^(https?):\/\/(?:[^\s/?#@]*@)?([^\s/?#:]+|\[[^\]]*\])/i.exec(t);
  if (!shape || /\s/.test(t)) return 'invalid';
  const scheme = (shape[1] ?? '').toLowerCase();
  const host = (shape[2] ?? '').toLowerCase();
  // Cleartext to a host that is not loopback is refused however the rest is written.
  if (scheme === 'http' && !LOOPBACK_HOSTS.has(host) && !/^127\./.test(host)) return 'invalid';
  return 'ambiguous';
}

/** A display name of MAIL_FROM, trimmed: any Unicode text, or a quoted string. */
function classifyDisplayName(name: string): Status {
  if (name === '' || /^"(?:[^"\\]|\\.)*"$/su.test(name)) return 'valid';
  // A `"` in an unquoted name: where would the quoted part end?
  if (name.includes('"')) return 'invalid';
  // Line and paragraph separators, bidi and other format characters: not control characters, but odd.
  if (/[\p{Zl}\p{Zp}\p{Cf}]/u.test(name)) return 'ambiguous';
  return 'valid';
}

/** MAIL_FROM: an address, or `Name <address>` with any Unicode display name. */
export function classifyMailbox(v: string): Status {
  const t = v.trim();
  if (t !== v) return worst('ambiguous', classifyMailbox(t));
  // Control characters (CR/LF) in a header value are never valid.
  if (/\p{Cc}/u.test(t)) return 'invalid';
  const named = /^([^<>]*)<([^<>]*)>$/su.exec(t);
  if (named) {
    const address = classifyAddress((named[2] ?? '').trim());
    if (address === 'invalid') return 'invalid';
    return worst(address, classifyDisplayName((named[1] ?? '').trim()));
  }
  // `A <b> <addr>`: angle brackets inside the name. Unusual; the SPEC does not say.
  const last = /<([^<>]*)>$/.exec(t);
  if (last && classifyAddress((last[1] ?? '').trim()) !== 'invalid') return 'ambiguous';
  if (t.includes('<') || t.includes('>')) return 'invalid';
  return classifyAddress(t);
}

function classifyTopicFormat(v: string): Status {
  if (v === 'text' || v === 'chat') return 'valid';
  return ['text', 'chat'].includes(v.trim().toLowerCase()) ? 'ambiguous' : 'invalid';
}

function classifyVar(name: ConfigVar, v: string | undefined): Status {
  if (!present(v)) return name === 'AICC_BASE_URL' || name === 'MAIL_FROM' ? 'invalid' : 'valid';
  switch (name) {
    case 'AICC_BASE_URL':
    case 'PAGERDUTY_EVENTS_URL':
      return classifyServiceUrl(v);
    case 'AICC_TIMEZONE':
    case 'REPORT_TIMEZONE':
      return classifyZone(v);
    case 'MAIL_FROM':
      return classifyMailbox(v);
    case 'DIGEST_RECIPIENTS':
    case 'ALERT_RECIPIENTS':
      return classifyList(v, (a) => {
        const s = classifyAddress(a);
        return s === 'valid' || s === 'invalid' ? s : 'ambiguous';
      });
    case 'ALERT_PRIORITIES':
      return classifyList(v, classifyPriorityName);
    case 'CLOSED_STATES':
      return classifyList(v, () => 'valid');
    case 'ALERT_REPEAT_HOURS':
      return classifyCount(v, 0, Number.MAX_SAFE_INTEGER, 'valid');
    case 'OVERDUE_LOOKBACK_DAYS':
      return classifyCount(v, 1, 3650, 'ambiguous');
    case 'AICC_CONCURRENCY':
    case 'AICC_MAX_CONCURRENCY':
      return classifyCount(v, 1, 64, 'ambiguous');
    case 'AT_RISK_HOURS':
      return classifyCount(v, 1, 8784, 'ambiguous');
    case 'ALERT_WARN_HOURS':
      return classifyCount(v, 0, 8784, 'ambiguous');
    case 'PAGERDUTY_SECRET_ID':
      return classifySecretId(v);
    case 'ALERT_TOPIC_ARN':
      return classifyTopicArn(v);
    case 'ALERT_TOPIC_FORMAT':
      return classifyTopicFormat(v);
    case 'AICC_TIMEOUT_MS':
      // Above 2^31−1 ms a Node timer fires after 1 ms (invalid, its own test); above Lambda's
      // 15 minutes the SPEC is silent, and the project refuses it.
      return classifyCount(v, 1, 900_000, 'ambiguous');
    case 'CASE_URL_TEMPLATE':
      return /^https:\/\/[^\s]+$/.test(v) && (v.includes('{id}') || v.includes('{caseNo}'))
        ? 'valid'
        : 'ambiguous';
    default:
      return 'valid';
  }
}

/** A count variable's value when it is set and cleanly valid; `default` when unset; null otherwise. */
function countOf(env: Env, name: ConfigVar, fallback: number | null): number | null {
  const v = env[name];
  if (!present(v)) return fallback;
  return classifyVar(name, v) === 'valid' ? Number(v) : null;
}

/** The model's verdict on one environment; paths are variable names. */
export function classifyEnv(env: Env): EventVerdict {
  const invalid: string[] = [];
  const ambiguous: string[] = [];
  for (const name of CONFIG_VARS) {
    const s = classifyVar(name, env[name]);
    if (s === 'invalid') invalid.push(name);
    else if (s === 'ambiguous') ambiguous.push(name);
  }
  // Cross-variable rules: each a group of names, of which a rejection names …
  const groups: { names: string[]; all: boolean }[] = [];
  const hasCredentials =
    present(env.AICC_SECRET_ID) ||
    present(env.AICC_TOKEN) ||
    (present(env.AICC_CLIENT_ID) && present(env.AICC_CLIENT_SECRET));
  // … one, for the missing credentials (any of them would do);
  if (!hasCredentials) groups.push({ names: CREDENTIAL_VARS, all: false });
  // … both, for a concurrency ceiling below its start (SPEC §11: "naming both").
  const concurrency = countOf(env, 'AICC_CONCURRENCY', 4);
  const ceiling = countOf(env, 'AICC_MAX_CONCURRENCY', concurrency);
  const concurrencyPair = ['AICC_MAX_CONCURRENCY', 'AICC_CONCURRENCY'];
  if (concurrency !== null && ceiling !== null && ceiling < concurrency)
    groups.push({ names: concurrencyPair, all: true });
  // An unclear value on either side: the rule may or may not apply.
  const pairUnclear = concurrencyPair.some((n) => ambiguous.includes(n));

  const crossNames = groups.flatMap((g) => g.names);
  const may = new Set([...invalid, ...ambiguous, ...crossNames, ...(pairUnclear ? concurrencyPair : [])]);
  if (invalid.length) return { outcome: 'reject', mustName: invalid, mustNameOneOf: [], mayName: may };
  if (groups.length === 1 && ambiguous.length === 0) {
    const [g] = groups as [{ names: string[]; all: boolean }];
    return g.all
      ? { outcome: 'reject', mustName: g.names, mustNameOneOf: [], mayName: may }
      : { outcome: 'reject', mustName: [], mustNameOneOf: g.names, mayName: may };
  }
  if (groups.length)
    return { outcome: 'reject', mustName: [], mustNameOneOf: [...crossNames, ...ambiguous], mayName: may };
  if (ambiguous.length) return { outcome: 'either', mustName: [], mustNameOneOf: ambiguous, mayName: may };
  return { outcome: 'accept', mustName: [], mustNameOneOf: [], mayName: may };
}

/**
 * Named variables of a `ConfigError` message: each issue's path (an issue inside a list, `X.1`,
 * names `X`) — or, for an issue about several variables, every variable it mentions.
 */
export function namedVars(message: string): string[] {
  const known = new Set<string>(CONFIG_VARS);
  return [
    ...new Set(
      namedPaths(message).flatMap((p) => {
        const head = p.split('.')[0] as string;
        if (/^[A-Z][A-Z0-9_]*$/.test(head)) return [head];
        return (p.match(/\b[A-Z][A-Z0-9_]*\b/g) ?? []).filter((w) => known.has(w));
      }),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Generators.

type Mode = 'mostly-valid' | 'wild';

/** Weights of unset / blank / valid / invalid / ambiguous values in each mode. */
const WEIGHTS: Record<Mode, [number, number, number, number, number]> = {
  'mostly-valid': [6, 1, 30, 1, 1],
  wild: [3, 1, 6, 2, 1],
};

/** A variable is unset, blank, or drawn from its pools of valid / invalid / ambiguous values. */
function variable(
  mode: Mode,
  valid: string[],
  invalid: string[],
  ambiguous: string[] = [],
  required = false,
) {
  const [unset, blank, ok, bad, odd] = WEIGHTS[mode];
  const arbs: fc.WeightedArbitrary<string | undefined>[] = [
    { weight: required ? 1 : unset, arbitrary: fc.constant(undefined) },
    { weight: blank, arbitrary: fc.constantFrom('', ' ', '\t') },
    { weight: required ? ok * 2 : ok, arbitrary: fc.constantFrom(...valid) },
  ];
  if (invalid.length) arbs.push({ weight: bad, arbitrary: fc.constantFrom(...invalid) });
  if (ambiguous.length) arbs.push({ weight: odd, arbitrary: fc.constantFrom(...ambiguous) });
  return fc.oneof(...arbs);
}

/** Pools of a service URL (AICC_BASE_URL, PAGERDUTY_EVENTS_URL): valid, invalid, ambiguous. */
const SERVICE_URLS = (https: string[]): [string[], string[], string[]] => [
  [
    ...https,
    `${https[0]}/`,
    'http://127.0.0.1:8787',
    'http://localhost:8787/',
    'http://[::1]:8787',
    'https://[::1]:8443',
  ],
  [
    'service.besclouds.com',
    'ftp://service.besclouds.com',
    'not a url',
    'https://',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'http://exa mple.com',
    'https://example.com:99999',
    'http://service.besclouds.com',
    'http://events.pagerduty.com/v2/enqueue',
    'http://localhost.example.com:8787',
    'HTTP://service.besclouds.com',
  ],
  [
    'HTTPS://service.besclouds.com',
    'https://service.besclouds.com/?tenant=1',
    'https://user:pw@service.besclouds.com',
    'http://127.0.0.2:8787',
    'http://LOCALHOST:8787',
  ],
];

const VALID_ADDRESSES = ['digest@example.com', 'on-call+pager@example.org', 'first.last@sub.example.co.uk'];
const INVALID_ADDRESSES = [
  'digest',
  'digest@',
  '@example.com',
  'a b@example.com',
  'a@@example.com',
  'a@exa mple.com',
];

const addressList = (mode: Mode) => {
  const [unset, , ok, bad, odd] = WEIGHTS[mode];
  return fc.oneof(
    { weight: unset, arbitrary: fc.constant(undefined) },
    {
      weight: ok,
      arbitrary: fc
        .array(fc.constantFrom(...VALID_ADDRESSES), { minLength: 1, maxLength: 3 })
        .map((a) => a.join(', ')),
    },
    {
      weight: bad,
      arbitrary: fc
        .tuple(
          fc.array(fc.constantFrom(...VALID_ADDRESSES), { maxLength: 2 }),
          fc.constantFrom(...INVALID_ADDRESSES, ' '),
        )
        .map(([good, wrong]) => [...good, wrong].join(',')),
    },
    { weight: bad, arbitrary: fc.constantFrom(',', ' , ', ',,,', 'a@example.com;b@example.com') },
    {
      weight: odd,
      arbitrary: fc.constantFrom('a@example.com,,b@example.com', 'Lead <lead@example.com>', 'lead@localhost'),
    },
  );
};

const counts = (mode: Mode, validPool: string[], invalidPool: string[], ambiguousPool: string[]) => {
  const [unset, blank, ok, bad, odd] = WEIGHTS[mode];
  return fc.oneof(
    { weight: unset, arbitrary: fc.constant(undefined) },
    { weight: blank, arbitrary: fc.constant('') },
    { weight: ok, arbitrary: fc.constantFrom(...validPool) },
    { weight: bad, arbitrary: fc.constantFrom(...invalidPool) },
    { weight: odd, arbitrary: fc.constantFrom(...ambiguousPool) },
    { weight: bad, arbitrary: fc.integer({ min: -1_000, max: 100_000 }).map(String) },
  );
};
const BAD_NUMBERS = [
  '-1',
  '-24',
  '1.5',
  '0.5',
  'abc',
  '24h',
  'NaN',
  'Infinity',
  '-Infinity',
  '1,000',
  '1_000',
  'true',
  '½',
];
const ODD_NUMBERS = ['+5', ' 24 ', '24.0', '0x10', '1e2', '99999999999999999999'];

export const envArb = (mode: Mode): fc.Arbitrary<Env> =>
  fc
    .record({
      AICC_BASE_URL: variable(
        mode,
        ...SERVICE_URLS(['https://service.besclouds.com', 'https://aicc.example.com/tenant-1']),
        true,
      ),
      // One credential source, several, or none (only the client id, or blanks).
      credentials: fc.oneof(
        {
          weight: mode === 'wild' ? 2 : 8,
          arbitrary: fc.constantFrom<Env>(
            { AICC_SECRET_ID: 'aicc/case-digest' },
            { AICC_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:aicc-AbCdEf' },
            { AICC_TOKEN: 'sandbox-token' },
            { AICC_CLIENT_ID: 'client-1', AICC_CLIENT_SECRET: 's3cr3t' },
            { AICC_SECRET_ID: 'aicc/case-digest', AICC_TOKEN: 'sandbox-token' },
            { AICC_SECRET_ID: ' ', AICC_TOKEN: 'sandbox-token' },
          ),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom<Env>(
            {},
            { AICC_CLIENT_ID: 'client-1' },
            { AICC_CLIENT_SECRET: 's3cr3t' },
            { AICC_SECRET_ID: '', AICC_TOKEN: ' ' },
            { AICC_CLIENT_ID: 'client-1', AICC_CLIENT_SECRET: '\t' },
          ),
        },
      ),
      AICC_TIMEZONE: variable(mode, VALID_ZONES, INVALID_ZONES, AMBIGUOUS_ZONES),
      REPORT_TIMEZONE: variable(mode, VALID_ZONES, INVALID_ZONES, AMBIGUOUS_ZONES),
      MAIL_FROM: variable(
        mode,
        [
          'digest@example.com',
          'Case Digest <digest@example.com>',
          'Ops <ops@sub.example.org>',
          '"Digest, Ops" <digest@example.com>',
          'Acme, Inc. <digest@example.com>',
          'تقرير الحالات <digest@example.com>',
          'Équipe Résumé <digest@example.com>',
          '案件ダイジェスト <digest@example.com>',
          'Digest 🚨 <digest@example.com>',
          '"Quote \\"Me\\"" <digest@example.com>',
          'Case=?Digest <digest@example.com>',
          '<digest@example.com>',
        ],
        [
          'Case "Digest" <digest@example.com>',
          '"Unclosed <digest@example.com>',
          'Case\u0007Digest <digest@example.com>',
          'Case Digest\r\nBcc: attacker@example.net <digest@example.com>',
          'digest',
          'Case Digest',
          'Case Digest <digest>',
          '<>',
          'Case Digest <>',
          'a@example.com, b@example.com',
          '<digest@example.com',
          'digest@example.com>',
          'Digest <a@example.com> extra',
        ],
        [
          'digest@localhost',
          'A <b> <digest@example.com>',
          'Digest\u202E <digest@example.com>',
          'Line\u2028Sep <digest@example.com>',
        ],
        true,
      ),
      DIGEST_RECIPIENTS: addressList(mode),
      ALERT_RECIPIENTS: addressList(mode),
      ALERT_PRIORITIES: variable(
        mode,
        [
          'Critical',
          'Critical,High',
          'critical',
          ' High , Critical ',
          'Low,Medium,High,Critical',
          'CRITICAL,critical',
        ],
        ['Urgent', 'Critical,Urgent', ',', ' , ', 'P1', 'Critical;High', 'Highest'],
        ['3', 'Critical,,High', '2,3'],
      ),
      ALERT_REPEAT_HOURS: counts(mode, ['0', '1', '24', '168', '007'], BAD_NUMBERS, ODD_NUMBERS),
      OVERDUE_LOOKBACK_DAYS: counts(
        mode,
        ['1', '30', '90', '366', '3650'],
        ['0', ...BAD_NUMBERS],
        [...ODD_NUMBERS, '3651', '100000'],
      ),
      CLOSED_STATES: variable(
        mode,
        ['Completed', 'Completed,Closed,Cancelled', 'Done, Resolved '],
        [',', ' , ,'],
        ['Completed,,Closed'],
      ),
      CASE_URL_TEMPLATE: variable(
        mode,
        ['https://aicc.example.com/case/{id}', 'https://aicc.example.com/c?no={caseNo}'],
        [],
        ['https://aicc.example.com/case', 'javascript:alert({id})', 'not a url {id}'],
      ),
      AICC_CONCURRENCY: counts(
        mode,
        ['1', '4', '16', '64'],
        ['0', ...BAD_NUMBERS],
        [...ODD_NUMBERS, '65', '1000'],
      ),
      AICC_MAX_CONCURRENCY: counts(
        mode,
        ['4', '8', '16', '64', '6'],
        ['0', ...BAD_NUMBERS],
        [...ODD_NUMBERS, '65', '1000'],
      ),
      AT_RISK_HOURS: counts(
        mode,
        ['1', '24', '48', '168', '8784'],
        ['0', ...BAD_NUMBERS],
        [...ODD_NUMBERS, '8785'],
      ),
      ALERT_WARN_HOURS: counts(mode, ['0', '1', '2', '24', '8784'], BAD_NUMBERS, [...ODD_NUMBERS, '8785']),
      PAGERDUTY_SECRET_ID: variable(
        mode,
        ['aicc/pagerduty', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:aicc/pagerduty-AbCdEf'],
        ['has space', 'bad#char', 'arn:aws:sns:eu-west-1:123456789012:oncall', 'x'.repeat(513)],
      ),
      PAGERDUTY_ROUTING_KEY: variable(mode, ['R0UT1NGKEY0123456789abcdef012345'], []),
      PAGERDUTY_EVENTS_URL: variable(
        mode,
        ...SERVICE_URLS([
          'https://events.pagerduty.com/v2/enqueue',
          'https://events.eu.pagerduty.com/v2/enqueue',
        ]),
      ),
      ALERT_TOPIC_ARN: variable(
        mode,
        [
          'arn:aws:sns:eu-west-1:123456789012:oncall',
          'arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts_2',
        ],
        [
          'oncall',
          'arn:aws:sqs:eu-west-1:123456789012:queue',
          'arn:aws:sns:eu-west-1:12345:oncall',
          'arn:aws:sns:eu-west-1:123456789012:on call',
          'arn:aws:sns:eu-west-1:123456789012:oncall:0b6941c4-f7a0-4a64-8a1b-6a5c7b1f7b1e',
        ],
        ['arn:aws:sns:eu-west-1:123456789012:oncall.fifo', ' arn:aws:sns:eu-west-1:123456789012:oncall'],
      ),
      ALERT_TOPIC_FORMAT: variable(
        mode,
        ['text', 'chat'],
        ['markdown', 'json', 'slack', 'txt'],
        ['Text', 'CHAT', ' chat '],
      ),
      AICC_TIMEOUT_MS: counts(
        mode,
        ['1', '2000', '15000', '900000', '2147483647'],
        ['0', ...BAD_NUMBERS],
        ODD_NUMBERS.slice(0, 5),
      ),
      SES_CONFIGURATION_SET: variable(mode, ['digest-config-set'], []),
      IDEMPOTENCY_TABLE: variable(mode, ['case-digest-idempotency'], []),
      // Unrelated variables a Lambda environment always has, and near-misses of ours.
      noise: fc.subarray([
        ['PATH', '/usr/bin'],
        ['AWS_REGION', 'eu-west-1'],
        ['mail_from', 'not-an-address'],
        ['AICC_BASEURL', 'nonsense'],
        ['DIGEST_RECIPIENT', 'nonsense'],
      ] as [string, string][]),
    })
    .map(({ noise, credentials, ...vars }) => {
      const env: Env = { ...Object.fromEntries(noise), ...credentials };
      // AICC_TIMEOUT_MS from the random integers may overflow a timer only above 2^31: not here.
      for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
      return env;
    });
