import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ROUTING_KEY,
  PAGERDUTY_EVENTS_PATH,
  type PagerDutySandbox,
  startPagerDutySandbox,
} from '../../sandbox/pagerduty.js';

const KEY = DEFAULT_ROUTING_KEY;
const trigger = (over: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: 'trigger',
  dedup_key: 'aicc-case-1',
  payload: {
    summary: '[Critical] …35013 Router down — overdue by 3 h',
    source: 'aicc.example.com',
    severity: 'critical',
    ...payload,
  },
  ...over,
});
const resolve = (dedupKey: string, over: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: 'resolve',
  dedup_key: dedupKey,
  ...over,
});

let pd: PagerDutySandbox;
beforeAll(async () => {
  pd = await startPagerDutySandbox({ routingKeys: [KEY, 'second-key'] });
});
afterAll(() => pd?.close());
beforeEach(() => {
  pd.clearFaults();
  pd.clear();
});

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}
async function send(body: unknown, url = pd.url): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}
const refusal = (errors: unknown) => ({
  status: 400,
  json: { status: 'invalid event', message: 'Event object is invalid', errors },
});

describe('PagerDuty sandbox: accepted events', () => {
  it('listens on the full events URL', () => {
    expect(pd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/enqueue$/);
    expect(new URL(pd.url).pathname).toBe(PAGERDUTY_EVENTS_PATH);
  });

  it('answers a valid trigger 202 with its dedup_key, and records it', async () => {
    const body = trigger(
      { links: [{ href: 'https://aicc.example.com/case/1' }] },
      { custom_details: { a: 1 } },
    );
    const answer = await send(body);
    expect(answer).toMatchObject({
      status: 202,
      json: { status: 'success', message: 'Event processed', dedup_key: 'aicc-case-1' },
    });
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(pd.events).toEqual([
      { body, routingKey: KEY, action: 'trigger', dedupKey: 'aicc-case-1', at: expect.any(Number) },
    ]);
    expect(pd.requests).toMatchObject([{ method: 'POST', status: 202, body, faulted: false }]);
  });

  it('generates a dedup_key for a trigger without one, a new one each time', async () => {
    const first = await send(trigger({ dedup_key: undefined }));
    const second = await send(trigger({ dedup_key: undefined }));
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.json.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect(second.json.dedup_key).not.toBe(first.json.dedup_key);
    expect(pd.events.map((e) => e.dedupKey)).toEqual([first.json.dedup_key, second.json.dedup_key]);
    expect(pd.incidents().size).toBe(2);
  });

  it.each(['critical', 'error', 'warning', 'info'])('accepts severity %s', async (severity) => {
    expect((await send(trigger({}, { severity }))).status).toBe(202);
  });

  it('accepts summary of exactly 1,024 characters and a dedup_key of exactly 255', async () => {
    expect((await send(trigger({ dedup_key: 'k'.repeat(255) }, { summary: 's'.repeat(1024) }))).status).toBe(
      202,
    );
  });

  it('accepts acknowledge and resolve with a dedup_key, and every accepted routing key', async () => {
    expect((await send(resolve('aicc-case-9', { event_action: 'acknowledge' }))).status).toBe(202);
    expect((await send(resolve('aicc-case-9'))).status).toBe(202);
    expect((await send(trigger({ routing_key: 'second-key' }))).status).toBe(202);
    expect(pd.events.map((e) => [e.action, e.routingKey])).toEqual([
      ['acknowledge', KEY],
      ['resolve', KEY],
      ['trigger', 'second-key'],
    ]);
  });
});

