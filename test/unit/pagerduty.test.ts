/**
 * PagerDuty Events API v2 (SPEC §13): the events built per case, and the client against a `fetch`
 * stub — retries on 429 (honouring Retry-After) and 5xx with fake timers, PagerDuty's own words in a
 * refusal, and a routing key that shows up nowhere.
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PagerDutyClient,
  type PagerDutyEvent,
  resolveEvent,
  triggerEvent,
} from '../../functions/case-digest/channels/pagerduty.js';
import type { RoutingKeySource } from '../../functions/case-digest/config.js';
import type { OverdueCaseView } from '../../functions/case-digest/email/views.js';
import { PagerDutyError } from '../../functions/case-digest/errors.js';
import { overdueCase } from '../helpers/views.js';

const HOUR = 3_600_000;
const ASOF = new Date('2026-11-27T12:00:00Z');
const AICC = 'America/New_York';
const ctx = { asOf: ASOF, source: 'service.besclouds.com', aiccTimezone: AICC };

/** Overdue by 3 h at ASOF: due 09:00Z, 04:00 in New York. */
const overdue = (over: Partial<OverdueCaseView> = {}) =>
  overdueCase(0, { overdueMs: 3 * HOUR, ...over }, ASOF);
/** Due in 90 minutes at ASOF. */
const dueSoon = (over: Partial<OverdueCaseView> = {}) =>
  overdueCase(1, { overdueMs: 0, dueAt: new Date(ASOF.getTime() + 1.5 * HOUR), ...over }, ASOF);

const payloadOf = (event: PagerDutyEvent) => {
  if (event.event_action !== 'trigger') throw new Error('not a trigger');
  return event.payload;
};

describe('triggerEvent', () => {
  it.each([
    ['Critical', 'critical'],
    ['High', 'error'],
    ['Medium', 'warning'],
    ['Low', 'info'],
    ['Urgent', 'info'],
    ['Unspecified', 'info'],
  ])('gives an overdue %s case severity %s', (priority, severity) => {
    expect(payloadOf(triggerEvent(overdue({ priority }), 'overdue', ctx)).severity).toBe(severity);
  });

  it.each(['Critical', 'High', 'Medium', 'Low'])(
    'gives every due-soon %s case severity warning',
    (priority) => {
      expect(payloadOf(triggerEvent(dueSoon({ priority }), 'due-soon', ctx)).severity).toBe('warning');
    },
  );

  it('builds the documented trigger: dedup key, plain summary, due date as timestamp, details, link', () => {
    const event = triggerEvent(overdue({ title: 'Router down', ownerId: 'agent7' }), 'overdue', ctx);
    expect(event).toEqual({
      event_action: 'trigger',
      dedup_key: 'aicc-case-c6m8id0',
      payload: {
        summary: '[Critical] 0000…35013 Router down — overdue by 3 h',
        source: 'service.besclouds.com',
        severity: 'critical',
        timestamp: '2026-11-27T09:00:00.000Z',
        class: 'Critical',
        group: 'agent7',
        custom_details: {
          caseNo: '00000000035013',
          title: 'Router down',
          priority: 'Critical',
          state: 'Processing',
          ownerId: 'agent7',
          dueDate: '2026-11-27 04:00:00 (America/New_York)',
          overdueBy: '3 h',
        },
      },
      links: [{ href: 'https://aicc.example.com/case/0', text: 'Case 00000000035013' }],
    });
  });

  it('says how soon a due-soon case falls due', () => {
    const payload = payloadOf(triggerEvent(dueSoon({ title: 'Router down' }), 'due-soon', ctx));
    expect(payload.summary).toBe('[Critical] 0000…35014 Router down — due in 1 h');
    expect(payload.custom_details.dueIn).toBe('1 h');
    expect(payload.timestamp).toBe('2026-11-27T13:30:00.000Z');
  });

  it('has links only when the case has a URL', () => {
    expect(triggerEvent(overdue({ url: null }), 'overdue', ctx)).not.toHaveProperty('links');
  });

  it('groups a case without owner as Unspecified', () => {
    expect(payloadOf(triggerEvent(overdue({ ownerId: '  ' }), 'overdue', ctx)).group).toBe('Unspecified');
  });

  it('keeps the summary within 1,024 characters under a 10,000-character title', () => {
    const summary = payloadOf(triggerEvent(overdue({ title: 'x'.repeat(10_000) }), 'overdue', ctx)).summary;
    expect(summary.length).toBeLessThanOrEqual(1_024);
    expect(summary.startsWith('[Critical] 0000…35013 xxx')).toBe(true);
    expect(summary.endsWith('… — overdue by 3 h')).toBe(true);
  });

  it('property: the summary is one line of plain text within 1,024 characters whatever the title', () => {
    const title = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 3_000 }),
      fc.string({
        unit: fc.constantFrom('\r', '\n', '\u2028', '\u202E', '\t', '\u0000', 'é', '🔥', 'x', ' '),
        maxLength: 3_000,
      }),
    );
    fc.assert(
      fc.property(title, fc.constantFrom<'overdue' | 'due-soon'>('overdue', 'due-soon'), (t, kind) => {
        const summary = payloadOf(
          triggerEvent(kind === 'overdue' ? overdue({ title: t }) : dueSoon({ title: t }), kind, ctx),
        ).summary;
        expect([...summary].length).toBeLessThanOrEqual(1_024);
        expect(summary).not.toMatch(/[\p{Cc}\u2028\u2029\p{Bidi_Control}]/u);
        expect(summary).toMatch(/^\[Critical\] 0000…3501[34] /);
      }),
      { numRuns: 200 },
    );
  });

  it('never carries the contact phone', () => {
    const event = triggerEvent(overdue({ contactPhone: '+971 50 123 9876' }), 'overdue', ctx);
    expect(JSON.stringify(event)).not.toMatch(/9876|123 9876/);
  });
});

