/**
 * Bad input, property-based: random events and environments are accepted exactly when an
 * independent model of SPEC §4/§5 (test/helpers/arbitraries-*.ts) says they are valid; every
 * rejection names the field; a rejected event — or a handler refused its environment — makes no
 * request of any kind. Handlers get their environment and SDK clients passed in: `process.env` is
 * never changed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/case-digest/config.js';
import { ConfigError, EventError } from '../../functions/case-digest/errors.js';
import { parseEvent } from '../../functions/case-digest/events.js';
import { createHandler, type Handler } from '../../functions/case-digest/runtime.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { CONFIG_VARS, classifyEnv, type Env, envArb, namedVars } from '../helpers/arbitraries-config.js';
import {
  checkNamed,
  classifyAddress,
  classifyEvent,
  DOT_ATOM_VIOLATIONS,
  type EventVerdict,
  eventArb,
} from '../helpers/arbitraries-events.js';
import { countingFetch, startTrap, type Trap } from '../helpers/hostile-trap.js';
import { localAws } from '../helpers/local-aws.js';

const CLOCK = new Date('2026-11-27T12:34:56Z');
const now = () => CLOCK;

/** Events and environments in messages: JSON, with what JSON cannot say spelled out. */
function show(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v) =>
      v === undefined ? '<undefined>' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    ) ?? String(value)
  );
}

interface Tally {
  runs: number;
  accepted: number;
  rejected: number;
  either: number;
}
const newTally = (): Tally => ({ runs: 0, accepted: 0, rejected: 0, either: 0 });
const tallies: Record<string, Tally> = {};

function record(name: string, v: EventVerdict, threw: boolean): void {
  tallies[name] ??= newTally();
  const t = tallies[name];
  t.runs += 1;
  if (v.outcome === 'either') t.either += 1;
  else if (threw) t.rejected += 1;
  else t.accepted += 1;
}

afterAll(() => {
  // The counts go to the log so a reviewer sees how much was tried.
  console.info(`generated inputs: ${JSON.stringify(tallies)}`);
});

/** Runs parseEvent on one event and checks it against the model; throws on a mismatch. */
function checkEvent(event: unknown, tallyName: string): void {
  const v = classifyEvent(event);
  let parsed: ReturnType<typeof parseEvent> | undefined;
  let error: unknown;
  try {
    parsed = parseEvent(event, now);
  } catch (e) {
    error = e;
  }
  record(tallyName, v, error !== undefined);
  if (v.outcome === 'accept' && error !== undefined)
    throw new Error(`rejected a valid event ${show(event)}: ${(error as Error).message}`);
  if (v.outcome === 'reject' && error === undefined)
    throw new Error(`accepted an invalid event ${show(event)}`);
  if (error !== undefined) {
    if (!(error instanceof EventError))
      throw new Error(`threw ${String(error)} (not an EventError) for ${show(event)}`);
    const problem = checkNamed(error.message, v);
    if (problem) throw new Error(`${problem} — event ${show(event)}`);
    return;
  }
  if (v.outcome !== 'accept' || !parsed) return;
  // A valid event is read as the SPEC says: asOf, dryRun, defaults, the named report's fields.
  const e = event as Record<string, unknown>;
  const stamp = (e.scheduledTime ?? e.at) as string | undefined;
  const expected = {
    job: e.job,
    asOf: stamp ? new Date(stamp).getTime() : CLOCK.getTime(),
    dryRun: e.dryRun ?? false,
    recipients: e.recipients,
    report: e.report ?? null,
    title: ((e.title ?? e.report) as string | undefined)?.trim(),
    timezone: e.timezone,
  };
  const got = {
    job: parsed.job,
    asOf: parsed.asOf.getTime(),
    dryRun: parsed.dryRun,
    recipients: parsed.recipients,
    report: parsed.report,
    title: parsed.title?.trim(),
    timezone: parsed.timezone,
  };
  expect(got, show(event)).toEqual(expected);
  if (parsed.job === 'overdue-alert') {
    expect(parsed.intervalMinutes).toBe(e.intervalMinutes ?? 60);
    expect({
      repeatHours: parsed.repeatHours,
      warnHours: parsed.warnHours,
      pagerdutySecretId: parsed.pagerdutySecretId,
      topicArn: parsed.topicArn,
      priorities: parsed.priorities,
    }).toEqual({
      repeatHours: e.repeatHours,
      warnHours: e.warnHours,
      pagerdutySecretId: e.pagerdutySecretId,
      topicArn: e.topicArn,
      priorities: canonicalPriorities(e.priorities),
    });
  } else expect(parsed.range).toEqual(e.from === undefined ? undefined : { from: e.from, to: e.to });
  // The idempotency key covers the whole event but dryRun (SPEC §8): flipping dryRun keeps it.
  expect(parseEvent({ ...e, dryRun: !(e.dryRun ?? false) }, now).eventKey, show(event)).toBe(parsed.eventKey);
}