describe('PagerDuty sandbox: refusals (HTTP 400, nothing recorded as an event)', () => {
  const long = 'x'.repeat(1025);
  const cases: [string, unknown, RegExp][] = [
    ['a body that is not JSON', '{"routing_key":', /JSON parse error/],
    ['a JSON array', '[]', /JSON object/],
    ['no routing_key', trigger({ routing_key: undefined }), /'routing_key' is missing or blank/],
    ['a blank routing_key', trigger({ routing_key: '  ' }), /'routing_key' is missing or blank/],
    ['a routing_key that is not a string', trigger({ routing_key: 42 }), /'routing_key' is missing or blank/],
    ['no event_action', trigger({ event_action: undefined }), /'event_action' is missing/],
    ['an unknown event_action', trigger({ event_action: 'escalate' }), /'event_action' must be one of/],
    ['a trigger without payload', trigger({ payload: undefined }), /'payload' is missing/],
    [
      'a trigger without summary',
      trigger({}, { summary: undefined }),
      /'payload.summary' is missing or blank/,
    ],
    [
      'a trigger with a blank summary',
      trigger({}, { summary: ' ' }),
      /'payload.summary' is missing or blank/,
    ],
    ['a trigger without source', trigger({}, { source: undefined }), /'payload.source' is missing or blank/],
    ['a trigger without severity', trigger({}, { severity: undefined }), /'payload.severity' is missing/],
    [
      'severity "high"',
      trigger({}, { severity: 'high' }),
      /'payload.severity' must be one of critical, error, warning, info/,
    ],
    [
      'severity "Critical" (case matters)',
      trigger({}, { severity: 'Critical' }),
      /'payload.severity' must be one of/,
    ],
    [
      'a summary of 1,025 characters',
      trigger({}, { summary: long }),
      /Length of 'payload.summary' exceeds 1024/,
    ],
    [
      'a dedup_key of 256 characters',
      trigger({ dedup_key: 'k'.repeat(256) }),
      /Length of 'dedup_key' exceeds 255/,
    ],
    ['a dedup_key that is not a string', trigger({ dedup_key: 7 }), /'dedup_key' must be a string/],
    [
      'a resolve without dedup_key',
      resolve('x', { dedup_key: undefined }),
      /'dedup_key' is required for resolve/,
    ],
    ['a resolve with a blank dedup_key', resolve(''), /'dedup_key' is required for resolve/],
    [
      'an acknowledge without dedup_key',
      resolve('x', { event_action: 'acknowledge', dedup_key: undefined }),
      /'dedup_key' is required for acknowledge/,
    ],
    ['an unknown routing key', trigger({ routing_key: 'not-a-key' }), /^Invalid routing key$/],
  ];
  it.each(cases)('refuses %s', async (_name, body, error) => {
    const answer = await send(body);
    expect(answer).toMatchObject(refusal([expect.stringMatching(error)]));
    expect(pd.events).toEqual([]);
    expect(pd.incidents().size).toBe(0);
    expect(pd.requests).toMatchObject([{ status: 400, faulted: false }]);
  });

  it('lists every problem of an event at once', async () => {
    const answer = await send({ routing_key: '', event_action: 'trigger', payload: { severity: 'bad' } });
    expect(answer.status).toBe(400);
    expect(answer.json.errors).toEqual([
      "'routing_key' is missing or blank",
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' must be one of critical, error, warning, info",
    ]);
  });

  it('checks the routing key only once the event itself is valid', async () => {
    const answer = await send(trigger({ routing_key: 'not-a-key' }, { severity: 'bad' }));
    expect(answer.json.errors).toEqual(["'payload.severity' must be one of critical, error, warning, info"]);
  });

  it('answers 404 off the events path, and records the request', async () => {
    const res = await fetch(pd.url.replace('/v2/enqueue', '/v2/change/enqueue'), {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
    await res.text();
    const get = await fetch(pd.url);
    expect(get.status).toBe(404);
    await get.text();
    expect(pd.requests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 404],
      ['GET', 404],
    ]);
  });
});

describe('PagerDuty sandbox: incidents by dedup_key', () => {
  it('a trigger opens, a repeat re-triggers, a resolve closes, a later trigger reopens', async () => {
    await send(trigger());
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({
      status: 'triggered',
      triggers: 1,
      resolves: 0,
    });
    await send(trigger({}, { summary: 'second summary' }));
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({
      status: 'triggered',
      triggers: 2,
      lastSummary: 'second summary',
    });
    await send(resolve('aicc-case-1'));
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({ status: 'resolved', triggers: 2, resolves: 1 });
    await send(trigger({}, { summary: 'again' }));
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({
      status: 'triggered',
      triggers: 3,
      resolves: 1,
    });
  });

  it('keeps one incident per dedup_key', async () => {
    for (const id of [1, 2, 3, 2]) await send(trigger({ dedup_key: `aicc-case-${id}` }));
    await send(resolve('aicc-case-3'));
    const incidents = pd.incidents();
    expect([...incidents.keys()].sort()).toEqual(['aicc-case-1', 'aicc-case-2', 'aicc-case-3']);
    expect([...incidents].map(([k, i]) => [k, i.status, i.triggers])).toEqual([
      ['aicc-case-1', 'triggered', 1],
      ['aicc-case-2', 'triggered', 2],
      ['aicc-case-3', 'resolved', 1],
    ]);
  });

  it('accepts but drops a resolve for no open incident: a repeat, an unknown key, another routing key', async () => {
    await send(trigger());
    expect((await send(resolve('aicc-case-1', { routing_key: 'second-key' }))).status).toBe(202);
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({ status: 'triggered', resolves: 0 });
    await send(resolve('aicc-case-1'));
    expect((await send(resolve('aicc-case-1'))).status).toBe(202);
    expect((await send(resolve('never-triggered'))).status).toBe(202);
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({ status: 'resolved', resolves: 1 });
    expect(pd.incidents().has('never-triggered')).toBe(false);
    expect(pd.events.filter((e) => e.action === 'resolve')).toHaveLength(4);
  });

  it('acknowledge holds an incident until it is resolved; a trigger does not un-acknowledge it', async () => {
    await send(trigger());
    await send(resolve('aicc-case-1', { event_action: 'acknowledge' }));
    await send(trigger());
    expect(pd.incidents().get('aicc-case-1')).toMatchObject({
      status: 'acknowledged',
      acknowledges: 1,
      triggers: 2,
    });
    await send(resolve('aicc-case-1'));
    expect(pd.incidents().get('aicc-case-1')?.status).toBe('resolved');
  });

  it('incidents() is a copy: changing it changes nothing', async () => {
    await send(trigger());
    const copy = pd.incidents();
    (copy.get('aicc-case-1') as { triggers: number }).triggers = 99;
    copy.clear();
    expect(pd.incidents().get('aicc-case-1')?.triggers).toBe(1);
  });
});

