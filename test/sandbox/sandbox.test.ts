import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CaseRecord,
  caseListResponseSchema,
  tokenResponseSchema,
} from '../../functions/case-digest/aicc/schemas.js';
import { formatLocal } from '../../functions/case-digest/time/zoned.js';
import { generateCases } from '../../sandbox/data.js';
import {
  LIST_PATH,
  type Sandbox,
  startSandbox,
  TOKEN_PATH,
  VENDOR_CONTENT_TYPE,
} from '../../sandbox/server.js';
import { CREDENTIALS, countOf, idsOf, postList, postToken } from './helpers.js';

const vendorExample = JSON.parse(
  readFileSync(new URL('../fixtures/vendor-example-response.json', import.meta.url), 'utf8'),
) as unknown;

const NOW = new Date('2026-11-27T10:00:00Z'); // 14:00 in Dubai
const ZONE = 'Asia/Dubai';
const DATA = { seed: 7, casesPerDay: 200, days: 45, timezone: ZONE, now: () => NOW };
const DAY = { startTime: '2026-11-26 00:00:00', endTime: '2026-11-26 23:59:59' };
const MONTH = { startTime: '2026-10-28 14:00:00', endTime: '2026-11-27 14:00:00' };

const between = (cases: readonly CaseRecord[], from: string, to: string) =>
  cases.filter((c) => typeof c.createdDate === 'string' && c.createdDate >= from && c.createdDate <= to);

/** Pages through a query with `limit`, returning every row in order. */
async function pageAll(sandbox: Sandbox, query: Record<string, unknown>, limit: number) {
  const rows: CaseRecord[] = [];
  const counts = new Set<number | undefined>();
  for (let start = 0; ; start += limit) {
    const answer = await postList(sandbox, { ...query, start, limit });
    expect(answer.json.resCode).toBe('0');
    counts.add(countOf(answer));
    const page = answer.json.result?.[0]?.caseList ?? [];
    rows.push(...page);
    if (page.length < limit) break;
  }
  return { rows, counts: [...counts] };
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox(DATA);
});
afterAll(() => sandbox?.close());

