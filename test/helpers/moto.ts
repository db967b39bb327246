/**
 * moto (`moto[server]`, Python) as a real local AWS endpoint for SNS tests: a topic with an SQS queue
 * subscribed to it, and the notifications read back from the queue as a subscriber sees them.
 *
 * Delivery is not raw (the SNS default), so each SQS message is the SNS notification envelope
 * (`Type`, `MessageId`, `TopicArn`, `Subject`, `Message`, `MessageAttributes`, …); `receive` parses it.
 *
 * `Publish` with `MessageStructure: 'json'` and `Message: '{"default": "…", "sms": "…"}'`: moto
 * delivers the `default` text as the envelope's `Message` to an SQS subscriber (a protocol with no key
 * of its own in the structure gets `default`, as SNS does), never the JSON structure itself nor the
 * `sms` text. (Checked with moto 5.2; `test/sandbox/moto.test.ts` keeps it so.)
 * moto is laxer than SNS in two ways a test must not lean on: it accepts a structure with an `sqs`
 * key and no `default`, and a `Subject` of 100 characters or more (SNS refuses both).
 *
 * Clients get an explicit endpoint, region and dummy credentials: `process.env` is never touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface DeliveredMessage {
  /** The envelope's `Subject` (null when the publish had none). */
  subject: string | null;
  /** The envelope's `Message`: the text the subscriber gets. */
  message: string;
  /** The whole parsed SNS notification envelope. */
  raw: Record<string, unknown>;
}

export interface TopicWithQueue {
  topicArn: string;
  queueUrl: string;
  /**
   * Waits until `expect` notifications have arrived or `timeoutMs` passed, and returns (and deletes)
   * those that arrived, in the order the queue gave them: fewer than `expect` on a timeout, for the
   * caller to assert on.
   */
  receive(expect?: number, timeoutMs?: number): Promise<DeliveredMessage[]>;
}

export interface Moto {
  /** Endpoint for the SDK clients (and `AWS_ENDPOINT_URL_SNS` of a handler under test). */
  url: string;
  region: 'us-east-1';
  credentials: { accessKeyId: 'testing'; secretAccessKey: 'testing' };
  /** A topic, a queue, and the queue subscribed to the topic (raw delivery off). */
  createTopicWithQueue(name: string): Promise<TopicWithQueue>;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** Generous: the first request makes moto import its SNS and SQS backends, slow on a loaded 2-core box. */
const STARTUP_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

/**
 * Runs moto's server and exits when stdin closes: the test process holds the pipe, so moto goes with
 * it even when that process is killed outright and no exit handler runs.
 */
const LAUNCHER = `
import os, sys, threading
def watch():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
`;

/** A port free right now: the OS picks it, and it is released for moto to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until moto answers, it exits, or the timeout passes. */
async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new MotoExitedError(
        `moto exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`,
      );
    const ok = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.body?.cancel().then(() => res.ok) ?? res.ok,
      () => false,
    );
    if (ok) return;
    await delay(POLL_MS);
  }
  throw new Error(`moto did not answer on ${url} within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}

/** Moto gave up before answering (e.g. its port was taken in the meantime): worth one more try. */
class MotoExitedError extends Error {}

async function launch(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('python3', ['-c', LAUNCHER, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await spawned;
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, child };
}

/** Starts moto on a free loopback port; retries once if another process took the port in between. */
export async function startMoto(): Promise<Moto> {
  const { url, child } = await launch().catch((error: unknown) => {
    if (error instanceof MotoExitedError) return launch();
    throw error;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const config = { endpoint: url, region: REGION, credentials: CREDENTIALS };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  let closing: Promise<void> | undefined;

  async function createTopicWithQueue(name: string): Promise<TopicWithQueue> {
    const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-subscriber` }),
    );
    if (!topicArn || !queueUrl) throw new Error(`moto did not create topic or queue ${name}`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'false' },
      }),
    );
    return { topicArn, queueUrl, receive: (expect, timeoutMs) => receive(queueUrl, expect, timeoutMs) };
  }

  async function receive(queueUrl: string, expect = 1, timeoutMs = 10_000): Promise<DeliveredMessage[]> {
    const delivered: DeliveredMessage[] = [];
    const deadline = Date.now() + timeoutMs;
    do {
      const left = deadline - Date.now();
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          // Long polling returns as soon as a message is there; 1 s keeps the timeout honoured.
          WaitTimeSeconds: left >= 1_000 ? 1 : 0,
        }),
      );
      for (const m of Messages) {
        const raw = JSON.parse(m.Body ?? '{}') as Record<string, unknown>;
        delivered.push({
          subject: typeof raw.Subject === 'string' ? raw.Subject : null,
          message: String(raw.Message),
          raw,
        });
      }
      if (Messages.length > 0)
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
    } while (delivered.length < expect && Date.now() < deadline);
    return delivered;
  }

  return {
    url,
    region: REGION,
    credentials: CREDENTIALS,
    createTopicWithQueue,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        sns.destroy();
        sqs.destroy();
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // Nothing to flush: moto keeps its state in memory.
        child.kill('SIGKILL');
      });
      return closing;
    },
  };
}