describe('PagerDuty sandbox: faults', () => {
  it('429 with Retry-After, once by default, recording no event; then processes normally', async () => {
    pd.injectFault({ status: 429, retryAfterSeconds: 3 });
    const throttled = await send(trigger());
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(throttled.json).toMatchObject({ status: expect.any(String), message: expect.any(String) });
    expect(pd.events).toEqual([]);
    expect(pd.incidents().size).toBe(0);
    expect((await send(trigger())).status).toBe(202);
    expect(pd.requests.map((r) => [r.status, r.faulted])).toEqual([
      [429, true],
      [202, false],
    ]);
  });

  it.each([500, 502, 503])('%i for `times` requests, without Retry-After unless given', async (status) => {
    pd.injectFault({ status, times: 2 });
    const answers = [await send(trigger()), await send(trigger()), await send(trigger())];
    expect(answers.map((a) => a.status)).toEqual([status, status, 202]);
    expect(answers[0]?.headers.get('retry-after')).toBeNull();
    expect(pd.events).toHaveLength(1);
    expect(pd.incidents().get('aicc-case-1')?.triggers).toBe(1);
  });

  it('plays faults in the order injected, and even an invalid event gets the fault', async () => {
    pd.injectFault({ status: 503 });
    pd.injectFault({ status: 429 });
    expect((await send('not json')).status).toBe(503);
    expect((await send('not json')).status).toBe(429);
    expect((await send('not json')).status).toBe(400);
  });

  it('clearFaults disarms them; clear() forgets events, requests and incidents but not faults', async () => {
    await send(trigger());
    pd.injectFault({ status: 500, times: Infinity });
    pd.clear();
    expect([pd.events, pd.requests, pd.incidents().size]).toEqual([[], [], 0]);
    expect((await send(trigger())).status).toBe(500);
    pd.clearFaults();
    expect((await send(trigger())).status).toBe(202);
  });

  it.each([
    { status: 404 },
    { status: 200 },
    { status: 503, times: 0 },
    { status: 429, retryAfterSeconds: -1 },
    { status: 429, retryAfterSeconds: 1.5 },
  ])('refuses a fault it cannot play: %j', (fault) => {
    expect(() => pd.injectFault(fault)).toThrow(RangeError);
  });
});

describe('PagerDuty sandbox: options and shutdown', () => {
  it('accepts only sandbox-routing-key by default', async () => {
    const own = await startPagerDutySandbox();
    try {
      expect(own.routingKeys).toEqual(['sandbox-routing-key']);
      expect((await send(trigger({ routing_key: 'sandbox-routing-key' }), own.url)).status).toBe(202);
      expect((await send(trigger({ routing_key: 'second-key' }), own.url)).status).toBe(400);
    } finally {
      await own.close();
    }
  });

  it('records the event on arrival and answers after latencyMs', async () => {
    const slow = await startPagerDutySandbox({ latencyMs: 60_000 });
    const pending = send(trigger(), slow.url).catch((error: unknown) => error);
    await expect.poll(() => slow.events.length).toBe(1);
    expect(slow.requests).toMatchObject([{ status: 0 }]);
    // A close that waited for the 60 s latency would run into the test's 30 s timeout.
    await slow.close();
    await slow.close(); // closing twice is harmless
    expect(await pending).toBeInstanceOf(Error);
  });

  it('close() stops listening', async () => {
    const own = await startPagerDutySandbox();
    await own.close();
    await expect(send(trigger(), own.url)).rejects.toThrow();
  });
});
