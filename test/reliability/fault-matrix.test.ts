/**
 * Reliability suite (issue 6, second reading): the fault matrix through the REAL handler, built per
 * invocation with `createHandler({ env, aws, logger, fetch, clock })` — its environment passed in,
 * `process.env` never touched — over the AICC sandbox, a fake Secrets Manager, aws-ses-v2-local
 * behind a fault proxy and dynalite for idempotency.
 *
 * For every fault the outcome is one of:
 *  - the exact digest (numbers equal to an independent oracle over `sandbox.cases`) mailed once; or
 *  - a typed error saying what failed, nothing mailed, and the same event retried with the fault
 *    cleared mailing it exactly once.
 * Where live data moves under the pager (`grow`, `duplicate`) the digest is mailed with a warning,
 * and its numbers are asserted equal to exactly what the sandbox served — never silently off.
 *
 * After EVERY test, what that test produced — its log lines at DEBUG, the errors it saw thrown
 * (whole cause chains), its results and its mail — is searched for every token the sandbox issued,
 * the client secret, the static token, every value stored in the fake Secrets Manager and every
 * phone number of the served cases unmasked (SPEC §4, §8). Each test stands alone: the file passes
 * shuffled and with `-t` on any one test. No assertion bounds wall-clock time from above: attempt
 * counts, request logs and ordering say what happened.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import {
  AiccApiError,
  AiccAuthError,
  AiccDeadlineError,
  AiccHttpError,
  AiccRedirectError,
  AiccResponseError,
  EmailError,
} from '../../functions/case-digest/errors.js';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import type { AlertResult } from '../../functions/case-digest/jobs/overdue-alert.js';
import { createHandler, type Handler, type JobResult } from '../../functions/case-digest/runtime.js';
import { type LocalSes, type StoredEmail, startLocalSes } from '../../sandbox/local-ses.js';
import {
  LIST_PATH,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
  TOKEN_PATH,
} from '../../sandbox/server.js';
import { type FakeSecretsManager, startFakeSecretsManager } from '../helpers/fake-secrets-manager.js';
import { startTrap, type Trap } from '../helpers/hostile-trap.js';
import { localAws } from '../helpers/local-aws.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import {
  ageCounts,
  attainment,
  bucket,
  countBy,
  createdBetween,
  dueSoonIds,
  openCase,
  overdueIds,
  ownerCounts,
} from '../helpers/oracle.js';
import {
  BAD_REQUEST,
  MESSAGE_REJECTED,
  type SesError,
  type SesFaultProxy,
  startSesFaultProxy,
  THROTTLED,
} from '../helpers/ses-fault-proxy.js';
import { errorTree, haystacksOf, secretLeaks, unmaskedPhones } from './leaks.js';

// ---------------------------------------------------------------------------------------------
// Fixed world: Asia/Dubai (UTC+4, no DST) for both zones; 02:00Z on the 27th is 06:00 local, so the
// scheduled digest reports the 26th; OVERDUE_LOOKBACK_DAYS=3 keeps the overdue scan to ~5 pages.
// ---------------------------------------------------------------------------------------------
const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z';
const AS_OF_LOCAL = '2026-11-27 06:00:00';
/** asOf + AT_RISK_HOURS (default 24): the digest's due-soon horizon. */
const HORIZON_LOCAL = '2026-11-28 06:00:00';
const DAY = { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59' };
const PREVIOUS_DAY = { from: '2026-11-25 00:00:00', to: '2026-11-25 23:59:59' };
const LOOKBACK = { from: '2026-11-24 06:00:00', to: AS_OF_LOCAL };
const LOOKBACK_DAYS = 3;
/**
 * "Page k", where the sandbox's page faults strike: a page offset only the lookback has (the day has
 * ~150 cases, two pages; the lookback ~450, five), so a fault rule matching `start` hits this page and
 * no other, whichever query's page the pool happens to send first.
 */
const PAGE_K = 200;
const PAGE_K_TEXT =
  'AICC case list \\(window 2026-11-24 06:00:00 – 2026-11-27 06:00:00, start 200, limit 100\\)';
const DIGEST_EVENT = { job: 'digest', scheduledTime: SCHEDULED } as const;
const ALERT_EVENT = { job: 'overdue-alert', scheduledTime: SCHEDULED, intervalMinutes: 1440 } as const;
const RECIPIENTS = ['managers@example.com', 'leads@example.com'];
const ON_CALL = ['on-call@example.com'];

// Distinctive credentials: the leak check after every test searches every output for them.
const CLIENT_ID = 'cid-reliability';
const CLIENT_SECRET = 'cs-VERY-SECRET-123';
const STATIC_TOKEN = 'static-TOKEN-zz9-SECRET';
const CLIENT_SECRET_STRING = JSON.stringify({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const SECRET_ID = 'aicc/reliability/client';

const HOUR = 3_600_000;

const SANDBOX_OPTIONS: SandboxOptions = {
  timezone: ZONE,
  casesPerDay: 150,
  days: 35,
  endDate: '2026-11-27',
  now: () => new Date(SCHEDULED),
  seed: 61,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  staticTokens: [STATIC_TOKEN],
};

let sandbox: Sandbox;
let ses: LocalSes;
let sesProxy: SesFaultProxy;
let secrets: FakeSecretsManager;
let dynamo: LocalDynamoDb;
/** A second local HTTP server: where redirects point. It records whatever reaches it. */
let elsewhere: Trap;
/** The handler's environment, by SPEC §4 names only. */
let baseEnv: Record<string, string>;

// ---------------------------------------------------------------------------------------------
// What the current test produced, for the leak check after it.
// ---------------------------------------------------------------------------------------------
interface Observation {
  output: string[];
  errors: unknown[];
  results: JobResult[];
  recorders: Recorder[];
  /** Sandboxes of the test's own (their cases are served too); closed after the check. */
  sandboxes: Sandbox[];
  invocations: number;
}
const newObservation = (): Observation => ({
  output: [],
  errors: [],
  results: [],
  recorders: [],
  sandboxes: [],
  invocations: 0,
});
let seen: Observation = newObservation();
/** Every access token the sandboxes issued through any fetch this file made or observed, since the start. */
const issuedTokens = new Set<string>();
let restoreStreams: (() => void) | undefined;

/** Everything written to stdout/stderr or through console goes to the current test's observation. */
function captureOutput(): () => void {
  const echo = process.env.RELIABILITY_ECHO === '1';
  const patch = (stream: NodeJS.WriteStream) => {
    const original = stream.write;
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      seen.output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
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
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      seen.output.push(`${format(...args)}\n`);
    }),
  );
  return () => {
    for (const u of undo) u();
    for (const s of spies) s.mockRestore();
  };
}

/** The structured log lines (Powertools writes one JSON object per line) the current test produced. */
interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}
function logLines(): LogLine[] {
  return seen.output
    .join('')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        const json = JSON.parse(line) as Partial<LogLine>;
        return typeof json.level === 'string' && typeof json.message === 'string' ? [json as LogLine] : [];
      } catch {
        return [];
      }
    });
}

