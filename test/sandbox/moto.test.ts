import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Moto, startMoto } from '../helpers/moto.js';

let moto: Moto;
let sns: SNSClient;
beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient({ endpoint: moto.url, region: moto.region, credentials: moto.credentials });
});
afterAll(async () => {
  sns?.destroy();
  await moto?.close();
});

describe('moto helper: SNS topic with a subscribed SQS queue', () => {
  it('starts on a loopback port with the fixed test region and credentials', () => {
    expect(moto.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(moto.region).toBe('us-east-1');
    expect(moto.credentials).toEqual({ accessKeyId: 'testing', secretAccessKey: 'testing' });
  });

  it('delivers a plain publish as the SNS envelope: Subject, Message, MessageAttributes', async () => {
    const { topicArn, receive } = await moto.createTopicWithQueue('plain-alerts');
    expect(topicArn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:plain-alerts$/);
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: '[Overdue] 2 Critical cases past due',
        Message: 'line one\nline two',
        MessageAttributes: { job: { DataType: 'String', StringValue: 'overdue-alert' } },
      }),
    );
    const [delivered, ...more] = await receive(1);
    expect(more).toEqual([]);
    expect(delivered).toEqual({
      subject: '[Overdue] 2 Critical cases past due',
      message: 'line one\nline two',
      raw: expect.objectContaining({
        Type: 'Notification',
        MessageId,
        TopicArn: topicArn,
        Subject: '[Overdue] 2 Critical cases past due',
        Message: 'line one\nline two',
        MessageAttributes: { job: { Type: 'String', Value: 'overdue-alert' } },
      }),
    });
  });

  it("MessageStructure 'json': the SQS subscriber gets the `default` text, not the structure or `sms`", async () => {
    const { topicArn, receive } = await moto.createTopicWithQueue('structured-alerts');
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'Structured',
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'the whole text part', sms: '[Overdue] 2 Critical: ...35013' }),
      }),
    );
    const delivered = await receive(1);
    expect(delivered.map((d) => [d.subject, d.message])).toEqual([['Structured', 'the whole text part']]);
  });

  it('receives every message of a burst exactly once, and nothing more', async () => {
    const { topicArn, receive } = await moto.createTopicWithQueue('burst');
    for (let i = 0; i < 12; i++) await sns.send(new PublishCommand({ TopicArn: topicArn, Message: `m${i}` }));
    const delivered = await receive(12);
    expect(delivered.map((d) => d.message).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `m${i}`).sort(),
    );
    expect(delivered.every((d) => d.subject === null)).toBe(true);
    // Received messages are deleted: a second look finds nothing (it waits its timeout for the 13th).
    expect(await receive(1, 1_500)).toEqual([]);
  });

  it('keeps topics apart: each queue sees only its own topic', async () => {
    const a = await moto.createTopicWithQueue('team-a');
    const b = await moto.createTopicWithQueue('team-b');
    await sns.send(new PublishCommand({ TopicArn: a.topicArn, Message: 'for a' }));
    await sns.send(new PublishCommand({ TopicArn: b.topicArn, Message: 'for b' }));
    expect((await a.receive(1)).map((d) => d.message)).toEqual(['for a']);
    expect((await b.receive(1)).map((d) => d.message)).toEqual(['for b']);
  });
});

describe('moto helper: lifecycle', () => {
  it('close() stops the server; a second close is harmless', async () => {
    const own = await startMoto();
    const up = await fetch(`${own.url}/moto-api/`);
    expect(up.ok).toBe(true);
    await up.text();
    await own.close();
    await own.close();
    await expect(fetch(`${own.url}/moto-api/`)).rejects.toThrow();
  });
});
