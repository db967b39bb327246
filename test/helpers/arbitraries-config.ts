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
 *   fragment, user info or upper-case scheme.
 * Values that are invalid but expose known weaknesses (timer overflow, header injection,
 * dot-atom violations) are kept out of the random pools and tested on their own.
 */
import fc from 'fast-check';
import { classifyAddress, type EventVerdict, namedPaths, type Status } from './arbitraries-events.js';

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
  'AICC_TIMEOUT_MS',
  'SES_CONFIGURATION_SET',
  'IDEMPOTENCY_TABLE',
] as const;
export type ConfigVar = (typeof CONFIG_VARS)[number];
export type Env = Record<string, string | undefined>;

const CREDENTIAL_VARS = ['AICC_SECRET_ID', 'AICC_TOKEN', 'AICC_CLIENT_ID', 'AICC_CLIENT_SECRET'];

export const VALID_ZONES = [
  'UTC',
  'Asia/Dubai',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
  'Etc/GMT+4',
  'US/Pacific',
];
export const INVALID_ZONES = [
  'Mars/Olympus',
  'Asia/Dubaii',
  'Dubai',
  'Europe/Londn',
  'America/NewYork',
  'GMT+4',
  'UTC+4',
  'Z',
  'Local',
  '+0400',
  'Asia/Dubai/Extra',
  'undefined',
];
const AMBIGUOUS_ZONES = ['asia/dubai', 'utc', '+04:00'];

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
const worst = (...s: Status[]): Status =>
  s.includes('invalid') ? 'invalid' : s.includes('ambiguous') ? 'ambiguous' : 'valid';

function classifyZone(v: string): Status {
  const t = v.trim();
  if (VALID_ZONES.includes(t)) return t === v ? 'valid' : 'ambiguous';
  if (INVALID_ZONES.includes(t)) return 'invalid';
  return 'ambiguous';
}

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

function classifyUrl(v: string): Status {
  if (/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~\-/]*)?$/.test(v)) {
    const port = /:(\d+)/.exec(v.slice(8))?.[1];
    return port === undefined || Number(port) <= 65_535 ? 'valid' : 'invalid';
  }
  if (!/^https?:\/\/[^\s/?#]+/i.test(v.trim()) || /\s/.test(v.trim())) return 'invalid';
  return 'ambiguous';
}

/** MAIL_FROM: an address, or `Name <address>`. */
export function classifyMailbox(v: string): Status {
  const t = v.trim();
  if (t !== v) return worst('ambiguous', classifyMailbox(t));
  // Control characters (CR/LF) in a header value are never valid; they are tested on their own.
  if (/[\p{Cc}]/u.test(t)) return 'invalid';
  const named = /^([^<>]*)<([^<>]*)>$/.exec(t);
  if (named) {
    const name = (named[1] ?? '').trim();
    const address = classifyAddress(named[2] ?? '');
    if (address === 'invalid') return 'invalid';
    return /^[A-Za-z0-9 .'_-]*$/.test(name) ? address : worst('ambiguous', address);
  }
  if (t.includes('<') || t.includes('>')) return 'invalid';
  return classifyAddress(t);
}

function classifyVar(name: ConfigVar, v: string | undefined): Status {
  if (!present(v)) return name === 'AICC_BASE_URL' || name === 'MAIL_FROM' ? 'invalid' : 'valid';
  switch (name) {
    case 'AICC_BASE_URL':
      return classifyUrl(v);
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
      return classifyCount(v, 1, 64, 'ambiguous');
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

/** The model's verdict on one environment; paths are variable names. */
export function classifyEnv(env: Env): EventVerdict {
  const invalid: string[] = [];
  const ambiguous: string[] = [];
  for (const name of CONFIG_VARS) {
    const s = classifyVar(name, env[name]);
    if (s === 'invalid') invalid.push(name);
    else if (s === 'ambiguous') ambiguous.push(name);
  }
  const hasCredentials =
    present(env.AICC_SECRET_ID) ||
    present(env.AICC_TOKEN) ||
    (present(env.AICC_CLIENT_ID) && present(env.AICC_CLIENT_SECRET));
  const cross = hasCredentials ? [] : CREDENTIAL_VARS;
  const may = new Set([...invalid, ...ambiguous, ...cross]);
  if (invalid.length) return { outcome: 'reject', mustName: invalid, mustNameOneOf: [], mayName: may };
  if (cross.length)
    return { outcome: 'reject', mustName: [], mustNameOneOf: [...cross, ...ambiguous], mayName: may };
  if (ambiguous.length) return { outcome: 'either', mustName: [], mustNameOneOf: ambiguous, mayName: may };
  return { outcome: 'accept', mustName: [], mustNameOneOf: [], mayName: may };
}

/** Named variables of a `ConfigError` message (an issue inside a list, `X.1`, names `X`). */
export function namedVars(message: string): string[] {
  return [...new Set(namedPaths(message).map((p) => p.split('.')[0] as string))];
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
        [
          'https://service.besclouds.com',
          'https://service.besclouds.com/',
          'http://127.0.0.1:8787',
          'https://aicc.example.com/tenant-1',
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
        ],
        [
          'HTTPS://service.besclouds.com',
          'https://service.besclouds.com/?tenant=1',
          'https://user:pw@service.besclouds.com',
        ],
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
        ['digest@example.com', 'Case Digest <digest@example.com>', 'Ops <ops@sub.example.org>'],
        [
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
        ['"Digest, Ops" <digest@example.com>', 'digest@localhost'],
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