/** The one "job failed" line of the current test; its `error` is the cause chain as `{name, message}`. */
function jobFailedLine(): LogLine & { error: { name: string; message: string }[] } {
  const lines = logLines().filter((l) => l.message.startsWith('job failed'));
  expect(lines, 'one "job failed" log line').toHaveLength(1);
  const line = lines[0] as LogLine;
  expect(line.level).toBe('ERROR');
  expect(Array.isArray(line.error), 'the "job failed" line\'s error is the cause chain').toBe(true);
  return line as LogLine & { error: { name: string; message: string }[] };
}

// ---------------------------------------------------------------------------------------------
// A recording fetch handed to createHandler({ fetch }): every exchange (list and token) with the
// body the client received, and hooks to act "between two pages" (expire or rotate tokens) or to
// rewrite a page as a misbehaving API would.
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
  seen.recorders.push(rec);
  return rec;
}

/** Unique cases served (HTTP 200, parsed) for the pages (limit 100) of one window. */
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

/**
 * A fresh handler (a cold start: its own config, token cache, secret cache and logger at DEBUG) over
 * `baseEnv` and `env` (`undefined` removes a variable), with SDK clients for the local stand-ins.
 */
function coldHandler(options: { rec?: Recorder; env?: Record<string, string | undefined> } = {}): Handler {
  const rec = options.rec ?? recorder();
  return createHandler({
    env: { ...baseEnv, ...options.env },
    aws: localAws({ ses: sesProxy.url, secretsManager: secrets.url, dynamodb: dynamo.url }),
    logger: new Logger({ serviceName: 'aicc-case-digest', logLevel: 'DEBUG' }),
    fetch: rec.fetch,
    clock: () => new Date(),
  });
}

async function invoke(handler: Handler, event: unknown, context?: Context): Promise<JobResult> {
  seen.invocations++;
  try {
    const result = await handler(event, context);
    seen.results.push(result);
    return result;
  } catch (error) {
    seen.errors.push(error);
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
  return errorTree(error)
    .map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)))
    .join(' <- ');
}

function digestOf(result: JobResult): DigestResult {
  if (result.job !== 'digest') throw new Error(`expected a digest result, got ${result.job}`);
  return result;
}

function alertOf(result: JobResult): AlertResult {
  if (result.job !== 'overdue-alert') throw new Error(`expected an alert result, got ${result.job}`);
  return result;
}

const mailbox = (): Promise<StoredEmail[]> => ses.emails();

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
  const overdue = overdueIds(cases, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL);
  const overdueSet = new Set(overdue);
  const overdueCases = cases.filter((c) => overdueSet.has(String(c.id)));
  return {
    total: day.length,
    previousTotal: createdBetween(cases, PREVIOUS_DAY.from, PREVIOUS_DAY.to).length,
    byPriority: countBy(day, 'priority'),
    byOrigin: countBy(day, 'origin'),
    byState: countBy(day, 'state'),
    overdueIds: overdue,
    byAge: ageCounts(overdueCases, AS_OF_LOCAL),
    byOwner: ownerCounts(overdueCases),
    atRiskIds: dueSoonIds(cases, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL, HORIZON_LOCAL),
    sla: attainment(day, AS_OF_LOCAL),
  };
}

const thousands = (x: number) => x.toLocaleString('en-US');

/** The exact digest, mailed once: numbers equal the oracle, one message in local SES. */
async function expectExactDigestMailedOnce(result: JobResult): Promise<DigestResult> {
  const want = expectedDigest();
  const digest = digestOf(result);
  expect(digest).toMatchObject({
    job: 'digest',
    report: null,
    dryRun: false,
    asOf: '2026-11-27T02:00:00.000Z',
    window: { ...DAY, timezone: ZONE },
    total: want.total,
    previousTotal: want.previousTotal,
    byPriority: want.byPriority,
    byOrigin: want.byOrigin,
    byState: want.byState,
    overdue: {
      count: want.overdueIds.length,
      caseIds: want.overdueIds,
      byAge: want.byAge,
      byOwner: want.byOwner,
    },
    atRisk: { count: want.atRiskIds.length, caseIds: want.atRiskIds },
    sla: want.sla,
    warnings: [],
  });
  const mail = await mailbox();
  expect(mail).toHaveLength(1);
  const [m] = mail;
  expect(m?.destination.to).toEqual(RECIPIENTS);
  expect(m?.subject).toBe(
    `Case digest 2026-11-26: ${thousands(want.total)} new, ${thousands(want.overdueIds.length)} overdue`,
  );
  expect(digest.emails).toEqual([
    { to: RECIPIENTS, subject: m?.subject, messageId: m?.messageId, status: 'sent' },
  ]);
  return digest;
}

