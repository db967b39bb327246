/**
 * Reliability suite (issue 6): the fault matrix through the REAL handler (`createHandler()` reading
 * process.env), the AICC sandbox, a fake Secrets Manager, aws-ses-v2-local behind a fault proxy and
 * dynalite for idempotency — and, over every test of this file, a check that no token, client
 * secret or secret string reaches a log line, an error or a result.
 *
 * For every fault the outcome is one of:
 *  - the exact digest (numbers equal to an independent oracle over `sandbox.cases`) mailed once; or
 *  - a typed error saying what failed, nothing mailed, and the same event retried with the fault
 *    cleared mailing it exactly once.
 * Where live data moves under the pager (`grow`, `duplicate`) the digest is mailed with a warning,
 * and its numbers are asserted equal to exactly what the sandbox served — never silently off.
 */
import { randomUUID } from 'node:crypto';
import { format, inspect } from 'node:util';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import {
  AiccApiError,
  AiccAuthError,
  AiccDeadlineError,
  AiccResponseError,
  EmailError,
} from '../../functions/case-digest/errors.js';
import { createHandler, type JobResult } from '../../functions/case-digest/handler.js';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import type { AlertResult } from '../../functions/case-digest/jobs/overdue-alert.js';
import { type LocalSes, type StoredEmail, startLocalSes } from '../../sandbox/local-ses.js';
import { LIST_PATH, type Sandbox, startSandbox, TOKEN_PATH } from '../../sandbox/server.js';
import { type FakeSecretsManager, startFakeSecretsManager } from '../helpers/fake-secrets-manager.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { bucket, countBy, createdBetween, openCase, overdueIds } from '../helpers/oracle.js';
import {
  BAD_REQUEST,
  MESSAGE_REJECTED,
  type SesError,
  type SesFaultProxy,
  startSesFaultProxy,
  THROTTLED,
} from '../helpers/ses-fault-proxy.js';

// ---------------------------------------------------------------------------------------------
// Fixed world: Asia/Dubai (UTC+4, no DST) for both zones; 02:00Z on the 27th is 06:00 local, so the
// scheduled digest reports the 26th; OVERDUE_LOOKBACK_DAYS=3 keeps the overdue scan to ~5 pages.
// ---------------------------------------------------------------------------------------------
const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z';
const AS_OF_LOCAL = '2026-11-27 06:00:00';
const DAY = { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59' };
const PREVIOUS_DAY = { from: '2026-11-25 00:00:00', to: '2026-11-25 23:59:59' };
const LOOKBACK = { from: '2026-11-24 06:00:00', to: AS_OF_LOCAL };
const LOOKBACK_DAYS = 3;
const DIGEST_EVENT = { job: 'digest', scheduledTime: SCHEDULED } as const;
const RECIPIENTS = ['managers@example.com', 'leads@example.com'];

// Distinctive credentials: the leak check at the end searches every output for them.
const CLIENT_ID = 'cid-reliability';
const CLIENT_SECRET = 'cs-VERY-SECRET-123';
const STATIC_TOKEN = 'static-TOKEN-zz9-SECRET';
const CLIENT_SECRET_STRING = JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const SECRET_ID = 'aicc/reliability/client';

const HOUR = 3_600_000;

let sandbox: Sandbox;
let ses: LocalSes;
let sesProxy: SesFaultProxy;
let secrets: FakeSecretsManager;
let dynamo: LocalDynamoDb;
let baseEnv: Record<string, string>;
const savedEnv = { ...process.env };

// ---------------------------------------------------------------------------------------------
// Everything observable, kept for the leak check: output streams, errors, results, mail.
// ---------------------------------------------------------------------------------------------
const captured: string[] = [];
const thrown: unknown[] = [];
const results: JobResult[] = [];
const mailSeen: StoredEmail[] = [];
/** Every access token the sandbox issued through any fetch this file made or observed. */
const issuedTokens = new Set<string>();
let restoreStreams: (() => void) | undefined;

function captureOutput(): () => void {
  const echo = process.env.RELIABILITY_ECHO === '1';
  const patch = (stream: NodeJS.WriteStream) => {
    const original = stream.write;
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (echo) return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    } as typeof stream.write;
    return () => {
      stream.write = original;
    };
  };
  const undo = [patch(process.stdout), patch(process.stderr)];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(format(...args));
    });
  }
  return () => {
    for (const u of undo) u();
    vi.restoreAllMocks();
  };
}

// ---------------------------------------------------------------------------------------------
// A recording fetch handed to createHandler({ fetch }): every exchange (list and token) with the
// body the client received, and hooks to act "between two pages" (expire or rotate tokens) or to
// rewrite a page as an API repeating rows would.
// ---------------------------------------------------------------------------------------------
interface ListBody {
  startTime?: string;
  endTime?: string;
  start?: number;
  limit?: number;
  priority?: string;
}

interface Exchange {
  path: string;
  request: unknown;
  status: number;
  text: string | undefined;
}

interface Recorder {
  fetch: typeof fetch;
  exchanges: Exchange[];
  settled(): Promise<void>;
  afterListResponse?: (request: ListBody, status: number) => Promise<void> | void;
  rewriteList?: (request: ListBody, text: string) => string | undefined;
}

