/**
 * The idempotency key of an event (SPEC §8): the same event in another spelling shares it, any other
 * event does not. Events are generated from a model (what the event means) and spelled at random
 * (priority names or codes, address order and case, instants with or without millis or offsets,
 * defaults given or left out, dryRun either way).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../functions/case-digest/events.js';

const clock = () => new Date('2026-11-27T12:34:56Z');
const keyOf = (event: Record<string, unknown>) => parseEvent(event, clock).eventKey;

// --- What an event means ---------------------------------------------------------------------------

const PRIORITY_CODE = { Low: 0, Medium: 1, High: 2, Critical: 3 } as const;
const ORIGIN_CODE = { Email: 0, Voice: 1, webchat: 2, Whatsapp: 3 } as const;
type Priority = keyof typeof PRIORITY_CODE;
type Origin = keyof typeof ORIGIN_CODE;
const PRIORITIES = Object.keys(PRIORITY_CODE) as Priority[];
const ORIGINS = Object.keys(ORIGIN_CODE) as Origin[];

/** Instants as epoch seconds; spelled as ISO text in several forms. */
const INSTANTS = [Date.UTC(2026, 10, 27, 2), Date.UTC(2026, 10, 27, 2, 0, 1), Date.UTC(2026, 10, 28, 2)].map(
  (ms) => ms / 1000,
);
const ADDRESSES = ['lead@example.com', 'ops@example.com', 'night.shift@example.org'];
const RANGES = [
  { from: '2026-11-01', to: '2026-11-15' },
  { from: '2026-11-01', to: '2026-11-16' },
  { from: '2026-10-31', to: '2026-11-15' },
  { from: '2026-11-01 08:00:00', to: '2026-11-01 09:59:59' },
];

interface Filters {
  priority?: Priority | undefined;
  origin?: Origin | undefined;
  ownerId?: string | undefined;
  queueId?: string | undefined;
}
interface Common {
  report?: string | undefined;
  title?: string | undefined;
  timezone?: string | undefined;
  scheduledTime?: number | undefined;
  at?: number | undefined;
  /** Lower case, each once, sorted. */
  recipients?: string[] | undefined;
}
interface DigestModel extends Common {
  job: 'digest';
  range?: { from: string; to: string } | undefined;
  filters: Filters;
}
interface AlertModel extends Common {
  job: 'overdue-alert';
  filters: Omit<Filters, 'priority'>;
  intervalMinutes: number;
  /** Each once, in canonical order. */
  priorities?: Priority[] | undefined;
  repeatHours?: number | undefined;
  warnHours?: number | undefined;
  pagerdutySecretId?: string | undefined;
  topicArn?: string | undefined;
}
type Model = DigestModel | AlertModel;

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const setOf = <T>(values: readonly T[]) =>
  fc.subarray([...values], { minLength: 1 }).map((xs) => values.filter((v) => xs.includes(v)));