describe('case list: envelope and data', () => {
  it('answers in the vendor envelope, with its Content-Type verbatim and keep-alive', async () => {
    const answer = await postList(sandbox, { start: 0, limit: 2 });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(VENDOR_CONTENT_TYPE);
    expect(answer.headers.get('connection')).toBe('keep-alive');
    expect(answer.json).toMatchObject({ resCode: '0', resMsg: 'success' });
    expect(answer.json.result).toHaveLength(1);
    expect(countOf(answer)).toBe(sandbox.cases.length);
    expect(idsOf(answer)).toEqual(sandbox.cases.slice(0, 2).map((c) => c.id));
  });

  it('the vendor example parses with the client schema, and sandbox records carry every key it shows', async () => {
    const vendor = caseListResponseSchema.parse(vendorExample);
    const vendorKeys = Object.keys(vendor.result?.[0]?.caseList?.[0] ?? {});
    expect(vendorKeys.length).toBeGreaterThan(20);
    const answer = await postList(sandbox, { start: 0, limit: 100 });
    for (const record of answer.json.result?.[0]?.caseList ?? []) {
      expect(Object.keys(record)).toEqual(
        expect.arrayContaining([...vendorKeys, 'ownerType', 'ext_region', 'queueId']),
      );
    }
  });

  it('serves the data generateCases makes from the same options, newest first, none after "now"', () => {
    expect(sandbox.cases).toEqual(generateCases(DATA));
    const created = sandbox.cases.map((c) => c.createdDate ?? '');
    expect(created).toEqual([...created].sort().reverse());
    expect((created[0] as string) <= formatLocal(NOW, ZONE)).toBe(true);
    expect(created[0]?.startsWith('2026-11-27')).toBe(true);
  });

  it('paging a day window returns every case of it exactly once, in order, with count = matches', async () => {
    const expected = between(sandbox.cases, DAY.startTime, DAY.endTime);
    expect(expected.length).toBe(200);
    const { rows, counts } = await pageAll(sandbox, DAY, 37);
    expect(counts).toEqual([200]);
    expect(rows.map((c) => c.id)).toEqual(expected.map((c) => c.id));
    expect(new Set(rows.map((c) => c.id)).size).toBe(200);
  });

  it('a page past the end is empty but still reports the count', async () => {
    const answer = await postList(sandbox, { ...DAY, start: 500, limit: 100 });
    expect(idsOf(answer)).toEqual([]);
    expect(countOf(answer)).toBe(200);
  });

  it('filters createdDate inclusively to the second', async () => {
    const target = sandbox.cases[1234] as CaseRecord;
    const at = target.createdDate as string;
    const answer = await postList(sandbox, { startTime: at, endTime: at, start: 0, limit: 100 });
    expect(idsOf(answer)).toContain(target.id);
    expect(idsOf(answer)).toEqual(sandbox.cases.filter((c) => c.createdDate === at).map((c) => c.id));
  });

  it('priority code 3 returns only Critical cases, all of them', async () => {
    const expected = between(sandbox.cases, MONTH.startTime, MONTH.endTime).filter(
      (c) => c.priority === 'Critical',
    );
    expect(expected.length).toBeGreaterThan(100);
    const { rows, counts } = await pageAll(sandbox, { ...MONTH, priority: '3' }, 100);
    expect(counts).toEqual([expected.length]);
    expect(rows.map((c) => c.id)).toEqual(expected.map((c) => c.id));
  });

  const owner = () => sandbox.cases[10]?.ownerId as string;
  const filterCases: [string, () => Record<string, unknown>, (c: CaseRecord) => boolean][] = [
    ['origin code 2 → webchat', () => ({ origin: '2' }), (c) => c.origin === 'webchat'],
    ['priority code as a number', () => ({ priority: 0 }), (c) => c.priority === 'Low'],
    ['status exact', () => ({ status: 'y' }), (c) => c.status === 'y'],
    ['ownerId exact', () => ({ ownerId: owner() }), (c) => c.ownerId === owner()],
    ['title substring', () => ({ title: 'Refund' }), (c) => (c.title ?? '').includes('Refund')],
    ['extended template field', () => ({ ext_region: 'North' }), (c) => c.ext_region === 'North'],
    [
      'several filters at once',
      () => ({ priority: '2', origin: '0', ext_region: 'East' }),
      (c) => c.priority === 'High' && c.origin === 'Email' && c.ext_region === 'East',
    ],
    ['a value no case has', () => ({ ext_region: 'Atlantis' }), () => false],
    // A named report's `filters.extended.queueId` travels as a body key of its own (SPEC §3, §12).
    ['extended queueId: a team', () => ({ queueId: 'q-emea' }), (c) => c.queueId === 'q-emea'],
    [
      'queueId with priority: a team rota',
      () => ({ queueId: 'q-apac', priority: '3' }),
      (c) => c.queueId === 'q-apac' && c.priority === 'Critical',
    ],
  ];
  it.each(filterCases)('filters: %s', async (_name, filter, keep) => {
    const expected = between(sandbox.cases, MONTH.startTime, MONTH.endTime).filter(keep);
    const { rows, counts } = await pageAll(sandbox, { ...MONTH, ...filter() }, 100);
    expect(counts).toEqual([expected.length]);
    expect(rows.map((c) => c.id)).toEqual(expected.map((c) => c.id));
  });
});

describe('teams through the list endpoint', () => {
  it('a queueId filter is a slice: the three queues and the unqueued make up the whole window', async () => {
    const counts: number[] = [];
    for (const queueId of ['q-emea', 'q-apac', 'q-amer']) {
      const answer = await postList(sandbox, { ...MONTH, queueId, start: 0, limit: 1 });
      counts.push(countOf(answer) as number);
    }
    const all = between(sandbox.cases, MONTH.startTime, MONTH.endTime);
    const unqueued = all.filter((c) => c.queueId === null).length;
    expect(unqueued).toBeGreaterThan(0);
    for (const n of counts) expect(n).toBeGreaterThan(all.length / 4);
    expect(counts.reduce((a, b) => a + b) + unqueued).toBe(all.length);
  });
});