async function expectNothingMailed(): Promise<void> {
  expect(await mailbox()).toEqual([]);
}

/** Whether a case-list body asks for page `start` (limit 100) of `window`. */
function isPage(body: unknown, window: { from: string; to: string }, start: number): boolean {
  const b = body as ListBody | null;
  return b?.startTime === window.from && b.endTime === window.to && b.start === start && b.limit === 100;
}

/** List requests a sandbox logged since `mark` for page `start` (limit 100) of `window`. */
function pageRequests(mark: number, window: { from: string; to: string }, start: number, sb = sandbox) {
  return sb.requests.slice(mark).filter((r) => r.path === LIST_PATH && isPage(r.body, window, start));
}

const listRequestsSince = (mark: number, sb = sandbox) =>
  sb.requests.slice(mark).filter((r) => r.path === LIST_PATH);
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

/** The alert rule restated: open, alerting priority, some due + k·24 h in (asOf − 24 h, asOf]. */
function expectedAlerted(): string[] {
  const asOf = Date.parse(SCHEDULED);
  const local = (ms: number) => new Date(ms + 4 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
  const dubai = (text: string) => Date.parse(`${text.replace(' ', 'T')}+04:00`);
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

/** The phone numbers of every case a sandbox of this test serves. */
function servedPhones(): Set<string> {
  const phones = new Set<string>();
  for (const sb of [sandbox, ...seen.sandboxes])
    for (const c of sb.cases) if (typeof c.contactPhone === 'string') phones.add(c.contactPhone);
  return phones;
}

// ---------------------------------------------------------------------------------------------
beforeAll(async () => {
  restoreStreams = captureOutput();
  sandbox = await startSandbox(SANDBOX_OPTIONS);
  [ses, secrets, dynamo, elsewhere] = await Promise.all([
    startLocalSes(),
    startFakeSecretsManager(),
    startLocalDynamoDb(),
    startTrap(),
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
    ALERT_RECIPIENTS: ON_CALL.join(','),
    ALERT_PRIORITIES: 'Critical,High',
    ALERT_REPEAT_HOURS: '24',
    OVERDUE_LOOKBACK_DAYS: String(LOOKBACK_DAYS),
    AICC_CONCURRENCY: '4',
    AICC_TIMEOUT_MS: '2000',
  };
});

afterAll(async () => {
  restoreStreams?.();
  await Promise.all([
    sandbox?.close(),
    sesProxy?.close(),
    secrets?.close(),
    dynamo?.close(),
    elsewhere?.close(),
  ]);
  await ses?.close();
});

beforeEach(async () => {
  seen = newObservation();
  sandbox.clearFaults();
  sesProxy.clearFaults();
  secrets.recover();
  await secrets.start();
  await ses.clear();
  elsewhere.hits.length = 0;
});

afterEach(async () => {
  try {
    await Promise.all(seen.recorders.map((r) => r.settled()));
    for (const sb of [sandbox, ...seen.sandboxes])
      for (const r of sb.requests) if (r.token) issuedTokens.add(r.token);
    const output = seen.output.join('');
    if (seen.invocations > 0) {
      // The capture is real: the handler's own log lines of this test are in it.
      expect(output, "this test's log lines were captured").toContain('"service":"aicc-case-digest"');
    }
    const haystacks = haystacksOf({
      output,
      errors: seen.errors,
      results: seen.results,
      mail: await mailbox(),
    });
    const secretValues = new Set([CLIENT_SECRET, STATIC_TOKEN, ...issuedTokens, ...secrets.allValues]);
    expect(secretLeaks(haystacks, secretValues), 'secrets in what this test produced').toEqual([]);
    expect(unmaskedPhones(haystacks, servedPhones()), 'unmasked phones in what this test produced').toEqual(
      [],
    );
  } finally {
    await Promise.all(seen.sandboxes.map((sb) => sb.close()));
  }
});

// =============================================================================================
describe('fault matrix: the scheduled digest through the real handler, sandbox and local SES', () => {
  it('baseline: no fault → the exact digest mailed once, no retries (the oracle and windows hold)', async () => {
    const want = expectedDigest();
    // The day has two pages, the lookback has a page k no other query has, for the faults below to hit.
    expect(want.total).toBeGreaterThan(100);
    expect(want.total).toBeLessThanOrEqual(200);
    expect(createdBetween(sandbox.cases, LOOKBACK.from, LOOKBACK.to).length).toBeGreaterThan(PAGE_K + 100);
    expect(want.overdueIds.length).toBeGreaterThan(0);
    expect(want.atRiskIds.length).toBeGreaterThan(0);
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(0);
    expect(pageRequests(mark, DAY, 0)).toHaveLength(1);
    expect(pageRequests(mark, DAY, 100)).toHaveLength(1);
    expect(pageRequests(mark, DAY, PAGE_K)).toHaveLength(0);
    for (const start of [0, 100, 200, 300, 400]) expect(pageRequests(mark, LOOKBACK, start)).toHaveLength(1);
    expect(result.stats.requests).toBe(listRequestsSince(mark).length);
    // The logger runs at DEBUG and its lines reach the leak check.
    expect(logLines().some((l) => l.level === 'DEBUG')).toBe(true);
  });

  it('1. a burst of 3× HTTP 503 on page k → retried, the exact digest mailed once, stats.retries = 3', async () => {
    sandbox.injectFault({ fault: { kind: 'status', status: 503 }, times: 3, when: { start: PAGE_K } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(3);
    expect(pageRequests(mark, LOOKBACK, PAGE_K).map((r) => r.status)).toEqual([503, 503, 503, 200]);
  });

  it('2. HTTP 429 with Retry-After: 1 → the wait is honoured (≥ 1 s between attempts), exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 1 }, when: { start: PAGE_K } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    expect(result.stats.throttled).toBe(1);
    const attempts = pageRequests(mark, LOOKBACK, PAGE_K);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    // The backoff alone would be 250–500 ms: only honouring Retry-After makes the gap ≥ 1 s.
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('3a. a request hanging past AICC_TIMEOUT_MS → timed out, retried, exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'hang', ms: 10_000 }, when: { start: PAGE_K } });
    const rec = recorder();
    const mark = sandbox.requests.length;

    const result = digestOf(
      await invoke(coldHandler({ rec, env: { AICC_TIMEOUT_MS: '1000' } }), DIGEST_EVENT),
    );

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    expect(pageRequests(mark, LOOKBACK, PAGE_K).map((r) => r.fault)).toEqual(['hang', null]);
    // The first attempt was given up, not waited for: only the second one's answer reached the client.
    expect(rec.exchanges.filter((e) => isPage(e.request, LOOKBACK, PAGE_K)).map((e) => e.status)).toEqual([
      200,
    ]);
  });

  it('3b. hanging on every attempt → AiccDeadlineError before the Lambda deadline, nothing mailed; the retry mails once', async () => {
    sandbox.injectFault({
      fault: { kind: 'hang', ms: 30_000 },
      times: Number.POSITIVE_INFINITY,
      when: { start: PAGE_K },
    });
    const rec = recorder();
    const mark = sandbox.requests.length;

    // 14 s left minus the handler's 10 s margin: a 4 s budget for the whole run, where the whole
    // retry policy would need ≥ 8.75 s (5 × 1 s timeouts plus backoffs of 250·2^n ms at least).
    const error = await failure(
      invoke(coldHandler({ rec, env: { AICC_TIMEOUT_MS: '1000' } }), DIGEST_EVENT, lambdaContext(14_000)),
      AiccDeadlineError,
      new RegExp(`${PAGE_K_TEXT}.*deadline`),
    );
    expect(error.message).toMatch(/timed out after 1000 ms/);
    // Stopped by the deadline, not by running out of retries: fewer attempts than the policy allows,
    // and none of them answered to the client (each was given up at its timeout).
    const attempts = pageRequests(mark, LOOKBACK, PAGE_K);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeLessThan(5);
    expect(rec.exchanges.filter((e) => isPage(e.request, LOOKBACK, PAGE_K))).toEqual([]);
    await expectNothingMailed();
    expect(jobFailedLine().error[0]).toEqual({ name: 'AiccDeadlineError', message: error.message });

    sandbox.clearFaults();
    const retried = digestOf(await invoke(coldHandler(), DIGEST_EVENT, lambdaContext(300_000)));
    await expectExactDigestMailedOnce(retried);
  });

  it('4. a connection reset mid-body → retried, exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'reset' }, when: { start: PAGE_K } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    expect(pageRequests(mark, LOOKBACK, PAGE_K).map((r) => r.fault)).toEqual(['reset', null]);
  });

  it('5a. a malformed (truncated) JSON body once → retried, exact digest once', async () => {
    sandbox.injectFault({ fault: { kind: 'malformed' }, when: { start: PAGE_K } });
    const mark = sandbox.requests.length;

    const result = digestOf(await invoke(coldHandler(), DIGEST_EVENT));

    await expectExactDigestMailedOnce(result);
    expect(result.stats.retries).toBe(1);
    expect(pageRequests(mark, LOOKBACK, PAGE_K).map((r) => r.fault)).toEqual(['malformed', null]);
  });

  it('5b. malformed JSON on every attempt → AiccResponseError after 1 + 4 retries, nothing mailed; the retry mails once', async () => {
    sandbox.injectFault({
      fault: { kind: 'malformed' },
      times: Number.POSITIVE_INFINITY,
      when: { start: PAGE_K },
    });
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler(), DIGEST_EVENT),
      AiccResponseError,
      new RegExp(`${PAGE_K_TEXT}: the answer is not valid JSON`),
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
    // The retry policy's default: the first attempt and 4 retries.
    expect(pageRequests(mark, LOOKBACK, PAGE_K)).toHaveLength(5);
    await expectNothingMailed();

    sandbox.clearFaults();
    await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
  });

  it('5c. a page that is not JSON where the parser stops at a phone number → AiccResponseError; no error in the logged cause chain (nor any log line) quotes the phone', async () => {
    const rec = recorder();
    let phone: string | undefined;
    // Unquote one +9715… phone of the day's page 2: JSON.parse's own error would quote its digits.
    rec.rewriteList = (body, text) => {
      if (!isPage(body, DAY, 100)) return undefined;
      const m = /"contactPhone":"(\+9715\d{8})"/.exec(text);
      if (!m?.[1]) return undefined;
      phone = m[1];
      return text.replace(m[0], `"contactPhone":${m[1]}`);
    };
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler({ rec }), DIGEST_EVENT),
      AiccResponseError,
      /window 2026-11-26 00:00:00 – 2026-11-26 23:59:59, start 100, limit 100\): the answer is not valid JSON/,
    );
    await rec.settled();
    if (phone === undefined) throw new Error("the day's page 2 served no +9715… phone to break the JSON at");
    const hidden = phone.replace(/\D/g, '').slice(0, -4);
    // The trap is real: the body as served fails JSON.parse with a message quoting the phone's digits.
    const served = rec.exchanges.find((e) => isPage(e.request, DAY, 100));
    let parserMessage = '';
    try {
      JSON.parse(served?.text ?? '');
    } catch (e) {
      parserMessage = (e as Error).message;
    }
    expect(parserMessage).toContain(hidden);

    expect(pageRequests(mark, DAY, 100)).toHaveLength(5);
    const chain = jobFailedLine().error;
    expect(chain[0]).toEqual({ name: 'AiccResponseError', message: error.message });
    expect(chain.map((e) => e.name)).toContain('SyntaxError');
    expect(JSON.stringify(chain)).not.toContain(hidden);
    // Nor do the retry warnings, or anything else this test logged or saw thrown.
    expect(seen.output.join('')).not.toContain(hidden);
    expect(causeChain(error)).not.toContain(hidden);
    await expectNothingMailed();
  });

  it('6. resCode ≠ "0" on page k → AiccApiError naming resCode and resMsg, not retried, nothing mailed; the retry mails once', async () => {
    sandbox.injectFault({
      fault: { kind: 'res-code', resCode: '100003', resMsg: 'tenant quota exceeded' },
      when: { start: PAGE_K },
    });
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler(), DIGEST_EVENT),
      AiccApiError,
      new RegExp(`resCode=100003: tenant quota exceeded \\(${PAGE_K_TEXT}`),
    );
    expect(error).toMatchObject({ resCode: '100003', resMsg: 'tenant quota exceeded' });
    expect(pageRequests(mark, LOOKBACK, PAGE_K)).toHaveLength(1);
    await expectNothingMailed();

    await expectExactDigestMailedOnce(await invoke(coldHandler(), DIGEST_EVENT));
  });
});