/** One arbitrary per field, so a test can replace exactly one field with another value. */
const commonFields = {
  report: maybe(fc.constantFrom('emea-voice', 'oncall-emea', 'daily')),
  title: maybe(fc.constantFrom('EMEA voice', 'On-call EMEA', 'emea-voice')),
  timezone: maybe(fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Dubai')),
  scheduledTime: maybe(fc.constantFrom(...INSTANTS)),
  at: maybe(fc.constantFrom(...INSTANTS)),
  recipients: maybe(setOf(ADDRESSES)),
};
const digestFields = {
  ...commonFields,
  range: maybe(fc.constantFrom(...RANGES)),
  filters: fc.record(
    {
      priority: fc.constantFrom(...PRIORITIES),
      origin: fc.constantFrom(...ORIGINS),
      ownerId: fc.constantFrom('o1', 'o2'),
      queueId: fc.constantFrom('q-emea', 'q-apac'),
    },
    { requiredKeys: [] },
  ),
};
const alertFields = {
  ...commonFields,
  filters: fc.record(
    {
      origin: fc.constantFrom(...ORIGINS),
      ownerId: fc.constantFrom('o1', 'o2'),
      queueId: fc.constantFrom('q-emea', 'q-apac'),
    },
    { requiredKeys: [] },
  ),
  intervalMinutes: fc.constantFrom(15, 60, 1440),
  priorities: maybe(setOf(PRIORITIES)),
  repeatHours: maybe(fc.constantFrom(0, 4, 24)),
  warnHours: maybe(fc.constantFrom(0, 2, 24)),
  pagerdutySecretId: maybe(fc.constantFrom('aicc/pagerduty-emea', 'aicc/pagerduty-apac')),
  topicArn: maybe(
    fc.constantFrom(
      'arn:aws:sns:eu-west-1:123456789012:oncall',
      'arn:aws:sns:eu-west-1:123456789012:oncall-2',
    ),
  ),
};
const digestModel: fc.Arbitrary<DigestModel> = fc
  .record(digestFields, { requiredKeys: ['filters'] })
  .map((m) => ({ ...m, job: 'digest' as const }));
const alertModel: fc.Arbitrary<AlertModel> = fc
  .record(alertFields, { requiredKeys: ['filters', 'intervalMinutes'] })
  .map((m) => ({ ...m, job: 'overdue-alert' as const }));
const model: fc.Arbitrary<Model> = fc.oneof(digestModel, alertModel);

// --- How an event may be spelled ------------------------------------------------------------------

/** A name in any case, or its code as text or as a number. */
const codeSpelling = (name: string, code: number) =>
  fc.constantFrom<string | number>(name, name.toLowerCase(), name.toUpperCase(), String(code), code);

const instantSpelling = (seconds: number) => {
  const iso = new Date(seconds * 1000).toISOString(); // …T02:00:00.000Z
  const plus4 = new Date(seconds * 1000 + 4 * 3_600_000).toISOString().slice(0, 19);
  const minus0530 = new Date(seconds * 1000 - 5.5 * 3_600_000).toISOString().slice(0, 19);
  return fc.constantFrom(
    iso,
    iso.replace('.000Z', 'Z'),
    iso.replace('.000Z', '+00:00'),
    `${plus4}+04:00`,
    `${minus0530}.000-05:30`,
  );
};

const randomCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''));

/** The same people: any order, any case, some twice, spaces around. */
const recipientsSpelling = (addresses: readonly string[]) =>
  fc
    .tuple(
      fc.shuffledSubarray([...addresses], { minLength: addresses.length, maxLength: addresses.length }),
      fc.subarray([...addresses]),
    )
    .chain(([order, twice]) =>
      fc.tuple(...[...order, ...twice].map((a) => fc.tuple(randomCase(a), fc.constantFrom('', ' ')))),
    )
    .map((spelled) => spelled.map(([a, pad]) => `${pad}${a}${pad}`));

const optionalKey = <T>(key: string, value: T | undefined, spelled?: fc.Arbitrary<unknown>) =>
  value === undefined ? fc.constant({}) : (spelled ?? fc.constant(value)).map((v) => ({ [key]: v }));