describe('updateCase: an agent working a case', () => {
  it('closes a case in place: the list shows the change at the same position, and its creation date stays', async () => {
    const sb = await startSandbox(DATA);
    try {
      const before = await pageAll(sb, DAY, 100);
      const target = before.rows.find((c) => c.state === 'Processing' && c.closedDate === null) as CaseRecord;
      const updated = sb.updateCase(String(target.id), {
        state: 'Completed',
        closedDate: '2026-11-27 13:55:00',
        createdDate: '1999-01-01 00:00:00',
      });
      expect(updated).toMatchObject({
        state: 'Completed',
        closedDate: '2026-11-27 13:55:00',
        createdDate: target.createdDate,
      });
      const after = await pageAll(sb, DAY, 100);
      expect(after.rows.map((c) => c.id)).toEqual(before.rows.map((c) => c.id));
      expect(after.rows.find((c) => c.id === target.id)).toMatchObject({
        state: 'Completed',
        closedDate: '2026-11-27 13:55:00',
      });
      expect(sb.updateCase('no-such-case', { state: 'Completed' })).toBeUndefined();
    } finally {
      await sb.close();
    }
  });
});

describe('case list: validation in the API envelope', () => {
  const refusals: [string, unknown, RegExp][] = [
    ['limit 0', { start: 0, limit: 0 }, /^limit must be between 1 and 100$/],
    ['limit 101', { start: 0, limit: 101 }, /^limit must be between 1 and 100$/],
    ['limit missing', { start: 0 }, /limit is required/],
    ['start missing', { limit: 10 }, /start is required/],
    ['start negative', { start: -1, limit: 10 }, /start must be an integer >= 0/],
    ['start fractional', { start: 1.5, limit: 10 }, /start must be an integer >= 0/],
    ['start as a string', { start: '0', limit: 10 }, /start must be an integer >= 0/],
    [
      '32-day interval',
      { start: 0, limit: 10, startTime: '2026-10-01 00:00:00', endTime: '2026-11-02 00:00:00' },
      /cannot exceed 31 days/,
    ],
    [
      '31 days and one second',
      { start: 0, limit: 10, startTime: '2026-10-01 00:00:00', endTime: '2026-11-01 00:00:01' },
      /cannot exceed 31 days/,
    ],
    ['ISO datetime', { start: 0, limit: 10, startTime: '2026-11-26T00:00:00' }, /startTime must be a valid/],
    ['impossible date', { start: 0, limit: 10, endTime: '2026-02-30 00:00:00' }, /endTime must be a valid/],
    [
      'end before start',
      { start: 0, limit: 10, startTime: '2026-11-26 00:00:01', endTime: '2026-11-26 00:00:00' },
      /endTime cannot be earlier than startTime/,
    ],
    ['title of 129 chars', { start: 0, limit: 10, title: 'x'.repeat(129) }, /title cannot exceed 128/],
    ['ownerId of 21 chars', { start: 0, limit: 10, ownerId: 'x'.repeat(21) }, /ownerId cannot exceed 20/],
    ['priority by name', { start: 0, limit: 10, priority: 'Critical' }, /priority must be one of/],
    ['origin code 4', { start: 0, limit: 10, origin: '4' }, /origin must be one of/],
    ['extended field not a string', { start: 0, limit: 10, ext_region: 5 }, /ext_region must be a string/],
    ['body not JSON', '{"start":0,', /not valid JSON/],
    ['body an array', '[]', /must be a JSON object/],
  ];
  it.each(refusals)('refuses %s with HTTP 200 and resCode 400', async (_name, body, message) => {
    const answer = await postList(sandbox, body);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(VENDOR_CONTENT_TYPE);
    expect(answer.json.resCode).toBe('400');
    expect(answer.json.resMsg).toMatch(message);
    expect(answer.json.result).toBeUndefined();
  });

  const boundaries: [string, Record<string, unknown>][] = [
    ['limit 1', { limit: 1 }],
    ['limit 100', { limit: 100 }],
    ['exactly 31 days', { startTime: '2026-10-01 00:00:00', endTime: '2026-11-01 00:00:00' }],
    ['title of 128 chars', { title: 'x'.repeat(128) }],
    ['empty and null filters (ignored)', { title: '', ownerId: null }],
  ];
  it.each(boundaries)('accepts %s', async (_name, body) => {
    const answer = await postList(sandbox, { start: 0, limit: 10, ...body });
    expect(answer.json.resCode).toBe('0');
  });

  it('parses the body whatever the Content-Type says', async () => {
    const res = await fetch(`${sandbox.url}${LIST_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'access-token': 'sandbox-token' },
      body: '{"start":0,"limit":3}',
    });
    expect(((await res.json()) as { result: { caseList: unknown[] }[] }).result[0]?.caseList).toHaveLength(3);
  });
});

describe('tokens', () => {
  let clock = NOW.getTime();
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      ...DATA,
      casesPerDay: 5,
      days: 2,
      tokenTtlSeconds: 60,
      now: () => new Date(clock),
    });
  });
  afterAll(() => sb?.close());

  it('refuses a missing or unknown token with HTTP 401 and a JSON error', async () => {
    for (const token of [null, 'not-a-token']) {
      const answer = await postList(sb, { start: 0, limit: 1 }, token);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ resCode: '401', resMsg: 'token invalid or expired' });
    }
  });

  it('issues unique Bearer tokens for the right client credentials, and they work', async () => {
    const first = await postToken(sb, CREDENTIALS);
    const second = await postToken(sb, CREDENTIALS);
    expect(first.status).toBe(200);
    const parsed = tokenResponseSchema.parse(first.json);
    expect(parsed).toMatchObject({ expires_in: 60, token_type: 'Bearer' });
    expect(parsed.access_token).toMatch(/^[A-Za-z0-9+/=]{32,}$/);
    expect(second.json.access_token).not.toBe(parsed.access_token);
    expect((await postList(sb, { start: 0, limit: 1 }, parsed.access_token)).json.resCode).toBe('0');
  });

  const refusals: [string, Record<string, string>, number, string][] = [
    ['wrong secret', { ...CREDENTIALS, client_secret: 'nope' }, 401, 'invalid_client'],
    ['wrong client id', { ...CREDENTIALS, client_id: 'someone' }, 401, 'invalid_client'],
    [
      'missing grant_type',
      { client_id: 'sandbox-client', client_secret: 'sandbox-secret' },
      400,
      'invalid_request',
    ],
    ['another grant type', { ...CREDENTIALS, grant_type: 'password' }, 400, 'unsupported_grant_type'],
  ];
  it.each(refusals)('refuses %s', async (_name, fields, status, error) => {
    const answer = await postToken(sb, fields);
    expect(answer.status).toBe(status);
    expect(answer.json).toEqual({ error, error_description: expect.any(String) });
  });

  it('an issued token expires after expires_in seconds of the sandbox clock; static tokens do not', async () => {
    const token = (await postToken(sb, CREDENTIALS)).json.access_token as string;
    clock += 59_999;
    expect((await postList(sb, { start: 0, limit: 1 }, token)).status).toBe(200);
    clock += 1;
    expect((await postList(sb, { start: 0, limit: 1 }, token)).status).toBe(401);
    expect((await postList(sb, { start: 0, limit: 1 }, 'sandbox-token')).status).toBe(200);
  });

  it('expireTokens invalidates every token, static ones too; a new one can be fetched', async () => {
    const token = (await postToken(sb, CREDENTIALS)).json.access_token as string;
    sb.expireTokens();
    expect((await postList(sb, { start: 0, limit: 1 }, token)).status).toBe(401);
    expect((await postList(sb, { start: 0, limit: 1 }, 'sandbox-token')).status).toBe(401);
    const fresh = (await postToken(sb, CREDENTIALS)).json.access_token as string;
    expect((await postList(sb, { start: 0, limit: 1 }, fresh)).status).toBe(200);
  });

  it('logs every request with its path, status, body and token', async () => {
    const before = sb.requests.length;
    await postToken(sb, CREDENTIALS);
    await postList(sb, { start: 0, limit: 1 }, 'bad');
    const timing = { throttled: false, at: expect.any(Number), answeredAt: expect.any(Number) };
    expect(sb.requests.slice(before)).toEqual([
      { path: TOKEN_PATH, status: 200, body: CREDENTIALS, token: null, fault: null, inFlight: 0, ...timing },
      {
        path: LIST_PATH,
        status: 401,
        body: { start: 0, limit: 1 },
        token: 'bad',
        fault: null,
        inFlight: 1,
        ...timing,
      },
    ]);
    for (const entry of sb.requests.slice(before)) expect(entry.answeredAt).toBeGreaterThanOrEqual(entry.at);
  });
});

describe('other routes', () => {
  it.each([
    ['GET', LIST_PATH],
    ['POST', '/service/AICC__Case/1.0.0/openapi/case/detail'],
    ['POST', '/'],
  ])('%s %s → 404', async (method, path) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(res.status).toBe(404);
    await res.text();
  });
});