// =============================================================================================
describe('redirects are never followed (SPEC §4): no token or client secret reaches another origin', () => {
  it.each([
    { target: 'a case-list page', status: 307, when: { start: PAGE_K } },
    { target: 'a case-list page', status: 308, when: { start: PAGE_K } },
    { target: 'the token request (client credentials)', status: 307, when: { path: 'token' } },
    { target: 'the token request (client credentials)', status: 308, when: { path: 'token' } },
  ] as const)(
    'R-a. $target answered HTTP $status pointing at a second local server → an error naming the status and that host, not retried, nothing mailed, and the second server received nothing',
    async ({ status, when }) => {
      sandbox.injectFault({
        fault: { kind: 'redirect', status, location: `${elsewhere.url}/collect?from=aicc` },
        times: Number.POSITIVE_INFINITY,
        when,
      });
      const mark = sandbox.requests.length;

      const error = await failure(
        invoke(coldHandler(), DIGEST_EVENT),
        AiccRedirectError,
        new RegExp(`HTTP ${status}\\b.*${elsewhere.host.replace(/\./g, '\\.')}`),
      );

      // Whatever reached the second server (headers with a token, a body with the secret) would be here.
      expect(elsewhere.hits).toEqual([]);
      // Answered with the redirect once, and not asked again (a redirect is not retried).
      const redirected = sandbox.requests.slice(mark).filter((r) => r.fault === 'redirect');
      expect(redirected.map((r) => r.status)).toEqual([status]);
      if ('path' in when) {
        expect(tokenRequestsSince(mark)).toHaveLength(1);
        expect(error.message).toMatch(/^AICC token request/);
        expect(listRequestsSince(mark)).toEqual([]);
      } else {
        expect(pageRequests(mark, LOOKBACK, PAGE_K)).toHaveLength(1);
        expect(error.message).toMatch(new RegExp(`^${PAGE_K_TEXT}`));
      }
      expect(jobFailedLine().error[0]).toEqual({ name: 'AiccRedirectError', message: error.message });
      await expectNothingMailed();
    },
  );
});
// =============================================================================================
describe('AICC error text quoting a phone number (SPEC §8: masked in logs and results, a contactPhone filter included)', () => {
  it.each([
    { answer: 'resCode ≠ "0" whose resMsg echoes the contactPhone filter', kind: 'res-code' },
    { answer: 'HTTP 400 whose body echoes the contactPhone filter', kind: 'status' },
  ] as const)(
    'R-e. $answer → fails, nothing mailed, and neither the error nor any log line shows the phone unmasked',
    async ({ kind }) => {
      const phone = [...servedPhones()].find((p) => /^\+9715\d{8}$/.test(p));
      if (!phone) throw new Error('the sandbox serves no +9715… phone');
      const rec = recorder();
      if (kind === 'res-code')
        rec.rewriteList = (body) =>
          JSON.stringify({
            resCode: '100007',
            resMsg: `no case matches contactPhone=${(body as Record<string, unknown>).contactPhone}`,
          });
      else
        sandbox.injectFault({
          fault: { kind: 'status', status: 400, body: `Bad Request: contactPhone=${phone} rejected` },
          when: { start: 0 },
        });

      const error = await failure(
        invoke(coldHandler({ rec }), { ...DIGEST_EVENT, filters: { contactPhone: phone } }),
        (kind === 'res-code' ? AiccApiError : AiccHttpError) as new (
          ...args: never[]
        ) => Error,
        kind === 'res-code'
          ? /resCode=100007: no case matches contactPhone=/
          : /answered HTTP 400: Bad Request/,
      );
      // The filter went to AICC whole (it is what the API matches on) …
      const listed = rec.exchanges.filter((e) => e.path === LIST_PATH);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((e) => (e.request as Record<string, unknown>).contactPhone === phone)).toBe(true);
      // … but what the operator reads shows its last 4 digits only.
      const hidden = phone.replace(/\D/g, '').slice(0, -4);
      expect(error.message, 'the error message').not.toContain(hidden);
      expect(JSON.stringify(jobFailedLine().error), 'the "job failed" log line').not.toContain(hidden);
      await expectNothingMailed();
    },
  );
});