const parseJson = (text: unknown): unknown => {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

function recorder(): Recorder {
  const pending: Promise<unknown>[] = [];
  const rec: Recorder = {
    exchanges: [],
    settled: async () => {
      await Promise.allSettled(pending);
    },
    fetch: async (input, init) => {
      const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const path = new URL(href).pathname;
      const request = parseJson(init?.body) ?? init?.body ?? null;
      let response = await fetch(input, init);
      const exchange: Exchange = { path, request, status: response.status, text: undefined };
      rec.exchanges.push(exchange);
      if (path === LIST_PATH && rec.rewriteList) {
        const original = await response.text();
        const text = rec.rewriteList(request as ListBody, original) ?? original;
        const headers = new Headers(response.headers);
        headers.delete('content-length');
        response = new Response(text, { status: response.status, headers });
      }
      pending.push(
        response
          .clone()
          .text()
          .then(
            (text) => {
              exchange.text = text;
              if (path === TOKEN_PATH) {
                const token = (parseJson(text) as { access_token?: unknown } | null)?.access_token;
                if (typeof token === 'string') issuedTokens.add(token);
              }
            },
            () => {},
          ),
      );
      if (path === LIST_PATH) await rec.afterListResponse?.(request as ListBody, response.status);
      return response;
    },
  };
  return rec;
}

/** Unique cases the sandbox served (HTTP 200, parsed) for the pages (limit 100) of one window. */
function servedCases(rec: Recorder, window: { from: string; to: string }): Map<string, CaseRecord> {
  const out = new Map<string, CaseRecord>();
  for (const ex of rec.exchanges) {
    const body = ex.request as ListBody | null;
    if (ex.path !== LIST_PATH || ex.status !== 200 || !body || body.limit !== 100) continue;
    if (body.startTime !== window.from || body.endTime !== window.to) continue;
    const json = parseJson(ex.text) as { result?: { caseList?: CaseRecord[] }[] } | null;
    for (const c of json?.result?.[0]?.caseList ?? []) if (!out.has(String(c.id))) out.set(String(c.id), c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The handler, invocations and their outcomes.
// ---------------------------------------------------------------------------------------------

/** A fresh handler (fresh logger at POWERTOOLS_LOG_LEVEL=DEBUG, fresh token cache): a cold start. */
function coldHandler(rec: Recorder = recorder()) {
  return createHandler({ fetch: rec.fetch });
}

async function invoke(
  handler: ReturnType<typeof createHandler>,
  event: unknown,
  context?: Context,
): Promise<JobResult> {
  try {
    const result = await handler(event, context);
    results.push(result);
    return result;
  } catch (error) {
    thrown.push(error);
    throw error;
  }
}

/** The invocation's rejection, asserted to be of `type` with a message matching `message`. */
async function failure<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
  message: RegExp,
): Promise<E> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, 'the invocation should have failed').toBeInstanceOf(type);
  expect((error as Error).message).toMatch(message);
  return error as E;
}

/** Names and messages of an error and its causes, outermost first. */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    parts.push(`${e.name}: ${e.message}`);
  }
  return parts.join(' <- ');
}

function digestOf(result: JobResult): DigestResult {
  if (result.job !== 'digest') throw new Error(`expected a digest result, got ${result.job}`);
  return result;
}

function alertOf(result: JobResult): AlertResult {
  if (result.job !== 'overdue-alert') throw new Error(`expected an alert result, got ${result.job}`);
  return result;
}

async function mailbox(): Promise<StoredEmail[]> {
  const mail = await ses.emails();
  mailSeen.push(...mail);
  return mail;
}

function lambdaContext(remainingMs: number): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'aicc-case-digest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:aicc-case-digest',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/aicc-case-digest',
    logStreamName: '2026/11/27/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// The oracle: plain string comparisons over the sandbox's own records (test/helpers/oracle.ts).
// ---------------------------------------------------------------------------------------------
function expectedDigest(cases: readonly CaseRecord[] = sandbox.cases) {
  const day = createdBetween(cases, DAY.from, DAY.to);
  return {
    total: day.length,
    previousTotal: createdBetween(cases, PREVIOUS_DAY.from, PREVIOUS_DAY.to).length,
    byPriority: countBy(day, 'priority'),
    byOrigin: countBy(day, 'origin'),
    byState: countBy(day, 'state'),
    overdueIds: overdueIds(cases, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL),
  };
}

const thousands = (x: number) => x.toLocaleString('en-US');

/** The exact digest, mailed once: numbers equal the oracle, one message in local SES. */
async function expectExactDigestMailedOnce(result: JobResult): Promise<DigestResult> {
  const want = expectedDigest();
  const digest = digestOf(result);
  expect(digest).toMatchObject({
    job: 'digest',
    dryRun: false,
    asOf: '2026-11-27T02:00:00.000Z',
    window: { ...DAY, timezone: ZONE },
    total: want.total,
    previousTotal: want.previousTotal,
    byPriority: want.byPriority,
    byOrigin: want.byOrigin,
    byState: want.byState,
    overdue: { count: want.overdueIds.length, caseIds: want.overdueIds },
    warnings: [],
  });
  const mail = await mailbox();
  expect(mail).toHaveLength(1);
  const [m] = mail;
  expect(m?.destination.to).toEqual(RECIPIENTS);
  expect(m?.subject).toBe(
    `Case digest 2026-11-26: ${thousands(want.total)} new, ${thousands(want.overdueIds.length)} overdue`,
  );
  expect(digest.emails).toEqual([{ to: RECIPIENTS, subject: m?.subject, messageId: m?.messageId }]);
  return digest;
}