describe('resolveEvent', () => {
  it('resolves the incident of the case by its dedup key', () => {
    expect(resolveEvent('c6m8id0')).toEqual({ event_action: 'resolve', dedup_key: 'aicc-case-c6m8id0' });
  });
});

// --- The client ---------------------------------------------------------------------------------

const EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const KEY = 'R0UTINGKEY0123456789abcdef012345';
const SECRET: RoutingKeySource = { kind: 'secret', secretId: 'aicc/pagerduty' };

interface Answer {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A PagerDuty stand-in: answers in turn (202 once they run out), recording every request. */
function eventsApi(...answers: Answer[]) {
  const requests: { url: string; body: Record<string, unknown> }[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    const a = answers.shift() ?? { status: 202, body: { status: 'success', message: 'Event processed' } };
    return new Response(a.text ?? JSON.stringify(a.body ?? {}), { status: a.status, headers: a.headers });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests, calls: fetch };
}

function pdClient(api: ReturnType<typeof eventsApi>, secretValue: string = KEY) {
  const readSecret = vi.fn(async () => secretValue);
  const client = new PagerDutyClient({
    eventsUrl: EVENTS_URL,
    timeoutMs: 5_000,
    readSecret,
    fetch: api.fetch,
    now: () => new Date(),
  });
  return { client, readSecret };
}

/** Everything an error could show: message, enumerable props, the cause chain, the stack. */
const everythingIn = (error: unknown) =>
  [JSON.stringify(error), String(error), inspect(error, { depth: 10, showHidden: true })].join('\n');

const trigger = () => triggerEvent(overdue(), 'overdue', ctx);

describe('PagerDutyClient', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(ASOF);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('POSTs each event with the routing key and counts what PagerDuty accepted with 202', async () => {
    // Prepare
    const api = eventsApi();
    const { client, readSecret } = pdClient(api);
    // Act
    const outcome = await client.send(SECRET, [trigger(), resolveEvent('c9')]);
    // Assess
    expect(outcome).toEqual({ triggered: 1, resolved: 1 });
    expect(readSecret).toHaveBeenCalledWith(
      'aicc/pagerduty',
      expect.objectContaining({ maxAge: expect.any(Number) }),
    );
    expect(api.requests.map((r) => r.url)).toEqual([EVENTS_URL, EVENTS_URL]);
    expect(api.requests.map((r) => r.body)).toEqual(
      expect.arrayContaining([
        { routing_key: KEY, ...trigger() },
        { routing_key: KEY, event_action: 'resolve', dedup_key: 'aicc-case-c9' },
      ]),
    );
  });

  it('sends nothing (and reads no secret) when there is nothing to send', async () => {
    const api = eventsApi();
    const { client, readSecret } = pdClient(api);
    expect(await client.send(SECRET, [])).toEqual({ triggered: 0, resolved: 0 });
    expect(api.calls).not.toHaveBeenCalled();
    expect(readSecret).not.toHaveBeenCalled();
  });

  it.each([
    ['a bare key', KEY],
    ['a bare key with a line end', `${KEY}\n`],
    ['{"routingKey"}', JSON.stringify({ routingKey: KEY })],
  ])('reads the routing key from %s', async (_form, value) => {
    const api = eventsApi();
    await pdClient(api, value).client.send(SECRET, [trigger()]);
    expect(api.requests[0]?.body.routing_key).toBe(KEY);
  });

  it('uses a routing key given directly (local runs) without reading a secret', async () => {
    const api = eventsApi();
    const { client, readSecret } = pdClient(api);
    await client.send({ kind: 'key', routingKey: 'local-key' }, [trigger()]);
    expect(api.requests[0]?.body.routing_key).toBe('local-key');
    expect(readSecret).not.toHaveBeenCalled();
  });

  it('retries a 429 after the Retry-After it asks for, then succeeds', async () => {
    // Prepare
    const api = eventsApi({
      status: 429,
      body: { status: 'throttle event' },
      headers: { 'Retry-After': '2' },
    });
    const { client } = pdClient(api);
    // Act
    const sent = client.send(SECRET, [trigger()]);
    await vi.advanceTimersByTimeAsync(1_999);
    // Assess: not before the 2 s it asked for, then once
    expect(api.calls).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.calls).toHaveBeenCalledTimes(2);
    await expect(sent).resolves.toEqual({ triggered: 1, resolved: 0 });
  });