// =============================================================================================
describe('7. expired and rotated tokens mid-run (both secret formats, through the fake Secrets Manager)', () => {
  // The bare token is minted, not the static one: `sandbox.expireTokens()` retires static tokens
  // too, and the tests run in any order.
  it.each([
    {
      format: 'a bare token',
      secretId: 'aicc/reliability/bare-token',
      encode: (token: string) => token,
    },
    {
      format: '{"accessToken"}',
      secretId: 'aicc/reliability/access-token',
      encode: (token: string) => JSON.stringify({ accessToken: token }),
    },
  ])(
    '7b. $format secret rotated mid-run → the 401 re-reads the secret bypassing the cache, continues with the new token; a new cold start reads the rotated value once',
    async ({ secretId, encode }) => {
      const oldToken = await mintToken();
      secrets.setSecret(secretId, encode(oldToken));
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
      const calls = secrets.callsFor(secretId).length;
      const mark = sandbox.requests.length;

      const result = digestOf(
        await invoke(coldHandler({ rec, env: { AICC_SECRET_ID: secretId } }), DIGEST_EVENT),
      );

      await expectExactDigestMailedOnce(result);
      expect(newToken).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
      // Read once at the start, once more (forceFetch) on the 401 — not once per rejected page.
      expect(secrets.callsFor(secretId).slice(calls)).toHaveLength(2);
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
      await expectExactDigestMailedOnce(
        await invoke(coldHandler({ env: { AICC_SECRET_ID: secretId } }), DIGEST_EVENT),
      );
      expect(secrets.callsFor(secretId).slice(calls)).toHaveLength(3);
      const list2 = listRequestsSince(mark2);
      expect(list2.every((r) => r.status === 200 && r.token === newToken)).toBe(true);
    },
  );

  it('7a. {"clientId","clientSecret"}: every token expires after the first lookback page → one refresh (re-read + exchange), exact digest once', async () => {
    const secretId = 'aicc/reliability/client-expiry';
    secrets.setSecret(secretId, CLIENT_SECRET_STRING);
    const rec = recorder();
    let expiredAt = -1;
    rec.afterListResponse = (body, status) => {
      if (expiredAt < 0 && status === 200 && body.startTime === LOOKBACK.from && body.start === 0) {
        sandbox.expireTokens();
        expiredAt = sandbox.requests.length;
      }
    };
    const calls = secrets.callsFor(secretId).length;
    const mark = sandbox.requests.length;

    const result = digestOf(
      await invoke(coldHandler({ rec, env: { AICC_SECRET_ID: secretId } }), DIGEST_EVENT),
    );

    await expectExactDigestMailedOnce(result);
    expect(expiredAt).toBeGreaterThan(mark);
    // One exchange at the start, exactly one after the expiry (single-flight over the pages in flight).
    const tokenCalls = tokenRequestsSince(mark);
    expect(tokenCalls.map((r) => r.status)).toEqual([200, 200]);
    // The secret was read at the start and re-read (cache bypassed) for the refresh: twice, no more.
    expect(
      secrets
        .callsFor(secretId)
        .slice(calls)
        .map((c) => c.status),
    ).toEqual([200, 200]);
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
      await breakIt();
      const mark = sandbox.requests.length;
      const handler = coldHandler({ env: { AICC_SECRET_ID: secretId } });

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
    const mark = sandbox.requests.length;

    await failure(
      invoke(coldHandler({ env: { AICC_SECRET_ID: 'aicc/reliability/does-not-exist' } }), DIGEST_EVENT),
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

  it('R-b. SES refusing with "Email address is not verified" → the "job failed" log line\'s error (the cause chain) carries SES\'s own message', async () => {
    sesProxy.inject({ error: MESSAGE_REJECTED });

    const error = await failure(invoke(coldHandler(), DIGEST_EVENT), EmailError, /MessageRejected/);

    const chain = jobFailedLine().error;
    expect(chain[0]).toEqual({ name: 'EmailError', message: error.message });
    // SES's own error, as the SDK reported it, is a link of the chain — name and message intact.
    expect(chain).toContainEqual({ name: 'MessageRejected', message: MESSAGE_REJECTED.message });
    expect(MESSAGE_REJECTED.message).toMatch(/^Email address is not verified/);
    await expectNothingMailed();
  });
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
    const env = { IDEMPOTENCY_TABLE: table };
    sesProxy.inject({ error: THROTTLED, times: Number.POSITIVE_INFINITY, when: inBatch3 });
    const mark = sesProxy.sendCalls.length;

    await failure(
      invoke(coldHandler({ env }), event, lambdaContext(300_000)),
      EmailError,
      /SES SendEmail failed for batch 3 of 3 \(20 recipients\): TooManyRequestsException/,
    );
    const firstRun = await mailbox();
    expect(firstRun.map((m) => m.destination.to.length)).toEqual([50, 50]);
    expect(await completed(table)).toBe(2);

    sesProxy.clearFaults();
    const mark2 = sesProxy.sendCalls.length;
    const result = await invoke(coldHandler({ env }), event, lambdaContext(300_000));

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
    expect(result.emails.map((e) => e.status)).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(result.emails.slice(0, 2).map((e) => e.messageId)).toEqual(firstRun.map((m) => m.messageId));
    expect(await completed(table)).toBe(3);
    // Numbers still exact on the retried run.
    expect(digestOf(result).total).toBe(expectedDigest().total);
    expect(sesProxy.sendCalls.slice(mark).filter((c) => c.fault === null)).toHaveLength(3);
  });

  it('the same scheduled event delivered twice after full success → the second delivery sends nothing', async () => {
    const table = 'idempotency-redelivery';
    await dynamo.createIdempotencyTable(table);
    const env = { IDEMPOTENCY_TABLE: table };

    const first = await invoke(coldHandler({ env }), event, lambdaContext(300_000));
    expect(first.emails.map((e) => e.to.length)).toEqual([50, 50, 20]);
    expect(first.emails.every((e) => e.status === 'sent')).toBe(true);
    expect(await completed(table)).toBe(3);
    const mark = sesProxy.sendCalls.length;

    const second = await invoke(coldHandler({ env }), event, lambdaContext(300_000));

    expect(sesProxy.sendCalls.slice(mark)).toHaveLength(0);
    expect(await mailbox()).toHaveLength(3);
    expect(second.emails).toEqual(first.emails.map((e) => ({ ...e, status: 'already-sent' })));
  });
});

// =============================================================================================
describe('live data moving under the pager (8, 9): mailed with a warning, numbers equal to what was served', () => {
  it('9a. duplicate rows on page k (sandbox `duplicate`: 5 rows of page k−1 repeated in place of 5 rows) → counted once, the shortfall warned about and mailed', async () => {
    sandbox.injectFault({ fault: { kind: 'duplicate', rows: 5 }, when: { start: PAGE_K } });
    const want = expectedDigest();
    const lookbackTotal = createdBetween(sandbox.cases, LOOKBACK.from, LOOKBACK.to).length;
    const rec = recorder();

    const result = digestOf(await invoke(coldHandler({ rec }), DIGEST_EVENT));
    await rec.settled();

    const served = servedCases(rec, LOOKBACK);
    // The repeated rows are counted once: 5 fewer unique cases than the API reported, because the
    // fault replaced 5 rows the API then never served.
    expect(served.size).toBe(lookbackTotal - 5);
    const servedList = [...served.values()];
    // The lookback's numbers are exactly those of what was served; the day's are untouched.
    expect(result.overdue.caseIds).toEqual(overdueIds(servedList, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL));
    expect(result.atRisk.caseIds).toEqual(
      dueSoonIds(servedList, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL, HORIZON_LOCAL),
    );
    expect(result).toMatchObject({
      total: want.total,
      previousTotal: want.previousTotal,
      byPriority: want.byPriority,
      sla: want.sla,
    });
    const warning = `AICC reported ${lookbackTotal} cases for ${LOOKBACK.from} – ${LOOKBACK.to} (AICC time) but ${lookbackTotal - 5} unique cases arrived: cases were added or changed while paging.`;
    expect(result.warnings).toEqual([warning]);
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.body.text).toContain(`but ${lookbackTotal - 5} unique cases arrived`);
    expect(mail[0]?.body.html).toContain(`but ${lookbackTotal - 5} unique cases arrived`);
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

    const result = digestOf(await invoke(coldHandler({ rec }), DIGEST_EVENT));
    await rec.settled();

    expect(page0).toHaveLength(100);
    const pageK = parseJson(
      rec.exchanges.find(
        (e) => (e.request as ListBody).startTime === DAY.from && (e.request as ListBody).start === 100,
      )?.text,
    ) as { result: { caseList: CaseRecord[] }[] };
    expect(pageK.result[0]?.caseList.slice(0, 5).map((c) => String(c.id))).toEqual(
      page0.slice(-5).map((c) => String(c.id)),
    );
    await expectExactDigestMailedOnce(result);
  });

  it('8. `count` growing while paging (120 cases inserted ahead after page k) → mailed with a warning; the numbers are those of the unique ids actually served', async () => {
    // A sandbox of this test's own (same seed, same data): the growth must not outlive the test.
    const grown = await startSandbox(SANDBOX_OPTIONS);
    seen.sandboxes.push(grown);
    const before = createdBetween(grown.cases, LOOKBACK.from, LOOKBACK.to);
    const day = expectedDigest(grown.cases);
    grown.injectFault({ fault: { kind: 'grow', by: 120 }, when: { start: PAGE_K } });
    const rec = recorder();

    const result = digestOf(
      await invoke(coldHandler({ rec, env: { AICC_BASE_URL: grown.url } }), DIGEST_EVENT),
    );
    await rec.settled();

    const after = createdBetween(grown.cases, LOOKBACK.from, LOOKBACK.to);
    expect(after).toHaveLength(before.length + 120);
    // The paging followed the larger count: one more page than the count at the start needed.
    const lastPage = Math.ceil(before.length / 100) * 100;
    expect(after.length).toBeGreaterThan(lastPage);
    expect(pageRequests(0, LOOKBACK, lastPage, grown)).toHaveLength(1);
    const served = servedCases(rec, LOOKBACK);
    expect(served.size).toBeLessThan(after.length);
    // Every case that existed at the start was served (shifted onto later pages, which the paging
    // followed); the inserted ones went in ahead of page k, where no page was asked for again —
    // hence the warning.
    expect(before.every((c) => served.has(String(c.id)))).toBe(true);
    expect(result.warnings).toEqual([
      `AICC reported ${after.length} cases for ${LOOKBACK.from} – ${LOOKBACK.to} (AICC time) but ${served.size} unique cases arrived: cases were added or changed while paging.`,
    ]);
    const servedList = [...served.values()];
    expect(result.overdue.caseIds).toEqual(overdueIds(servedList, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL));
    expect(result.atRisk.caseIds).toEqual(
      dueSoonIds(servedList, LOOKBACK.from, AS_OF_LOCAL, AS_OF_LOCAL, HORIZON_LOCAL),
    );
    // The inserted cases are newer than the day: its numbers are the oracle's.
    expect(result).toMatchObject({
      total: day.total,
      previousTotal: day.previousTotal,
      byPriority: day.byPriority,
      sla: day.sla,
    });
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe(
      `Case digest 2026-11-26: ${thousands(day.total)} new, ${thousands(result.overdue.count)} overdue`,
    );
    expect(mail[0]?.body.text).toContain('WARNINGS');
    expect(mail[0]?.body.text).toContain(`but ${served.size} unique cases arrived`);
    expect(mail[0]?.body.html).toContain(`but ${served.size} unique cases arrived`);
  });
});