const PRIORITY_BY_CODE = ['Low', 'Medium', 'High', 'Critical'];
/** Valid `priorities` as names, first occurrence kept: `['3', 'Critical', 'High']` → `['Critical', 'High']`. */
function canonicalPriorities(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return [...new Set(value.map((p) => PRIORITY_BY_CODE[Number(p)] ?? String(p)))];
}

describe('parseEvent against an independent model of SPEC §5', () => {
  it('accepts exactly the valid events, mostly-valid mix (2,500 events)', () => {
    fc.assert(
      fc.property(eventArb('mostly-valid'), (event) => checkEvent(event, 'events:mostly-valid')),
      { numRuns: 2_500 },
    );
    const t = tallies['events:mostly-valid'] as Tally;
    // The mix must exercise both sides of the rule, or the property proves little.
    expect(t.accepted).toBeGreaterThan(300);
    expect(t.rejected).toBeGreaterThan(300);
  });

  it('accepts exactly the valid events, wild mix (2,500 events)', () => {
    fc.assert(
      fc.property(eventArb('wild'), (event) => checkEvent(event, 'events:wild')),
      { numRuns: 2_500 },
    );
    const t = tallies['events:wild'] as Tally;
    // Valid events are rare in this mix (it carries every field at once): some, not many.
    expect(t.accepted).toBeGreaterThan(10);
    expect(t.rejected).toBeGreaterThan(1_000);
  });

  it.each([
    [{ job: 'digest', from: '2026-02-30', to: '2026-03-01' }, 'from'],
    [{ job: 'digest', from: '2026-11-01', to: '2026-11-01 25:00:00' }, 'to'],
    [{ job: 'digest', from: '2026-11-15', to: '2026-11-01' }, 'to'],
    [{ job: 'digest', from: '2026-01-01', to: '2027-01-02' }, 'to'],
    [{ job: 'digest', filters: { ownerId: 'o'.repeat(21) } }, 'filters.ownerId'],
    [{ job: 'digest', filters: { title: 't'.repeat(129) } }, 'filters.title'],
    [{ job: 'digest', filters: { priority: 'Urgent!!' } }, 'filters.priority'],
    [{ job: 'digest', filters: { colour: 'red' } }, 'filters.colour'],
    [{ job: 'digest', recipients: ['lead@example.com', 'not-an-address'] }, 'recipients.1'],
    [{ job: 'digest', recipients: [] }, 'recipients'],
    [{ job: 'digest', dryRun: 'yes' }, 'dryRun'],
    [{ job: 'overdue-alert', intervalMinutes: 0 }, 'intervalMinutes'],
    [{ job: 'overdue-alert', intervalMinutes: 1.5 }, 'intervalMinutes'],
    [{ job: 'overdue-alert', scheduledTime: '2026-11-27T25:00:00Z' }, 'scheduledTime'],
    [{ job: 'digest', sheduledTime: '2026-11-27T02:00:00Z' }, 'sheduledTime'],
    // Named reports and the alert's own fields (SPEC §5).
    [{ job: 'digest', report: 'EMEA voice' }, 'report'],
    [{ job: 'digest', report: 'a'.repeat(41) }, 'report'],
    [{ job: 'overdue-alert', title: 'T'.repeat(81) }, 'title'],
    [{ job: 'digest', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ job: 'overdue-alert', filters: { priority: 'Critical' } }, 'filters.priority'],
    [{ job: 'overdue-alert', filters: { extended: 'q-emea' } }, 'filters.extended'],
    [{ job: 'overdue-alert', priorities: [] }, 'priorities'],
    [{ job: 'overdue-alert', priorities: ['Critical', 'Urgent'] }, 'priorities.1'],
    [{ job: 'overdue-alert', repeatHours: 8785 }, 'repeatHours'],
    [{ job: 'overdue-alert', warnHours: -1 }, 'warnHours'],
    [{ job: 'overdue-alert', warnHours: 1.5 }, 'warnHours'],
    [{ job: 'overdue-alert', pagerdutySecretId: 'has space' }, 'pagerdutySecretId'],
    [{ job: 'overdue-alert', topicArn: 'arn:aws:sqs:eu-west-1:123456789012:queue' }, 'topicArn'],
    [{ job: 'digest', priorities: ['Critical'] }, 'priorities'],
    [{ job: 'digest', warnHours: 2 }, 'warnHours'],
  ])('names the field: %j → %s', (event, field) => {
    expect(classifyEvent(event).outcome).toBe('reject');
    expect(() => parseEvent(event, now)).toThrow(EventError);
    expect(() => parseEvent(event, now)).toThrow(new RegExp(`(: |; )${field.replaceAll('.', '\\.')}: `));
  });

  it.each([
    {
      job: 'digest',
      report: 'emea-voice',
      title: 'EMEA voice',
      timezone: 'Europe/Berlin',
      filters: { origin: 'Voice', extended: { queueId: 'q-emea' } },
    },
    {
      job: 'overdue-alert',
      report: 'oncall-emea',
      scheduledTime: '2026-11-27T10:15:00Z',
      intervalMinutes: 15,
      filters: { extended: { queueId: 'q-emea' } },
      priorities: ['Critical', 'High'],
      repeatHours: 4,
      warnHours: 2,
      recipients: ['oncall-emea@example.com'],
      pagerdutySecretId: 'aicc/pagerduty-emea',
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall-emea',
    },
    { job: 'overdue-alert', repeatHours: 0, warnHours: 8784, priorities: ['3', 'Critical', 'High'] },
  ])("accepts the SPEC's own examples and the bounds: %j", (event) => {
    expect(classifyEvent(event).outcome).toBe('accept');
    checkEvent(event, 'events:examples');
  });

  it('refuses recipient addresses that are not RFC 5321 dot-atoms (a..b@, .a@, a@b..c, a@-b.c)', () => {
    const accepted: string[] = [];
    for (const address of DOT_ATOM_VIOLATIONS) {
      expect(classifyAddress(address)).toBe('invalid');
      try {
        parseEvent({ job: 'digest', recipients: ['lead@example.com', address] }, now);
        accepted.push(address);
      } catch (e) {
        expect(e).toBeInstanceOf(EventError);
        expect((e as Error).message).toMatch(/recipients\.1: /);
      }
    }
    expect(accepted, 'invalid addresses accepted as event recipients').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

function checkEnv(env: Env, tallyName: string): void {
  const v = classifyEnv(env);
  let error: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    error = e;
  }
  record(tallyName, v, error !== undefined);
  if (v.outcome === 'accept' && error !== undefined)
    throw new Error(`rejected a valid environment ${show(env)}: ${(error as Error).message}`);
  if (v.outcome === 'reject' && error === undefined)
    throw new Error(`accepted an invalid environment ${show(env)}`);
  if (error === undefined) return;
  if (!(error instanceof ConfigError))
    throw new Error(`threw ${String(error)} (not a ConfigError) for ${show(env)}`);
  const named = namedVars(error.message);
  const problem = checkNamed(named.map((n) => `${n}: x`).join('; '), v);
  if (problem) throw new Error(`${problem} — message "${error.message}" — env ${show(env)}`);
}

const SANE_ENV: Env = {
  AICC_BASE_URL: 'https://service.besclouds.com',
  AICC_SECRET_ID: 'aicc/case-digest',
  MAIL_FROM: 'Case Digest <digest@example.com>',
};

describe('loadConfig against an independent model of SPEC §4', () => {
  it('accepts exactly the valid environments, mostly-valid mix (1,500 environments)', () => {
    fc.assert(
      fc.property(envArb('mostly-valid'), (env) => checkEnv(env, 'config:mostly-valid')),
      { numRuns: 1_500 },
    );
    const t = tallies['config:mostly-valid'] as Tally;
    expect(t.accepted).toBeGreaterThan(200);
    expect(t.rejected).toBeGreaterThan(200);
  });

  it('rejects and names every bad variable, wild mix (1,500 environments)', () => {
    fc.assert(
      fc.property(envArb('wild'), (env) => checkEnv(env, 'config:wild')),
      { numRuns: 1_500 },
    );
    const t = tallies['config:wild'] as Tally;
    expect(t.rejected).toBeGreaterThan(1_000);
  });

  it('judges one variable at a time on an otherwise sane environment (1,500 environments)', () => {
    const oneVar = envArb('wild').chain((random) =>
      fc.constantFrom(...CONFIG_VARS).map((k) => ({ ...SANE_ENV, [k]: random[k] })),
    );
    fc.assert(
      fc.property(oneVar, (env) => checkEnv(env, 'config:one-variable')),
      { numRuns: 1_500 },
    );
    const t = tallies['config:one-variable'] as Tally;
    expect(t.accepted).toBeGreaterThan(300);
    expect(t.rejected).toBeGreaterThan(100);
  });

  it('refuses dot-atom violations in DIGEST_RECIPIENTS, ALERT_RECIPIENTS and MAIL_FROM', () => {
    const accepted: string[] = [];
    for (const address of DOT_ATOM_VIOLATIONS) {
      for (const [name, value] of [
        ['DIGEST_RECIPIENTS', `lead@example.com, ${address}`],
        ['ALERT_RECIPIENTS', address],
        ['MAIL_FROM', `Case Digest <${address}>`],
      ] as const) {
        try {
          loadConfig({ ...SANE_ENV, [name]: value });
          accepted.push(`${name}=${value}`);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          expect(namedVars((e as Error).message)).toEqual([name]);
        }
      }
    }
    expect(accepted, 'invalid addresses accepted by loadConfig').toEqual([]);
  });

  it('refuses a MAIL_FROM display name carrying CR/LF (header injection)', () => {
    const accepted: string[] = [];
    for (const value of [
      'Case Digest\r\nBcc: attacker@example.net <digest@example.com>',
      'Case Digest\nX-Injected: 1 <digest@example.com>',
      'Case\rDigest <digest@example.com>',
    ]) {
      try {
        loadConfig({ ...SANE_ENV, MAIL_FROM: value });
        accepted.push(JSON.stringify(value));
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect(namedVars((e as Error).message)).toEqual(['MAIL_FROM']);
      }
    }
    expect(accepted, 'MAIL_FROM values with line breaks accepted').toEqual([]);
  });

  it('refuses AICC_TIMEOUT_MS above 2^31−1 ms (a Node timer would fire after 1 ms)', () => {
    const accepted: string[] = [];
    for (const value of ['2147483648', '3000000000', '4294967296', '99999999999']) {
      try {
        loadConfig({ ...SANE_ENV, AICC_TIMEOUT_MS: value });
        accepted.push(value);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect(namedVars((e as Error).message)).toEqual(['AICC_TIMEOUT_MS']);
      }
    }
    expect(accepted, 'timeouts a timer cannot hold, accepted').toEqual([]);
  });

  it('refuses an OVERDUE_LOOKBACK_DAYS whose window starts before year 0000 (unsayable in YYYY-MM-DD)', () => {
    const accepted: string[] = [];
    for (const value of ['1000000', '100000000']) {
      try {
        loadConfig({ ...SANE_ENV, OVERDUE_LOOKBACK_DAYS: value });
        accepted.push(value);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect(namedVars((e as Error).message)).toEqual(['OVERDUE_LOOKBACK_DAYS']);
      }
    }
    expect(accepted, 'lookbacks reaching before year 0 accepted').toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('no request is made for a rejected event or a refused environment (real handler)', () => {
  let sandbox: Sandbox;
  let trap: Trap;

  beforeAll(async () => {
    sandbox = await startSandbox({
      casesPerDay: 20,
      days: 3,
      endDate: '2026-11-27',
      now,
    });
    trap = await startTrap();
  });

  afterAll(async () => {
    await Promise.all([sandbox?.close(), trap?.close()]);
  });

  /** A handler over `env` whose every AWS client (SES, Secrets Manager, DynamoDB, SNS) lands in the trap. */
  function trappedHandler(env: Env, fetchImpl: typeof fetch): Handler {
    return createHandler({
      env,
      clock: now,
      fetch: fetchImpl,
      aws: localAws({ ses: trap.url, secretsManager: trap.url, dynamodb: trap.url, sns: trap.url }),
      logger: new Logger({ serviceName: 'aicc-case-digest', logLevel: 'SILENT' }),
    });
  }

  /** Request counters of every kind, to compare before and after. */
  const counters = (calls: string[]) => ({
    fetch: calls.length,
    sandbox: sandbox.requests.length,
    trap: trap.hits.length,
  });

  const rejectedEvents = fc
    .oneof(eventArb('mostly-valid'), eventArb('wild'))
    .filter((e) => classifyEvent(e).outcome === 'reject');

  async function expectNoRequest(
    env: Env,
    runs: number,
    tallyName: string,
  ): Promise<{ fetchCalls: string[]; handler: Handler }> {
    const counting = countingFetch();
    const handler = trappedHandler(env, counting.fetch);
    await fc.assert(
      fc.asyncProperty(rejectedEvents, async (event) => {
        const before = counters(counting.calls);
        let error: unknown;
        try {
          await handler(event);
        } catch (e) {
          error = e;
        }
        const v = classifyEvent(event);
        record(tallyName, v, error !== undefined);
        if (error === undefined) throw new Error(`handler accepted ${show(event)}`);
        if (!(error instanceof EventError))
          throw new Error(`handler threw ${String(error)} for ${show(event)}`);
        const problem = checkNamed(error.message, v);
        if (problem) throw new Error(`${problem} — event ${show(event)}`);
        const after = counters(counting.calls);
        if (after.fetch !== before.fetch || after.sandbox !== before.sandbox || after.trap !== before.trap)
          throw new Error(`requests made for rejected event ${show(event)}: ${show({ before, after })}`);
      }),
      { numRuns: runs },
    );
    return { fetchCalls: counting.calls, handler };
  }

  it('client credentials: 300 rejected events, no token request, no case request, no AWS call', async () => {
    const env: Env = {
      AICC_BASE_URL: sandbox.url,
      AICC_CLIENT_ID: 'sandbox-client',
      AICC_CLIENT_SECRET: 'sandbox-secret',
      MAIL_FROM: 'Case Digest <digest@example.com>',
      DIGEST_RECIPIENTS: 'managers@example.com',
      ALERT_RECIPIENTS: 'on-call@example.com',
      AICC_TIMEOUT_MS: '2000',
    };
    const sandboxBefore = sandbox.requests.length;
    const trapBefore = trap.hits.length;
    const { fetchCalls, handler } = await expectNoRequest(env, 300, 'handler:client-credentials');
    expect(fetchCalls).toEqual([]);
    expect(sandbox.requests.slice(sandboxBefore)).toEqual([]);
    expect(trap.hits.slice(trapBefore)).toEqual([]);

    // The counters do see requests: a valid dry run goes through the same wrapper to the sandbox.
    const result = await handler({ job: 'digest', scheduledTime: '2026-11-27T02:00:00Z', dryRun: true });
    expect(result.job).toBe('digest');
    expect(fetchCalls.some((u) => u.endsWith('/baas/auth/v1.0/oauth2/token'))).toBe(true);
    expect(fetchCalls.some((u) => u.endsWith('/case/list'))).toBe(true);
    expect(sandbox.requests.length - sandboxBefore).toBe(fetchCalls.length);
  });

  it('Secrets Manager and an idempotency table: 100 rejected events, no AWS call at all', async () => {
    const env: Env = {
      AICC_BASE_URL: sandbox.url,
      AICC_SECRET_ID: 'aicc/case-digest',
      MAIL_FROM: 'Case Digest <digest@example.com>',
      DIGEST_RECIPIENTS: 'managers@example.com',
      ALERT_RECIPIENTS: 'on-call@example.com',
      IDEMPOTENCY_TABLE: 'case-digest-idempotency',
      AICC_TIMEOUT_MS: '2000',
    };
    const sandboxBefore = sandbox.requests.length;
    const trapBefore = trap.hits.length;
    const { fetchCalls, handler } = await expectNoRequest(env, 100, 'handler:secrets-manager');
    expect(fetchCalls).toEqual([]);
    expect(sandbox.requests.length).toBe(sandboxBefore);
    expect(trap.hits.slice(trapBefore)).toEqual([]);

    // The trap does see requests: a valid event reads the secret from it (and fails there).
    await expect(
      handler({ job: 'overdue-alert', at: '2026-11-27T10:00:00Z', dryRun: true }),
    ).rejects.toThrow();
    const hits = trap.hits.slice(trapBefore);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.some((h) => /secretsmanager\.GetSecretValue/i.test(h.target))).toBe(true);
  });

  it('a refused environment: createHandler itself throws the ConfigError naming the variable, and nothing is requested (400 environments)', async () => {
    const counting = countingFetch();
    const before = counters(counting.calls);
    let refused = 0;
    fc.assert(
      fc.property(envArb('wild'), (random) => {
        // The sandbox as AICC (so an accepted environment could reach it), every AWS client in the trap.
        const env: Env = {
          ...random,
          AICC_BASE_URL: random.AICC_BASE_URL === undefined ? undefined : sandbox.url,
        };
        const v = classifyEnv(env);
        let error: unknown;
        try {
          trappedHandler(env, counting.fetch);
        } catch (e) {
          error = e;
        }
        record('handler:config', v, error !== undefined);
        if (v.outcome === 'accept' && error !== undefined)
          throw new Error(`createHandler refused a valid environment ${show(env)}: ${String(error)}`);
        if (v.outcome === 'reject' && error === undefined)
          throw new Error(`createHandler accepted an invalid environment ${show(env)}`);
        if (error === undefined) return;
        if (!(error instanceof ConfigError))
          throw new Error(`threw ${String(error)} (not a ConfigError) for ${show(env)}`);
        const problem = checkNamed(
          namedVars(error.message)
            .map((n) => `${n}: x`)
            .join('; '),
          v,
        );
        if (problem) throw new Error(`${problem} — message "${error.message}" — env ${show(env)}`);
        refused++;
      }),
      { numRuns: 400 },
    );
    expect(refused).toBeGreaterThan(200);
    expect(counters(counting.calls)).toEqual(before);
  });

  it.each([
    {
      what: 'a digest with no DIGEST_RECIPIENTS nor event recipients',
      event: { job: 'digest', scheduledTime: '2026-11-27T02:00:00Z' },
      names: ['DIGEST_RECIPIENTS'],
    },
    {
      what: 'an alert with no channel (no ALERT_RECIPIENTS, PAGERDUTY_SECRET_ID, ALERT_TOPIC_ARN, nor event recipients, pagerdutySecretId, topicArn)',
      event: { job: 'overdue-alert', scheduledTime: '2026-11-27T10:00:00Z' },
      names: ['ALERT_RECIPIENTS', 'PAGERDUTY_SECRET_ID', 'ALERT_TOPIC_ARN'],
    },
  ])('$what → a ConfigError naming $names before any request', async ({ event, names }) => {
    const counting = countingFetch();
    const handler = trappedHandler(
      {
        AICC_BASE_URL: sandbox.url,
        AICC_CLIENT_ID: 'sandbox-client',
        AICC_CLIENT_SECRET: 'sandbox-secret',
        MAIL_FROM: 'Case Digest <digest@example.com>',
      },
      counting.fetch,
    );
    const before = counters(counting.calls);
    const error = await handler(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of names) expect((error as Error).message).toContain(name);
    expect(counters(counting.calls)).toEqual(before);
    // A dry run needs no channel: it sends nothing.
    await expect(handler({ ...event, dryRun: true })).resolves.toMatchObject({ dryRun: true });
  });
});
