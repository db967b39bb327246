import 'aws-sdk-client-mock-vitest/extend';
import { SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type BatchGuard, sendEmail } from '../../functions/case-digest/email/send.js';
import type { RenderedEmail } from '../../functions/case-digest/email/views.js';
import { EmailError } from '../../functions/case-digest/errors.js';

const sesMock = mockClient(SESv2Client);
const ses = new SESv2Client({ region: 'us-east-1' });
const FROM = 'Case Digest <digest@example.com>';

const email: RenderedEmail = {
  subject: 'Case digest 2026-11-26: 284 new, 3 overdue',
  html: '<!doctype html><p>hi</p>',
  text: 'hi',
  attachments: [],
};
const csv = new TextEncoder().encode('\uFEFFcaseNo\r\n1\r\n');
const withCsv: RenderedEmail = {
  ...email,
  attachments: [{ filename: 'overdue-2026-11-27.csv', contentType: 'text/csv; charset=utf-8', content: csv }],
};
const recipients = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@example.com`);

beforeEach(() => {
  sesMock.reset();
  let n = 0;
  sesMock.on(SendEmailCommand).callsFake(async () => ({ MessageId: `msg-${++n}` }));
});

describe('sendEmail', () => {
  it('sends one SES v2 simple message with subject, HTML and text in UTF-8', async () => {
    // Act
    const sent = await sendEmail({ ses, from: FROM }, ['a@example.com'], email);

    // Assess
    expect(sent).toEqual([
      { to: ['a@example.com'], subject: email.subject, messageId: 'msg-1', status: 'sent' },
    ]);
    expect(sesMock).toHaveReceivedCommandExactlyOnceWith(SendEmailCommand, {
      FromEmailAddress: FROM,
      Destination: { ToAddresses: ['a@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: {
            Html: { Data: email.html, Charset: 'UTF-8' },
            Text: { Data: email.text, Charset: 'UTF-8' },
          },
        },
      },
    });
    const input = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.ConfigurationSetName).toBeUndefined();
    expect(input?.Content?.Simple?.Attachments).toBeUndefined();
  });

  it('splits 120 recipients into 3 messages of at most 50, sent in order', async () => {
    const sent = await sendEmail({ ses, from: FROM }, recipients(120), email);

    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 3);
    const batches = sesMock
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Destination?.ToAddresses);
    expect(batches.map((b) => b?.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(recipients(120));
    expect(sent.map((s) => s.messageId)).toEqual(['msg-1', 'msg-2', 'msg-3']);
    expect(sent.map((s) => s.to)).toEqual(batches);
    expect(sent.map((s) => s.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('de-duplicates recipients ignoring case, keeping the first spelling', async () => {
    const sent = await sendEmail(
      { ses, from: FROM },
      ['Lead@Example.com', 'lead@example.com', ' other@example.com ', 'OTHER@example.com', ''],
      email,
    );
    expect(sent[0]?.to).toEqual(['Lead@Example.com', 'other@example.com']);
  });

  it('passes the configuration set when one is set', async () => {
    await sendEmail({ ses, from: FROM, configurationSet: 'digest-events' }, ['a@example.com'], email);
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, { ConfigurationSetName: 'digest-events' });
  });

  it('maps attachments to SES v2 attachments', async () => {
    await sendEmail({ ses, from: FROM }, ['a@example.com'], withCsv);
    const attachments = sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Attachments;
    expect(attachments).toEqual([
      {
        FileName: 'overdue-2026-11-27.csv',
        ContentType: 'text/csv; charset=utf-8',
        RawContent: csv,
        ContentDisposition: 'ATTACHMENT',
      },
    ]);
  });

  it('runs each batch through the guard under its own key', async () => {
    // Prepare
    const keys: string[] = [];
    const guard: BatchGuard = {
      run: async <T>(key: string, send: () => Promise<T>) => {
        keys.push(key);
        return { value: await send(), fresh: true };
      },
    };

    // Act
    await sendEmail(
      { ses, from: FROM, guard, idempotencyKey: 'digest#2026-11-27T02:00:00Z' },
      recipients(120),
      email,
    );

    // Assess
    expect(keys).toEqual([
      'digest#2026-11-27T02:00:00Z#0',
      'digest#2026-11-27T02:00:00Z#1',
      'digest#2026-11-27T02:00:00Z#2',
    ]);
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 3);
  });

  it('sends nothing for a batch the guard has seen, and reports its stored message id', async () => {
    const guard: BatchGuard = {
      run: async <T>(key: string, send: () => Promise<T>) =>
        key.endsWith('#0') ? { value: 'stored-id' as T, fresh: false } : { value: await send(), fresh: true },
    };
    const sent = await sendEmail({ ses, from: FROM, guard, idempotencyKey: 'k' }, recipients(60), email);
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sent.map((s) => s.messageId)).toEqual(['stored-id', 'msg-1']);
    expect(sent.map((s) => s.status)).toEqual(['already-sent', 'sent']);
  });

  it('bypasses the guard without an idempotency key', async () => {
    const run = vi.fn();
    const guard: BatchGuard = {
      run: async <T>(key: string, send: () => Promise<T>) => {
        run(key);
        return { value: await send(), fresh: true };
      },
    };
    await sendEmail({ ses, from: FROM, guard }, ['a@example.com'], email);
    expect(run).not.toHaveBeenCalled();
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it("turns an SES failure into an EmailError naming the batch and SES's own words, with the cause", async () => {
    // Prepare
    const failure = new SESv2ServiceException({
      name: 'MessageRejected',
      $fault: 'client',
      $metadata: {},
      message: 'Email address is not verified: user55@example.com',
    });
    sesMock.on(SendEmailCommand).resolvesOnce({ MessageId: 'msg-1' }).rejectsOnce(failure);

    // Act
    const error = await sendEmail({ ses, from: FROM }, recipients(120), withCsv).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(EmailError);
    // The SDK's name and message are what an operator acts on (SPEC §8: the whole cause chain).
    expect((error as EmailError).message).toBe(
      'SES SendEmail failed for batch 2 of 3 (50 recipients): MessageRejected: Email address is not verified: user55@example.com',
    );
    expect((error as EmailError).cause).toBe(failure);
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 2); // the third batch is not tried
  });

  it('refuses an empty recipient list', async () => {
    await expect(sendEmail({ ses, from: FROM }, [' '], email)).rejects.toThrow(EmailError);
    expect(sesMock).not.toHaveReceivedAnyCommand();
  });
});