// =============================================================================================
describe('14. the overdue-alert job', () => {
  it('a fault mid-scan (resCode ≠ "0" on the High query) fails it with nothing mailed; the retry mails the exact alert once', async () => {
    const want = expectedAlerted();
    expect(want.length).toBeGreaterThan(0);
    const rec = recorder();
    rec.rewriteList = (body) =>
      body.priority === '2' ? JSON.stringify({ resCode: '100001', resMsg: 'system busy' }) : undefined;
    const mark = sandbox.requests.length;

    const error = await failure(
      invoke(coldHandler({ rec }), ALERT_EVENT),
      AiccApiError,
      /resCode=100001: system busy \(AICC case list \(window 2026-11-24 06:00:00 – 2026-11-27 06:00:00, start 0/,
    );
    expect(error.resCode).toBe('100001');
    expect(rec.exchanges.filter((e) => (e.request as ListBody).priority === '2')).toHaveLength(1);
    await expectNothingMailed();

    const mark2 = sandbox.requests.length;
    const result = alertOf(await invoke(coldHandler(), ALERT_EVENT));
    expect(result.alerted).toEqual({ count: want.length, caseIds: want });
    expect(result.warned).toEqual({ count: 0, caseIds: [] });
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.destination.to).toEqual(ON_CALL);
    expect(mail[0]?.subject).toMatch(new RegExp(`^\\[Overdue\\] ${want.length} `));
    expect(result.emails).toEqual([
      { to: ON_CALL, subject: mail[0]?.subject, messageId: mail[0]?.messageId, status: 'sent' },
    ]);
    // One query per alerting priority, nothing else.
    const priorities = new Set(listRequestsSince(mark2).map((r) => (r.body as ListBody).priority));
    expect(priorities).toEqual(new Set(['3', '2']));
    expect(listRequestsSince(mark).length).toBeGreaterThan(listRequestsSince(mark2).length);
  });

  it("R-d. the same scheduled alert delivered twice with IDEMPOTENCY_TABLE → the second sends nothing; its emails[] say already-sent with the first delivery's messageId", async () => {
    const table = 'idempotency-alert-redelivery';
    await dynamo.createIdempotencyTable(table);
    const env = { IDEMPOTENCY_TABLE: table };

    const first = alertOf(await invoke(coldHandler({ env }), ALERT_EVENT));
    const mail = await mailbox();
    expect(mail).toHaveLength(1);
    expect(first.alerted.count).toBeGreaterThan(0);
    expect(first.emails).toEqual([
      { to: ON_CALL, subject: mail[0]?.subject, messageId: mail[0]?.messageId, status: 'sent' },
    ]);
    const mark = sesProxy.sendCalls.length;

    const second = alertOf(await invoke(coldHandler({ env }), ALERT_EVENT));

    expect(sesProxy.sendCalls.slice(mark)).toEqual([]);
    expect(await mailbox()).toHaveLength(1);
    expect(second.alerted).toEqual(first.alerted);
    expect(second.emails).toEqual([
      { to: ON_CALL, subject: mail[0]?.subject, messageId: mail[0]?.messageId, status: 'already-sent' },
    ]);
    expect(
      logLines().some((l) => l.level === 'INFO' && l.message.startsWith('email batch already sent')),
    ).toBe(true);
  });
});

// =============================================================================================
describe('the leak check itself (a control: it finds what it is meant to find)', () => {
  it('finds a token in an AggregateError member deep in a cause chain, and a phone shown with separators', () => {
    const token = 'tok-CONTROL-abc123==';
    const error = new Error('outer', {
      cause: new AggregateError([new Error('first'), new Error(`second ${token}`)], 'several failed'),
    });
    const haystacks = haystacksOf({
      output: '{"level":"WARN","message":"call +1 (555) 913-8141 or •••• 4567"}\n',
      errors: [error],
      results: [],
      mail: [],
    });
    expect(secretLeaks(haystacks, [token])).not.toEqual([]);
    expect(
      secretLeaks(
        haystacks.filter((h) => !h.where.startsWith('thrown')),
        [token],
      ),
    ).toEqual([]);
    expect(unmaskedPhones(haystacks, ['+1 (555) 913-8141'])).toEqual([
      'log output (stdout, stderr, console) shows the phone +1 (555) 913-8141 unmasked',
    ]);
    // A masked number does not count.
    expect(unmaskedPhones(haystacks, ['+971 50 123 4567'])).toEqual([]);
  });
});