/** Equal spellings of a model, as an event object. */
function spell(m: Model): fc.Arbitrary<Record<string, unknown>> {
  const { origin, ownerId, queueId } = m.filters;
  const priority = m.job === 'digest' ? m.filters.priority : undefined;
  const filters = fc
    .tuple(
      optionalKey('priority', priority, priority && codeSpelling(priority, PRIORITY_CODE[priority])),
      optionalKey('origin', origin, origin && codeSpelling(origin, ORIGIN_CODE[origin])),
      optionalKey('ownerId', ownerId),
      optionalKey('extended', queueId && { queueId }),
    )
    .map((parts) => Object.assign({}, ...parts) as Record<string, unknown>)
    // No filter: left out, or an empty object.
    .chain((f) =>
      Object.keys(f).length === 0 ? fc.constantFrom({}, { filters: {} }) : fc.constant({ filters: f }),
    );
  const common = fc.tuple(
    optionalKey('report', m.report),
    optionalKey(
      'title',
      m.title,
      m.title !== undefined ? fc.constantFrom(m.title, ` ${m.title} `) : undefined,
    ),
    optionalKey('timezone', m.timezone),
    optionalKey(
      'scheduledTime',
      m.scheduledTime,
      m.scheduledTime !== undefined ? instantSpelling(m.scheduledTime) : undefined,
    ),
    optionalKey('at', m.at, m.at !== undefined ? instantSpelling(m.at) : undefined),
    optionalKey('recipients', m.recipients, m.recipients && recipientsSpelling(m.recipients)),
    fc.constantFrom({}, { dryRun: true }, { dryRun: false }),
    filters,
  );
  if (m.job === 'digest')
    return common.map((parts) => Object.assign({ job: 'digest' }, ...parts, m.range ?? {}));
  const priorities =
    m.priorities &&
    fc
      .tuple(
        fc.shuffledSubarray([...m.priorities], {
          minLength: m.priorities.length,
          maxLength: m.priorities.length,
        }),
        fc.subarray([...m.priorities]),
      )
      .chain(([order, twice]) =>
        fc.tuple(...[...order, ...twice].map((p) => codeSpelling(p, PRIORITY_CODE[p]))),
      );
  return fc
    .tuple(
      common,
      m.intervalMinutes === 60
        ? fc.constantFrom({}, { intervalMinutes: 60 })
        : fc.constant({ intervalMinutes: m.intervalMinutes }),
      optionalKey('priorities', m.priorities, priorities),
      optionalKey('repeatHours', m.repeatHours),
      optionalKey('warnHours', m.warnHours),
      optionalKey('pagerdutySecretId', m.pagerdutySecretId),
      optionalKey('topicArn', m.topicArn),
    )
    .map(([parts, ...rest]) => Object.assign({ job: 'overdue-alert' }, ...parts, ...rest));
}

/** A model and another that differs from it in exactly one field. */
const modelAndOneChange: fc.Arbitrary<[Model, Model, string]> = model.chain((m) => {
  const fields: Record<string, fc.Arbitrary<unknown>> = m.job === 'digest' ? digestFields : alertFields;
  return fc
    .constantFrom(...Object.keys(fields))
    .chain((field) =>
      (fields[field] as fc.Arbitrary<unknown>).map((value) => [m, { ...m, [field]: value } as Model, field]),
    );
});

const sameMeaning = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** What an event means: a report's title defaults to its name (SPEC §5), so leaving it out says the same. */
const canonical = (m: Model) =>
  JSON.parse(
    JSON.stringify({ ...m, title: m.title ?? m.report }, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
    ),
  );

