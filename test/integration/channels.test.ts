/**
 * On-call channels (SPEC §13) through the real handler: PagerDuty Events v2 against the sandbox's
 * endpoint, SNS against moto (a real local AWS endpoint; the topic's SQS subscriber reads what a user's
 * subscriber would), email against local SES — consecutive runs, faults, retries, dry runs, and the
 * routing key kept out of every log, error and result.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import { ChannelError } from '../../functions/case-digest/errors.js';
import type { AlertResult } from '../../functions/case-digest/jobs/overdue-alert.js';
import { errorChain } from '../../functions/case-digest/runtime.js';
import { generateCases } from '../../sandbox/data.js';
import { type PagerDutySandbox, startPagerDutySandbox } from '../../sandbox/pagerduty.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';
import { type Moto, startMoto, type TopicWithQueue } from '../helpers/moto.js';
import { createdBetween, openCase } from '../helpers/oracle.js';

const ZONE = 'Asia/Dubai';
const HOUR = 3_600_000;
const MIN = 60_000;
const ROUTING_KEY = 'R0UT1NG-KEY-never-in-a-log-0123';
/** The crafted case's due time: the runs below walk past it. */
const DUE = Date.parse('2026-11-27T10:00:00Z');
const local = (ms: number) => new Date(ms + 4 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
const dubai = (text: string) => Date.parse(`${text.replace(' ', 'T')}+04:00`);
const WATCHED = 'watched-case-0001';

const watched: CaseRecord = {
  id: WATCHED,
  caseNo: '000000000000000000000000099001',
  title: 'Router down at <branch> & "HQ" — call +971 50 123 4567',
  priority: 'Critical',
  origin: 'Voice',
  state: 'Processing',
  ownerId: 'owner-watch',
  contactPhone: '+971501234567',
  createdDate: local(DUE - 4 * HOUR),
  dueDate: local(DUE),
  closedDate: null,
  isCanced: false,
  queueId: 'q-emea',
};

let stack: LocalStack;
let pd: PagerDutySandbox;
let moto: Moto;
let dynamo: LocalDynamoDb;
let topic: TopicWithQueue;
const logs: string[] = [];
const seen: unknown[] = [];

/** A logger whose every line lands in `logs` (DEBUG: the most it would ever say). */
const recordingLogger = () => {
  const logger = new Logger({ serviceName: 'aicc-case-digest', logLevel: 'DEBUG' });
  // Powertools writes each line through its console; keep them instead of printing.
  const sink = {
    log: (line: string) => logs.push(line),
    info: (line: string) => logs.push(line),
    warn: (line: string) => logs.push(line),
    error: (line: string) => logs.push(line),
    debug: (line: string) => logs.push(line),
    trace: (line: string) => logs.push(line),
  };
  (logger as unknown as { console: unknown }).console = sink;
  return logger;
};

beforeAll(async () => {
  const generated = generateCases({
    seed: 3,
    casesPerDay: 200,
    days: 35,
    endDate: '2026-11-27',
    timezone: ZONE,
    now: () => new Date(DUE + 6 * HOUR),
  });
  [pd, moto, dynamo] = await Promise.all([
    startPagerDutySandbox({ routingKeys: [ROUTING_KEY] }),
    startMoto(),
    startLocalDynamoDb(),
  ]);
  await dynamo.createIdempotencyTable('channels');
  topic = await moto.createTopicWithQueue('oncall-alerts');
  stack = await startLocalStack(
    { timezone: ZONE, cases: [...generated, watched], now: () => new Date(DUE + 6 * HOUR) },
    {
      ALERT_RECIPIENTS: 'on-call@example.com',
      ALERT_PRIORITIES: 'Critical',
      ALERT_REPEAT_HOURS: '4',
      ALERT_WARN_HOURS: '2',
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: pd.url,
      ALERT_TOPIC_ARN: topic.topicArn,
      CASE_URL_TEMPLATE: 'https://aicc.example.com/case/{id}',
    },
  );
}, 90_000);
afterAll(async () => {
  await Promise.all([stack?.close(), pd?.close(), moto?.close(), dynamo?.close()]);
});
beforeEach(async () => {
  await stack.reset();
  pd.clearFaults();
  await topic.receive(20, 200); // drain
});

/** A handler over the stack's env (plus `overrides`), local SES, moto and dynalite, logging into `logs`. */
const handlerWith = (overrides: Record<string, string | undefined> = {}) =>
  stack.handler(overrides, { logger: recordingLogger(), endpoints: { sns: moto.url, dynamodb: dynamo.url } });

async function run(event: Record<string, unknown>, overrides: Record<string, string | undefined> = {}) {
  try {
    const result = (await handlerWith(overrides)(event)) as AlertResult;
    seen.push(result);
    return result;
  } catch (error) {
    seen.push(errorChain(error));
    throw error;
  }
}

/** The oracle: open Critical cases of the lookback alerted or warned at `asOf` (interval 15, repeat 4 h, warn 2 h). */
function expectedTriggers(asOf: number): string[] {
  const from = local(asOf - 30 * 24 * HOUR);
  return createdBetween(stack.sandbox.cases, from, local(asOf))
    .filter((c) => c.priority === 'Critical' && openCase(c) && typeof c.dueDate === 'string')
    .filter((c) => {
      const due = dubai(String(c.dueDate));
      const inInterval = (t: number) => t <= asOf && t > asOf - 15 * MIN;
      for (let t = due; t <= asOf; t += 4 * HOUR) if (inInterval(t)) return true;
      return due > asOf && inInterval(due - 2 * HOUR);
    })
    .map((c) => String(c.id))
    .sort();
}

describe('PagerDuty over consecutive runs', () => {
  it('one incident per case: warned, then overdue, then reminded, then resolved once it closes', async () => {
    const dedup = `aicc-case-${WATCHED}`;
    pd.clear();
    const triggered: string[][] = [];
    // Every 15 minutes from 2 h 30 min before the due time to 4 h 45 min after it.
    for (let asOf = DUE - 150 * MIN; asOf <= DUE + 285 * MIN; asOf += 15 * MIN) {
      if (asOf === DUE + 270 * MIN) {
        // The agent closes it 10 minutes before this run.
        stack.sandbox.updateCase(WATCHED, { state: 'Completed', closedDate: local(asOf - 10 * MIN) });
      }
      const before = pd.events.length;
      const result = await run({
        job: 'overdue-alert',
        scheduledTime: new Date(asOf).toISOString(),
        intervalMinutes: 15,
      });
      const sent = pd.events.slice(before);
      const triggers = sent
        .filter((e) => e.action === 'trigger')
        .map((e) => String(e.dedupKey).replace('aicc-case-', ''));
      expect(triggers.sort()).toEqual(expectedTriggers(asOf));
      expect(result.pagerduty).toEqual({
        triggered: triggers.length,
        resolved: sent.filter((e) => e.action === 'resolve').length,
      });
      triggered.push(triggers);
    }
    const mine = pd.events.filter((e) => e.dedupKey === dedup);
    expect(
      mine.map((e) => [e.action, (e.body as { payload?: { severity?: string } }).payload?.severity]),
    ).toEqual([
      ['trigger', 'warning'], // 2 h before due
      ['trigger', 'critical'], // due
      ['trigger', 'critical'], // 4 h reminder
      ['resolve', undefined], // closed
    ]);
    expect(pd.incidents().get(dedup)).toMatchObject({ status: 'resolved', triggers: 3, resolves: 1 });
    const warning = mine[0]?.body as {
      payload: { summary: string; custom_details: Record<string, string> };
      links?: unknown;
    };
    expect(warning.payload.summary).toBe(
      // Plain text, the case number shortened, the phone in the title masked: PagerDuty is a third party.
      `[Critical] 0000…99001 Router down at <branch> & "HQ" — call •••• 4567 — due in 2 h`,
    );
    expect(warning.links).toEqual([
      { href: `https://aicc.example.com/case/${WATCHED}`, text: 'Case 000000000000000000000000099001' },
    ]);
    expect(triggered.some((t) => t.length > 1 || (t.length === 1 && t[0] !== WATCHED))).toBe(true);
  });
});

describe('channel faults', () => {
  const AT = new Date(DUE + 5 * MIN).toISOString();

  it('PagerDuty 429 then 202: retried after Retry-After, no duplicate trigger', async () => {
    stack.sandbox.updateCase(WATCHED, { state: 'Processing', closedDate: null });
    pd.clear();
    pd.injectFault({ status: 429, retryAfterSeconds: 1, times: 1 });
    const result = await run({ job: 'overdue-alert', at: AT, intervalMinutes: 15 });
    const want = expectedTriggers(Date.parse(AT));
    expect(want).toContain(WATCHED);
    expect(result.pagerduty).toEqual({ triggered: want.length, resolved: 0 });
    expect(pd.events.map((e) => String(e.dedupKey).replace('aicc-case-', '')).sort()).toEqual(want);
    expect(pd.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('PagerDuty 400: the run fails naming PagerDuty; the email and the topic still go out once, and the retry sends no second email', async () => {
    stack.sandbox.updateCase(WATCHED, { state: 'Processing', closedDate: null });
    const event = { job: 'overdue-alert', scheduledTime: AT, intervalMinutes: 15 };
    const env = { PAGERDUTY_ROUTING_KEY: 'not-a-known-key-0000000000000000', IDEMPOTENCY_TABLE: 'channels' };
    const first = await run(event, env).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ChannelError);
    expect((first as Error).message).toMatch(/PagerDuty: .*HTTP 400.*Invalid routing key/);
    expect((first as ChannelError).failures.map((f) => f.channel)).toEqual(['PagerDuty']);
    expect(await stack.ses.emails()).toHaveLength(1);
    expect(await topic.receive(1, 10_000)).toHaveLength(1);

    const again = await run(event, env).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ChannelError);
    expect(await stack.ses.emails()).toHaveLength(1);
    // The publish is guarded like an email batch: the retry published nothing either.
    expect(await topic.receive(1, 1_500)).toHaveLength(0);
  });

  it('SNS unavailable: email and PagerDuty are delivered, then the run fails naming the topic', async () => {
    stack.sandbox.updateCase(WATCHED, { state: 'Processing', closedDate: null });
    pd.clear();
    const missing = topic.topicArn.replace(/oncall-alerts$/, 'no-such-topic');
    const failure = await run(
      { job: 'overdue-alert', at: AT, intervalMinutes: 15 },
      { ALERT_TOPIC_ARN: missing },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ChannelError);
    expect((failure as Error).message).toMatch(/SNS topic: SNS Publish to .*no-such-topic failed/);
    expect(await stack.ses.emails()).toHaveLength(1);
    expect(pd.events.length).toBe(expectedTriggers(Date.parse(AT)).length);
  });
});

describe('SNS and dry runs', () => {
  const AT = new Date(DUE + 5 * MIN).toISOString();

  it('publishes once: the subscriber gets the email text under an ASCII subject', async () => {
    stack.sandbox.updateCase(WATCHED, { state: 'Processing', closedDate: null });
    const result = await run({ job: 'overdue-alert', at: AT, intervalMinutes: 15 });
    const [delivered, ...more] = await topic.receive(1, 10_000);
    expect(more).toEqual([]);
    const [mail] = await stack.ses.emails();
    expect(result.topic?.messageId).toBe(delivered?.raw.MessageId);
    expect(delivered?.subject).toMatch(/^\[Overdue\] \d+ Critical cases? past due$/);
    expect(delivered?.message).toBe(mail?.body.text);
  });

  it('chat format: an Amazon Q custom notification listing the cases with their links', async () => {
    stack.sandbox.updateCase(WATCHED, { state: 'Processing', closedDate: null });
    await run({ job: 'overdue-alert', at: AT, intervalMinutes: 15 }, { ALERT_TOPIC_FORMAT: 'chat' });
    const [delivered] = await topic.receive(1, 10_000);
    const chat = JSON.parse(delivered?.message ?? '{}');
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
    });
    expect(chat.content.description).toContain(`(https://aicc.example.com/case/${WATCHED})`);
    // Markdown specials of the title are escaped, not interpreted.
    expect(chat.content.description).toContain('Router down at \\<branch\\> & "HQ"');
  });

  it('a dry run sends nothing and shows what it would send, without the routing key', async () => {
    stack.sandbox.updateCase(WATCHED, { state: 'Processing', closedDate: null });
    pd.clear();
    const result = await run({ job: 'overdue-alert', at: AT, intervalMinutes: 15, dryRun: true });
    const want = expectedTriggers(Date.parse(AT));
    expect(result.pagerduty?.triggered).toBe(want.length);
    expect(result.pagerduty?.events?.map((e) => e.dedup_key).sort()).toEqual(
      want.map((id) => `aicc-case-${id}`),
    );
    expect(result.topic).toMatchObject({ messageId: null, status: 'dry-run' });
    const sms = result.topic?.message?.sms ?? '';
    expect(sms.length).toBeLessThanOrEqual(140);
    expect(sms).toMatch(/^\[Overdue\] \d+ Critical: /);
    expect(sms).toMatch(/^[\x20-\x7e]+$/);
    expect(pd.events).toHaveLength(0);
    expect(await topic.receive(1, 1_500)).toHaveLength(0);
    expect(await stack.ses.emails()).toHaveLength(0);
  });
});

describe('the routing key', () => {
  it('appears in no log line, error or result of any run in this file', () => {
    expect(seen.length).toBeGreaterThan(30);
    expect(logs.length).toBeGreaterThan(30);
    expect(logs.join('\n')).not.toContain(ROUTING_KEY);
    expect(JSON.stringify(seen)).not.toContain(ROUTING_KEY);
    // The phone number in the watched case's title is data, but its contact phone stays masked.
    expect(JSON.stringify(seen)).not.toContain('+971501234567');
  });
});