async function expectNothingMailed(): Promise<void> {
  expect(await mailbox()).toEqual([]);
}

/** List requests the sandbox logged since `mark` for page `start` (limit 100) of `window`. */
function pageRequests(mark: number, window: { from: string; to: string }, start: number) {
  return sandbox.requests.slice(mark).filter((r) => {
    const b = r.body as ListBody | null;
    return (
      r.path === LIST_PATH &&
      b?.startTime === window.from &&
      b.endTime === window.to &&
      b.start === start &&
      b.limit === 100
    );
  });
}

const listRequestsSince = (mark: number) => sandbox.requests.slice(mark).filter((r) => r.path === LIST_PATH);
const tokenRequestsSince = (mark: number) =>
  sandbox.requests.slice(mark).filter((r) => r.path === TOKEN_PATH);

/** A token from the sandbox's token endpoint, as an operator rotating the secret would mint one. */
async function mintToken(): Promise<string> {
  const res = await fetch(`${sandbox.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }).toString(),
  });
  const { access_token } = (await res.json()) as { access_token: string };
  issuedTokens.add(access_token);
  return access_token;
}

// ---------------------------------------------------------------------------------------------
beforeAll(async () => {
  restoreStreams = captureOutput();
  sandbox = await startSandbox({
    timezone: ZONE,
    casesPerDay: 150,
    days: 35,
    endDate: '2026-11-27',
    now: () => new Date(SCHEDULED),
    seed: 61,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    staticTokens: [STATIC_TOKEN],
  });
  [ses, secrets, dynamo] = await Promise.all([
    startLocalSes(),
    startFakeSecretsManager(),
    startLocalDynamoDb(),
  ]);
  sesProxy = await startSesFaultProxy({ target: ses.url });
  secrets.setSecret(SECRET_ID, CLIENT_SECRET_STRING);

  baseEnv = {
    AICC_BASE_URL: sandbox.url,
    AICC_SECRET_ID: SECRET_ID,
    AICC_TIMEZONE: ZONE,
    REPORT_TIMEZONE: ZONE,
    MAIL_FROM: 'Case Digest <digest@example.com>',
    DIGEST_RECIPIENTS: RECIPIENTS.join(', '),
    ALERT_RECIPIENTS: 'on-call@example.com',
    ALERT_PRIORITIES: 'Critical,High',
    ALERT_REPEAT_HOURS: '24',
    OVERDUE_LOOKBACK_DAYS: String(LOOKBACK_DAYS),
    AICC_CONCURRENCY: '4',
    AICC_TIMEOUT_MS: '2000',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTESTONLY',
    AWS_SECRET_ACCESS_KEY: 'local-test-only',
    AWS_ENDPOINT_URL_SESV2: sesProxy.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
});

afterAll(async () => {
  process.env = savedEnv;
  restoreStreams?.();
  await Promise.all([sandbox?.close(), sesProxy?.close(), secrets?.close(), dynamo?.close()]);
  await ses?.close();
});

beforeEach(async () => {
  for (const key of [
    'AICC_TOKEN',
    'AICC_CLIENT_ID',
    'AICC_CLIENT_SECRET',
    'IDEMPOTENCY_TABLE',
    'SES_CONFIGURATION_SET',
    'CASE_URL_TEMPLATE',
    'POWERTOOLS_DEV',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ]) {
    delete process.env[key];
  }
  Object.assign(process.env, baseEnv);
  sandbox.clearFaults();
  sesProxy.clearFaults();
  secrets.recover();
  await secrets.start();
  await ses.clear();
});

// =============================================================================================
describe('fault matrix: the scheduled digest through the real handler, sandbox and local SES', () => {
  it('baseline: no fault → the exact digest mailed once, no retries (the oracle and windows hold)', async () => {
    const want = expectedDigest();
    // Page k = 1 (start 100) of the day must exist for the faults below to hit it.
    expect(want.total).toBeGreaterThan(100);
    expect(want.total).toBeLessThanOrEqual(200);
    expect(want.overdueIds.length).toBeGreaterThan(0);
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(0);
    expect(pageRequests(mark, DAY, 0)).toHaveLength(1);
    expect(pageRequests(mark, DAY, 100)).toHaveLength(1);
    expect(pageRequests(mark, LOOKBACK, 0)).toHaveLength(1);
    expect(result.stats.requests).toBe(listRequestsSince(mark).length);
  });

  it('1. a burst of 3× HTTP 503 on page k → retried, the exact digest mailed once, stats.retries = 3', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 503 }, times: 3, when: { start: 100 } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(3);
    expect(pageRequests(mark, DAY, 100).map((r) => r.status)).toEqual([503, 503, 503, 200]);
  });

  it('2. HTTP 429 with Retry-After: 1 → the wait is honoured (≥ 1 s between attempts), exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 1 }, when: { start: 100 } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    const attempts = pageRequests(mark, DAY, 100);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    // The backoff alone would be 250–500 ms: only honouring Retry-After makes the gap ≥ 1 s.
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('3a. a request hanging past AICC_TIMEOUT_MS → timed out, retried, exact digest once', async () => {
    process.env.AICC_TIMEOUT_MS = '300';
    sandbox.injectFault({ fault: { kind: 'hang', ms: 2000 }, when: { start: 100 } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    // The first attempt was given up after 300 ms, not waited for (the hung answer lands at 2 s).
    expect(pageRequests(mark, DAY, 100).map((r) => r.fault)).toEqual(['hang', null]);
  });

  it('3b. hanging on every attempt → AiccDeadlineError before the Lambda deadline, nothing mailed; the retry mails once', async () => {
    process.env.AICC_TIMEOUT_MS = '300';
    sandbox.injectFault({
      fault: { kind: 'hang', ms: 2000 },
      times: Number.POSITIVE_INFINITY,
      when: { start: 100 },
    });
    const mark = sandbox.requests.length;
    const started = Date.now();

    // 11 s left minus the handler's 10 s margin: a 1 s budget for the whole run.
    const error = await failure(
      invoke(coldHandler(), DIGEST_EVENT, lambdaContext(11_000)),
      AiccDeadlineError,
      /AICC case list \(window 2026-11-26 00:00:00 – 2026-11-26 23:59:59, start 100, limit 100\).*deadline/,
    );
    expect(error.message).toMatch(/timed out after 300 ms/);
    // Stopped at the 1 s deadline: running the whole retry policy would take ≥ 5.25 s
    // (4 backoffs of 250·2^n ms at least, plus 5 × 300 ms timeouts).
    expect(Date.now() - started).toBeLessThan(4000);
    expect(pageRequests(mark, DAY, 100).length).toBeGreaterThanOrEqual(2);
    // Nothing was fetched after the failing page: the digest stopped there.
    expect(pageRequests(mark, LOOKBACK, 0)).toHaveLength(0);
    await expectNothingMailed();

    sandbox.clearFaults();
    const retried = digestOf(await invoke(coldHandler(), DIGEST_EVENT, lambdaContext(300_000)));
    await expectExactDigestMailedOnce(retried);
  });

  it('4. a connection reset mid-body → retried, exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'reset' }, when: { start: 100 } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    expect(pageRequests(mark, DAY, 100).map((r) => r.fault)).toEqual(['reset', null]);
  });

  it('5a. a malformed (truncated) JSON body once → retried, exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'malformed' }, when: { start: 100 } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    expect(pageRequests(mark, DAY, 100).map((r) => r.fault)).toEqual(['malformed', null]);
  });

  it('5b. malformed JSON on every attempt → AiccResponseError after 1 + 4 retries, nothing mailed; the retry mails once', async () => {
    sandbox.injectFault({
      fault: { kind: 'malformed' },
      times: Number.POSITIVE_INFINITY,
      when: { start: 100 },
    });
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler(), DIGEST_EVENT),
      AiccResponseError,
      /AICC case list \(window 2026-11-26 00:00:00 – 2026-11-26 23:59:59, start 100, limit 100\): the answer is not valid JSON/,
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
    // The retry policy's default: the first attempt and 4 retries.
    expect(pageRequests(mark, DAY, 100)).toHaveLength(5);
    expect(pageRequests(mark, LOOKBACK, 0)).toHaveLength(0);
    await expectNothingMailed();

    sandbox.clearFaults();
    await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
  });

  it('6. resCode ≠ "0" on page k → AiccApiError naming resCode and resMsg, not retried, nothing mailed; the retry mails once', async () => {
    sandbox.injectFault({
      fault: { kind: 'res-code', resCode: '100003', resMsg: 'tenant quota exceeded' },
      when: { start: 100 },
    });
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler(), DIGEST_EVENT),
      AiccApiError,
      /resCode=100003: tenant quota exceeded \(AICC case list \(window 2026-11-26 00:00:00 – 2026-11-26 23:59:59, start 100/,
    );
    expect(error).toMatchObject({ resCode: '100003', resMsg: 'tenant quota exceeded' });
    expect(pageRequests(mark, DAY, 100)).toHaveLength(1);
    await expectNothingMailed();

    await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
  });
});

// =============================================================================================
describe('7. expired and rotated tokens mid-run (both secret formats, through the fake Secrets Manager)', () => {
  // Order matters: `sandbox.expireTokens()` also retires the static token, which the bare-token
  // case starts from — so it runs first (and fails loudly if it ever does not: its first pages
  // must succeed with the static token).
  it.each([
    {
      format: 'a bare token',
      secretId: 'aicc/reliability/bare-token',
      initial: async () => STATIC_TOKEN,
      encode: (token: string) => token,
    },
    {
      format: '{"accessToken"}',
      secretId: 'aicc/reliability/access-token',
      initial: mintToken,
      encode: (token: string) => JSON.stringify({ accessToken: token }),
    },
  ])(
    '7b. $format secret rotated mid-run → the 401 re-reads the secret bypassing the cache, continues with the new token; a new cold start reads the rotated value once',
    async ({ secretId, initial, encode }) => {
      const oldToken = await initial();
      secrets.setSecret(secretId, encode(oldToken));
      process.env.AICC_SECRET_ID = secretId;
      let newToken: string | undefined;
      const rec = recorder();
      rec.afterListResponse = async (body, status) => {
        if (
          newToken === undefined &&
          status === 200 &&
          body.startTime === LOOKBACK.from &&
          body.start === 0
        ) {
          // The operator rotates: the old token stops working, the secret now holds a new one.
          newToken = '(rotating)';
          sandbox.expireTokens();
          newToken = await mintToken();
          secrets.setSecret(secretId, encode(newToken));
        }
      };
      const mark = sandbox.requests.length;

      const result = digestOf(await invoke(coldHandler(rec), DIGEST_EVENT));

      await expectExactDigestMailedOnce(result);
      expect(newToken).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
      // Read once at the start, once more (forceFetch) on the 401 — not once per rejected page.
      expect(secrets.callsFor(secretId)).toHaveLength(2);
      // The handler never went to the token endpoint: the only exchange was the operator's mint.
      expect(tokenRequestsSince(mark)).toHaveLength(1);
      const list = listRequestsSince(mark);
      expect(list.filter((r) => r.status === 401).every((r) => r.token === oldToken)).toBe(true);
      expect(list.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
      expect(new Set(list.filter((r) => r.status === 200).map((r) => r.token))).toEqual(
        new Set([oldToken, newToken]),
      );

      // A new cold handler (its own runtime and secret cache) reads the secret once and gets the
      // rotated value: no 401.
      await ses.clear();
      const mark2 = sandbox.requests.length;
      await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
      expect(secrets.callsFor(secretId)).toHaveLength(3);
      const list2 = listRequestsSince(mark2);
      expect(list2.every((r) => r.status === 200 && r.token === newToken)).toBe(true);
    },
  );

  it('7a. {"clientId","clientSecret"}: every token expires after the first lookback page → one refresh (re-read + exchange), exact digest once', async () => {
    const secretId = 'aicc/reliability/client-expiry';
    secrets.setSecret(secretId, CLIENT_SECRET_STRING);
    process.env.AICC_SECRET_ID = secretId;
    const rec = recorder();
    let expiredAt = -1;
    rec.afterListResponse = (body, status) => {
      if (expiredAt < 0 && status === 200 && body.startTime === LOOKBACK.from && body.start === 0) {
        sandbox.expireTokens();
        expiredAt = sandbox.requests.length;
      }
    };
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(rec), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(expiredAt).toBeGreaterThan(mark);
    // One exchange at the start, exactly one after the expiry (single-flight over the pages in flight).
    const tokenCalls = tokenRequestsSince(mark);
    expect(tokenCalls.map((r) => r.status)).toEqual([200, 200]);
    // The secret was read at the start and re-read (cache bypassed) for the refresh: twice, no more.
    expect(secrets.callsFor(secretId).map((c) => c.status)).toEqual([200, 200]);
    const list = listRequestsSince(mark);
    const rejected = list.filter((r) => r.status === 401);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    const [first, second] = [...new Set(list.map((r) => r.token))];
    expect(rejected.every((r) => r.token === first)).toBe(true);
    expect(
      list
        .filter((r) => r.status === 200 && sandbox.requests.indexOf(r) >= expiredAt)
        .every((r) => r.token === second),
    ).toBe(true);
    // The repeat after a refresh is not a retry; every request is counted.
    expect(result.stats.retries).toBe(0);
    expect(result.stats.requests).toBe(list.length);
    expect(result.stats.requests).toBe(result.stats.pages + rejected.length);
  });
});

// =============================================================================================
describe('10. Secrets Manager unavailable → AiccAuthError naming the secret, no AICC request, nothing mailed', () => {
  it.each([
    {
      what: 'HTTP 500 InternalServiceError',
      secretId: 'aicc/reliability/outage',
      // The SDK names the error from `__type`; with no `message` in the body its message is "UnknownError".
      reason: /InternalServiceError/,
      breakIt: async () => secrets.fail(),
      fixIt: async () => secrets.recover(),
    },
    {
      what: 'connection refused',
      secretId: 'aicc/reliability/refused',
      reason: /ECONNREFUSED/,
      breakIt: () => secrets.stop(),
      fixIt: () => secrets.start(),
    },
  ])(
    '$what → fails before any AICC request; after recovery the retry mails once',
    async ({ secretId, reason, breakIt, fixIt }) => {
      secrets.setSecret(secretId, CLIENT_SECRET_STRING);
      process.env.AICC_SECRET_ID = secretId;
      await breakIt();
      const mark = sandbox.requests.length;
      const handler = coldHandler();

      const error = await failure(
        invoke(handler, DIGEST_EVENT),
        AiccAuthError,
        new RegExp(`Could not read the AICC secret "${secretId.replace(/\//g, '\\/')}"`),
      );
      expect(causeChain(error)).toMatch(reason);
      // The operator reads the SDK's own error name in the message itself, not only deep in the cause chain.
      expect(error.message).toMatch(reason);
      expect(sandbox.requests.length).toBe(mark);
      await expectNothingMailed();

      await fixIt();
      // The same (warm) handler: a failed read is not cached.
      await expectExactDigestMailedOnce(await invoke(handler, DIGEST_EVENT));
    },
  );

  it('an unknown secret id → AiccAuthError naming it (ResourceNotFoundException), no AICC request, nothing mailed', async () => {
    process.env.AICC_SECRET_ID = 'aicc/reliability/does-not-exist';
    const mark = sandbox.requests.length;

    await failure(
      invoke(coldHandler(), DIGEST_EVENT),
      AiccAuthError,
      /Could not read the AICC secret "aicc\/reliability\/does-not-exist": Secrets Manager can't find the specified secret/,
    );
    expect(secrets.callsFor('aicc/reliability/does-not-exist').every((c) => c.status === 400)).toBe(true);
    expect(sandbox.requests.length).toBe(mark);
    await expectNothingMailed();
  });
});

// =============================================================================================
describe('SES faults (through a proxy in front of aws-ses-v2-local)', () => {
  it('11a. brief throttling (2× TooManyRequestsException) → the SDK retries, mailed once', async () => {
    sesProxy.throttle(2);
    const mark = sesProxy.sendCalls.length;

    const result = await invoke(coldHandler(), DIGEST_EVENT);

    await expectExactDigestMailedOnce(result);
    expect(sesProxy.sendCalls.slice(mark).map((c) => c.fault)).toEqual([
      'TooManyRequestsException',
      'TooManyRequestsException',
      null,
    ]);
  });

  it('11b. persistent throttling → EmailError naming the batch, nothing mailed; the retry mails once', async () => {
    sesProxy.throttle(Number.POSITIVE_INFINITY);
    const mark = sesProxy.sendCalls.length;

    const error = await failure(
      invoke(coldHandler(), DIGEST_EVENT),
      EmailError,
      /SES SendEmail failed for batch 1 of 1 \(2 recipients\): TooManyRequestsException/,
    );
    expect((error.cause as Error).name).toBe('TooManyRequestsException');
    expect((error.cause as Error).message).toBe('Maximum sending rate exceeded.');
    // The SDK's standard retry strategy: 3 attempts.
    expect(sesProxy.sendCalls.slice(mark).map((c) => c.status)).toEqual([429, 429, 429]);
    await expectNothingMailed();

    sesProxy.clearFaults();
    await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
  });

  it.each([
    { error: MESSAGE_REJECTED, name: 'MessageRejected' },
    { error: BAD_REQUEST, name: 'BadRequestException' },
  ] satisfies { error: SesError; name: string }[])(
    '12. SES rejecting the message ($name) → EmailError naming the batch, not retried, nothing mailed; the retry mails once',
    async ({ error: sesError, name }) => {
      sesProxy.inject({ error: sesError });
      const mark = sesProxy.sendCalls.length;

      const error = await failure(
        invoke(coldHandler(), DIGEST_EVENT),
        EmailError,
        new RegExp(`SES SendEmail failed for batch 1 of 1 \\(2 recipients\\): ${name}`),
      );
      expect((error.cause as Error).name).toBe(name);
      expect(sesProxy.sendCalls.slice(mark)).toHaveLength(1);
      await expectNothingMailed();

      await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
    },
  );
});

// =============================================================================================
describe('13. multi-batch delivery with IDEMPOTENCY_TABLE (dynalite)', () => {
  const people = Array.from({ length: 120 }, (_, i) => `person${String(i).padStart(3, '0')}@example.com`);
  const event = { ...DIGEST_EVENT, recipients: people };
  const inBatch3 = ({ to }: { to: string[] }) => to.includes('person100@example.com');
  const completed = async (table: string) =>
    (await dynamo.scan(table)).filter((item) => item.status?.S === 'COMPLETED').length;

  it('batch 3 of 3 fails persistently → the invocation fails; retrying the same event sends ONLY batch 3: one email per recipient overall', async () => {
    const table = 'idempotency-partial-retry';
    await dynamo.createIdempotencyTable(table);
    process.env.IDEMPOTENCY_TABLE = table;
    sesProxy.inject({ error: THROTTLED, times: Number.POSITIVE_INFINITY, when: inBatch3 });
    const mark = sesProxy.sendCalls.length;

    await failure(
      invoke(coldHandler(), event, lambdaContext(300_000)),
      EmailError,
      /SES SendEmail failed for batch 3 of 3 \(20 recipients\): TooManyRequestsException/,
    );
    const firstRun = await mailbox();
    expect(firstRun.map((m) => m.destination.to.length)).toEqual([50, 50]);
    expect(await completed(table)).toBe(2);

    sesProxy.clearFaults();
    const mark2 = sesProxy.sendCalls.length;
    const result = await invoke(coldHandler(), event, lambdaContext(300_000));

    // Only batch 3 went to SES on the retry.
    expect(sesProxy.sendCalls.slice(mark2).map((c) => c.to.length)).toEqual([20]);
    expect(sesProxy.sendCalls.slice(mark2)[0]?.to).toEqual(people.slice(100));
    const all = await mailbox();
    expect(all).toHaveLength(3);
    const delivered = all.flatMap((m) => m.destination.to);
    expect([...delivered].sort()).toEqual([...people].sort());
    expect(new Set(delivered).size).toBe(delivered.length);
    // The result still lists every batch; the first two replay the stored message ids.
    expect(result.emails.map((e) => e.to.length)).toEqual([50, 50, 20]);
    expect(result.emails.slice(0, 2).map((e) => e.messageId)).toEqual(firstRun.map((m) => m.messageId));
    expect(await completed(table)).toBe(3);
    // Numbers still exact on the retried run.
    expect(digestOf(result).total).toBe(expectedDigest().total);
    expect(sesProxy.sendCalls.slice(mark).filter((c) => c.fault === null)).toHaveLength(3);
  });

  it('the same scheduled event delivered twice after full success → the second delivery sends nothing', async () => {
    const table = 'idempotency-redelivery';
    await dynamo.createIdempotencyTable(table);
    process.env.IDEMPOTENCY_TABLE = table;

    const first = await invoke(coldHandler(), event, lambdaContext(300_000));
    expect(first.emails.map((e) => e.to.length)).toEqual([50, 50, 20]);
    expect(await completed(table)).toBe(3);
    const mark = sesProxy.sendCalls.length;

    const second = await invoke(coldHandler(), event, lambdaContext(300_000));

    expect(sesProxy.sendCalls.slice(mark)).toHaveLength(0);
    expect(await mailbox()).toHaveLength(3);
    expect(second.emails).toEqual(first.emails);
  });
});

// =============================================================================================
describe('live data moving under the pager (8, 9): mailed with a warning, numbers equal to what was served', () => {
  it('9a. duplicate rows on page k (sandbox `duplicate`: 5 rows of page k−1 repeated in place of 5 rows) → counted once, the shortfall warned about and mailed', async () => {
    sandbox.injectFault({ fault: { kind: 'duplicate', rows: 5 }, when: { start: 100 } });
    const want = expectedDigest();
    const rec = recorder();

    const result = digestOf(await invoke(coldHandler(rec), DIGEST_EVENT));
    await rec.settled();

    const served = servedCases(rec, DAY);
    // The repeated rows are counted once: the total is the unique ids served — 5 fewer than the
    // oracle, because the fault replaced 5 rows the API then never served.
    expect(served.size).toBe(want.total - 5);
    expect(result.total).toBe(served.size);
    const servedList = [...served.values()];
    expect(result.byPriority).toEqual(countBy(servedList, 'priority'));
    expect(result.byOrigin).toEqual(countBy(servedList, 'origin'));
    expect(result.byState).toEqual(countBy(servedList, 'state'));
    expect(result.previousTotal).toBe(want.previousTotal);
    expect(result.warnings).toEqual([
      `AICC reported ${want.total} cases for ${DAY.from} – ${DAY.to} (AICC time) but ${want.total - 5} unique cases arrived: cases were added or changed while paging.`,
    ]);
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.body.text).toContain(`but ${want.total - 5} unique cases arrived`);
    expect(mail[0]?.body.html).toContain(`but ${want.total - 5} unique cases arrived`);
  });

  it('9b. rows repeated across pages with nothing lost → counted once: the exact digest, no warning', async () => {
    const rec = recorder();
    let page0: CaseRecord[] = [];
    rec.rewriteList = (body, text) => {
      if (body.startTime !== DAY.from || body.limit !== 100) return undefined;
      const json = parseJson(text) as { result: { caseList: CaseRecord[]; count: number }[] };
      const result = json.result[0];
      if (!result) return undefined;
      if (body.start === 0) page0 = result.caseList;
      if (body.start === 100) result.caseList = [...page0.slice(-5), ...result.caseList];
      return JSON.stringify(json);
    };

    const result = digestOf(await invoke(coldHandler(rec), DIGEST_EVENT));
    await rec.settled();

    expect(page0).toHaveLength(100);
    const pageK = parseJson(
      rec.exchanges.find(
        (e) => (e.request as ListBody).startTime === DAY.from && (e.request as ListBody).start === 100,
      )?.text,
    ) as {
      result: { caseList: CaseRecord[] }[];
    };
    expect(pageK.result[0]?.caseList.slice(0, 5).map((c) => String(c.id))).toEqual(
      page0.slice(-5).map((c) => String(c.id)),
    );
    await expectExactDigestMailedOnce(result);
  });

  it('8. `count` growing while paging (120 cases inserted ahead after page 0) → mailed with a warning; total = unique ids actually served', async () => {
    const before = expectedDigest();
    const beforeIds = createdBetween(sandbox.cases, DAY.from, DAY.to).map((c) => String(c.id));
    sandbox.injectFault({ fault: { kind: 'grow', by: 120 }, when: { start: 0 } });
    const rec = recorder();
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(rec), DIGEST_EVENT));
    await rec.settled();

    const after = createdBetween(sandbox.cases, DAY.from, DAY.to);
    expect(after).toHaveLength(before.total + 120);
    // The paging followed the larger count: one more page than the count at the start needed.
    expect(pageRequests(mark, DAY, Math.ceil(before.total / 100) * 100)).toHaveLength(1);
    const served = servedCases(rec, DAY);
    expect(result.total).toBe(served.size);
    expect(result.total).toBeLessThan(after.length);
    const servedList = [...served.values()];
    expect(result.byPriority).toEqual(countBy(servedList, 'priority'));
    expect(result.byOrigin).toEqual(countBy(servedList, 'origin'));
    expect(result.byState).toEqual(countBy(servedList, 'state'));
    // Every case that existed at the start was served once; some of the inserted ones were served
    // too (they shifted onto later pages), the rest never were — hence the warning.
    expect(beforeIds.every((id) => served.has(id))).toBe(true);
    expect(served.size).toBeGreaterThan(before.total);
    expect(result.warnings).toEqual([
      `AICC reported ${before.total + 120} cases for ${DAY.from} – ${DAY.to} (AICC time) but ${served.size} unique cases arrived: cases were added or changed while paging.`,
    ]);
    // The overdue scan ran after the growth: it matches the data as it now is.
    expect(result.overdue.caseIds).toEqual(
      overdueIds(sandbox.cases, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL),
    );
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe(
      `Case digest 2026-11-26: ${thousands(served.size)} new, ${thousands(result.overdue.count)} overdue`,
    );
    expect(mail[0]?.body.text).toContain('WARNINGS');
    expect(mail[0]?.body.text).toContain(`but ${served.size} unique cases arrived`);
    expect(mail[0]?.body.html).toContain(`but ${served.size} unique cases arrived`);
  });
});

// =============================================================================================
describe('14. the overdue-alert job', () => {
  const ALERT_EVENT = { job: 'overdue-alert', scheduledTime: SCHEDULED, intervalMinutes: 1440 } as const;
  const local = (ms: number) => new Date(ms + 4 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
  const dubai = (text: string) => Date.parse(`${text.replace(' ', 'T')}+04:00`);

  /** The alert rule restated: open, alerting priority, some due + k·24 h in (asOf − 24 h, asOf]. */
  function expectedAlerted(): string[] {
    const asOf = Date.parse(SCHEDULED);
    return createdBetween(sandbox.cases, local(asOf - LOOKBACK_DAYS * 24 * HOUR), local(asOf))
      .filter((c) => ['Critical', 'High'].includes(bucket(c.priority)) && openCase(c))
      .filter((c) => {
        if (typeof c.dueDate !== 'string') return false;
        for (let t = dubai(c.dueDate); t <= asOf; t += 24 * HOUR) if (t > asOf - 24 * HOUR) return true;
        return false;
      })
      .map((c) => String(c.id))
      .sort();
  }

  it('a fault mid-scan (resCode ≠ "0" on the 2nd request) fails it with nothing mailed; the retry mails the exact alert once', async () => {
    const want = expectedAlerted();
    expect(want.length).toBeGreaterThan(0);
    // The sandbox counts answered list requests; let every earlier (hung) answer land first.
    await vi.waitFor(() => expect(sandbox.requests.filter((r) => r.status === 0)).toEqual([]), {
      timeout: 5000,
    });
    const answered = listRequestsSince(0).length;
    sandbox.injectFault({
      fault: { kind: 'res-code', resCode: '100001', resMsg: 'system busy' },
      when: { afterRequests: answered + 1 },
    });
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler(), ALERT_EVENT),
      AiccApiError,
      /resCode=100001: system busy \(AICC case list \(window 2026-11-24 06:00:00 – 2026-11-27 06:00:00/,
    );
    expect(error.resCode).toBe('100001');
    const scanned = listRequestsSince(mark);
    expect(scanned.length).toBeGreaterThanOrEqual(2);
    expect(scanned[1]?.status).toBe(200);
    await expectNothingMailed();

    const result = alertOf(await invoke(coldHandler(), ALERT_EVENT));
    expect(result.alerted).toEqual({ count: want.length, caseIds: want });
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.destination.to).toEqual(['on-call@example.com']);
    expect(mail[0]?.subject).toMatch(new RegExp(`^\\[Overdue\\] ${want.length} `));
    expect(result.emails).toEqual([
      { to: ['on-call@example.com'], subject: mail[0]?.subject, messageId: mail[0]?.messageId },
    ]);
    // One query per alerting priority, nothing else.
    const priorities = new Set(listRequestsSince(mark).map((r) => (r.body as ListBody).priority));
    expect(priorities).toEqual(new Set(['3', '2']));
  });
});

// =============================================================================================
describe('secrets never leak (every log line, error and result of this file)', () => {
  function serialise(value: unknown): string {
    const seen = new WeakSet<object>();
    try {
      return JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[circular]';
          seen.add(v);
        }
        if (typeof v === 'bigint') return String(v);
        return v;
      });
    } catch (error) {
      return `unserialisable: ${String(error)}`;
    }
  }

  function errorForms(error: unknown): string[] {
    const out: string[] = [];
    let current: unknown = error;
    for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
      out.push(String(current), serialise(current), inspect(current, { depth: 6 }));
      if (current instanceof Error) out.push(current.message, current.stack ?? '');
      current = current instanceof Error ? current.cause : undefined;
    }
    return out;
  }

  it('no access token, static token, client secret or secret string appears anywhere', () => {
    // The capture is real: debug, warn and error lines of the runs above are in it.
    const output = captured.join('');
    expect(output).toContain('"level":"DEBUG"');
    expect(output).toContain('AICC rejected the access token; refreshing it once');
    expect(output).toContain('AICC request failed; retrying');
    expect(output).toContain('job failed; nothing was mailed by this step');
    expect(thrown.length).toBeGreaterThanOrEqual(11);
    expect(results.length).toBeGreaterThanOrEqual(20);

    for (const r of sandbox.requests) if (r.token) issuedTokens.add(r.token);
    const needles = new Set<string>([CLIENT_SECRET, STATIC_TOKEN, ...issuedTokens, ...secrets.allValues]);
    // Tokens the sandbox issued to the handler and to the rotations above, at the very least.
    expect(issuedTokens.size).toBeGreaterThanOrEqual(8);

    const haystacks: [string, string][] = [
      ['captured stdout/stderr/console', output],
      ...thrown.flatMap((e, i) => errorForms(e).map((s): [string, string] => [`error #${i}`, s])),
      ...results.map((r, i): [string, string] => [`result #${i}`, serialise(r)]),
      ...mailSeen.map((m, i): [string, string] => [`email #${i}`, serialise(m)]),
    ];
    const leaks: string[] = [];
    for (const needle of needles) {
      const forms = new Set([needle, JSON.stringify(needle).slice(1, -1), encodeURIComponent(needle)]);
      for (const [where, text] of haystacks) {
        for (const form of forms) {
          if (text.includes(form)) leaks.push(`${where} contains a secret (${form.slice(0, 4)}…)`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