describe('eventKey (property)', () => {
  it('is the same for any two spellings of the same event', () => {
    fc.assert(
      fc.property(
        model.chain((m) => fc.tuple(spell(m), spell(m))),
        ([a, b]) => {
          expect(keyOf(a)).toBe(keyOf(b));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('differs when any one field of the event means something else', () => {
    fc.assert(
      fc.property(
        modelAndOneChange.chain(([m1, m2, field]) =>
          fc.tuple(fc.constant(field), spell(m1), spell(m2), fc.constant([m1, m2])),
        ),
        ([field, a, b, [m1, m2]]) => {
          fc.pre(!sameMeaning(canonical(m1 as Model), canonical(m2 as Model)));
          expect({ field, key: keyOf(a) }).not.toEqual({ field, key: keyOf(b) });
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe('eventKey (cases)', () => {
  const T = '2026-11-27T02:00:00Z';
  const digest = { job: 'digest', scheduledTime: T };
  const alert = { job: 'overdue-alert', scheduledTime: T };

  it('reads job, report and scheduledTime, then a hash', () => {
    expect(keyOf({ ...digest, report: 'emea-voice' })).toMatch(
      /^digest#emea-voice#2026-11-27T02:00:00\.000Z#[A-Za-z0-9_-]{22}$/,
    );
    expect(keyOf(alert)).toMatch(/^overdue-alert#-#2026-11-27T02:00:00\.000Z#[A-Za-z0-9_-]{22}$/);
  });

  it.each([
    [
      'a priority filter by name or code',
      { filters: { priority: 'Critical' } },
      { filters: { priority: 3 } },
    ],
    ['an origin by name or code', { filters: { origin: 'email' } }, { filters: { origin: '0' } }],
    [
      'recipients in another order and case',
      { recipients: ['B@example.com', 'a@example.com'] },
      { recipients: ['a@example.com', 'b@Example.COM'] },
    ],
    [
      'scheduledTime with or without millis',
      { scheduledTime: T },
      { scheduledTime: '2026-11-27T02:00:00.000Z' },
    ],
    ['scheduledTime at another offset', { scheduledTime: T }, { scheduledTime: '2026-11-27T06:00:00+04:00' }],
    ['dryRun true or false', { dryRun: true }, { dryRun: false }],
    ['dryRun given or not', { dryRun: true }, {}],
    ['empty filters given or not', { filters: {} }, {}],
  ])('is equal for %s (digest)', (_name, a, b) => {
    expect(keyOf({ ...digest, ...a })).toBe(keyOf({ ...digest, ...b }));
  });

  it.each([
    ['intervalMinutes omitted or 60', {}, { intervalMinutes: 60 }],
    [
      'priorities by name or code, in any order',
      { priorities: ['Critical', 'High'] },
      { priorities: ['2', 3] },
    ],
    ['dryRun true or false', { dryRun: true }, { dryRun: false }],
  ])('is equal for %s (alert)', (_name, a, b) => {
    expect(keyOf({ ...alert, ...a })).toBe(keyOf({ ...alert, ...b }));
  });

  it.each([
    ['a range', { from: '2026-11-20', to: '2026-11-26' }, { from: '2026-11-20', to: '2026-11-25' }],
    ['recipients', { recipients: ['a@example.com'] }, { recipients: ['a@example.com', 'b@example.com'] }],
    ['filters', { filters: { ownerId: 'o1' } }, { filters: { ownerId: 'o2' } }],
    [
      'an extended filter',
      { filters: { extended: { queueId: 'q1' } } },
      { filters: { extended: { queueId: 'q2' } } },
    ],
    ['the report', { report: 'emea-voice' }, { report: 'apac-voice' }],
    ['the title', { report: 'emea-voice', title: 'EMEA' }, { report: 'emea-voice', title: 'EMEA voice' }],
    ['a title other than the name', { report: 'emea-voice' }, { report: 'emea-voice', title: 'EMEA voice' }],
    ['the timezone', { timezone: 'Europe/Berlin' }, { timezone: 'America/New_York' }],
    ['scheduledTime', { scheduledTime: T }, { scheduledTime: '2026-11-27T02:00:01Z' }],
  ])('differs for another %s (digest)', (_name, a, b) => {
    expect(keyOf({ ...digest, ...a })).not.toBe(keyOf({ ...digest, ...b }));
  });

  it.each([
    ['intervalMinutes', { intervalMinutes: 15 }, { intervalMinutes: 60 }],
    ['priorities', { priorities: ['Critical'] }, { priorities: ['Critical', 'High'] }],
    ['repeatHours', { repeatHours: 4 }, { repeatHours: 24 }],
    ['warnHours', { warnHours: 2 }, {}],
    ['warnHours value', { warnHours: 2 }, { warnHours: 3 }],
    ['pagerdutySecretId', { pagerdutySecretId: 'aicc/pd-1' }, { pagerdutySecretId: 'aicc/pd-2' }],
    [
      'topicArn',
      { topicArn: 'arn:aws:sns:eu-west-1:123456789012:a' },
      { topicArn: 'arn:aws:sns:eu-west-1:123456789012:b' },
    ],
    ['filters', { filters: { origin: 'Voice' } }, { filters: { origin: 'Email' } }],
  ])('differs for another %s (alert)', (_name, a, b) => {
    expect(keyOf({ ...alert, ...a })).not.toBe(keyOf({ ...alert, ...b }));
  });

  it('never gives the plain scheduled digest of T the key of a range or a recipients override at T', () => {
    const plain = keyOf(digest);
    const ranged = keyOf({ ...digest, from: '2026-11-26', to: '2026-11-26' });
    const override = keyOf({ ...digest, recipients: ['lead@example.com'] });
    expect(new Set([plain, ranged, override]).size).toBe(3);
  });

  it('differs between the two jobs at the same instant', () => {
    expect(keyOf(digest)).not.toBe(keyOf(alert));
  });
});