  it.each([500, 502, 503])('retries HTTP %i with backoff, then succeeds', async (status) => {
    const api = eventsApi({ status, text: 'upstream trouble' });
    const { client } = pdClient(api);
    const sent = client.send(SECRET, [trigger()]);
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(sent).resolves.toEqual({ triggered: 1, resolved: 0 });
    expect(api.calls).toHaveBeenCalledTimes(2);
  });

  it("fails at once on a 400, naming PagerDuty, the status and PagerDuty's message and errors", async () => {
    // Prepare
    const api = eventsApi({
      status: 400,
      body: {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [
          "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
        ],
      },
    });
    const { client } = pdClient(api);
    // Act
    const sent = client.send(SECRET, [trigger()]).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    const error = await sent;
    // Assess
    expect(error).toBeInstanceOf(PagerDutyError);
    expect((error as PagerDutyError).status).toBe(400);
    const { message } = error as Error;
    expect(message).toContain('PagerDuty');
    expect(message).toContain('400');
    expect(message).toContain('Event object is invalid');
    expect(message).toContain("'payload.severity' is invalid");
    expect(api.calls).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a bare secret', KEY],
    ['a {"routingKey"} secret', JSON.stringify({ routingKey: KEY })],
  ])(
    'never shows the routing key (from %s) in an error, even when PagerDuty quotes it',
    async (_form, value) => {
      const answers: Answer[] = [
        {
          status: 400,
          body: { message: `Invalid routing key ${KEY}`, errors: [`routing_key ${KEY} not found`] },
        },
        { status: 403, text: `forbidden for ${KEY}` },
      ];
      for (const answer of answers) {
        const api = eventsApi(answer);
        const error = await pdClient(api, value)
          .client.send(SECRET, [trigger()])
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PagerDutyError);
        expect((error as Error).message).toContain('[redacted]');
        expect(everythingIn(error)).not.toContain(KEY);
      }
    },
  );

  it('never shows the routing key when retries run out or several events fail', async () => {
    const api = eventsApi(
      ...Array.from({ length: 20 }, () => ({ status: 500, text: `key ${KEY} rejected` })),
    );
    const sent = pdClient(api)
      .client.send(SECRET, [trigger(), resolveEvent('c9')])
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(120_000);
    const error = await sent;
    expect(error).toBeInstanceOf(PagerDutyError);
    expect((error as Error).message).toContain('PagerDuty');
    expect(everythingIn(error)).not.toContain(KEY);
  });

  it.each([
    ['an empty secret', ''],
    ['blanks', '   '],
    ['the wrong field', '{"routing_key":"S3CRET-VALUE-1"}'],
    ['an empty routingKey', '{"routingKey":""}'],
    ['an extra field', '{"routingKey":"S3CRET-VALUE-1","note":"x"}'],
    ['broken JSON', '{"routingKey": S3CRET-VALUE-1'],
    ['a non-string routingKey', '{"routingKey":["S3CRET-VALUE-1"]}'],
  ])('refuses %s without quoting it, sending nothing', async (_name, value) => {
    const api = eventsApi();
    const error = await pdClient(api, value)
      .client.send(SECRET, [trigger()])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerDutyError);
    expect((error as Error).message).toContain('aicc/pagerduty');
    expect(everythingIn(error)).not.toContain('S3CRET-VALUE-1');
    expect(api.calls).not.toHaveBeenCalled();
  });

  it('names the secret, not its value, when it cannot be read', async () => {
    const api = eventsApi();
    const client = new PagerDutyClient({
      eventsUrl: EVENTS_URL,
      timeoutMs: 5_000,
      readSecret: async () => {
        throw new Error('AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue');
      },
      fetch: api.fetch,
      now: () => new Date(),
    });
    const error = await client.send(SECRET, [trigger()]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerDutyError);
    expect((error as Error).message).toContain('"aicc/pagerduty"');
    expect((error as Error).message).toContain('AccessDeniedException');
  });
});
