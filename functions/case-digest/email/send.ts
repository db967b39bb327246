import { type SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { EmailError } from '../errors.js';
import type { RenderedEmail } from './views.js';

/** SES accepts at most 50 recipients per message. */
export const MAX_RECIPIENTS_PER_MESSAGE = 50;

export interface SentEmail {
  to: string[];
  subject: string;
  messageId: string | null;
  /** `already-sent`: an earlier delivery of the same event sent this batch; `messageId` is that one's. */
  status: 'sent' | 'already-sent';
}

/** What a guarded send returns: the value, and whether this call did the work or an earlier one had. */
export interface Guarded<T> {
  value: T;
  /** False when an earlier delivery already completed this key: `value` is what it stored. */
  fresh: boolean;
}

/**
 * Runs one send at most once per key (the DynamoDB-backed guard suppresses a repeated delivery of the
 * same scheduled event). What `send` resolves to must be JSON-serialisable.
 */
export interface BatchGuard {
  run<T>(key: string, send: () => Promise<T>): Promise<Guarded<T>>;
}

/** No duplicate suppression: every batch is sent. */
export const passThroughGuard: BatchGuard = {
  run: async (_key, send) => ({ value: await send(), fresh: true }),
};

export interface SendDeps {
  ses: SESv2Client;
  /** A verified SES identity, e.g. `Case Digest <digest@example.com>`. */
  from: string;
  configurationSet?: string;
  /** @default passThroughGuard */
  guard?: BatchGuard;
  /** The event's key plus the channel (e.g. `…#email`); batch i is guarded by `${key}#${i}`. Unset = not guarded. */
  idempotencyKey?: string;
}

/**
 * Sends `email` to `to` through SES v2, in sequential batches of at most 50 recipients
 * (de-duplicated case-insensitively, first spelling kept). A failed batch throws an `EmailError`
 * naming the batch; the batches before it stay sent (and, with a guard, are not sent again on retry).
 */
export async function sendEmail(
  deps: SendDeps,
  to: readonly string[],
  email: RenderedEmail,
): Promise<SentEmail[]> {
  const batches = chunk(uniqueRecipients(to), MAX_RECIPIENTS_PER_MESSAGE);
  if (batches.length === 0) throw new EmailError('No recipients to send the email to');
  const guard = deps.guard ?? passThroughGuard;
  const sent: SentEmail[] = [];
  for (const [i, recipients] of batches.entries()) {
    const send = async (): Promise<string | null> => {
      const output = await deps.ses.send(new SendEmailCommand(commandInput(deps, recipients, email)));
      return output.MessageId ?? null;
    };
    let outcome: Guarded<string | null>;
    try {
      outcome = deps.idempotencyKey
        ? await guard.run(`${deps.idempotencyKey}#${i}`, send)
        : { value: await send(), fresh: true };
    } catch (error) {
      // SES's own words ("Email address is not verified…") are what an operator acts on.
      const reason = error instanceof Error ? `: ${error.name}: ${error.message}` : '';
      throw new EmailError(
        `SES SendEmail failed for batch ${i + 1} of ${batches.length} (${recipients.length} recipients)${reason}`,
        { cause: error },
      );
    }
    sent.push({
      to: recipients,
      subject: email.subject,
      messageId: outcome.value,
      status: outcome.fresh ? 'sent' : 'already-sent',
    });
  }
  return sent;
}

function commandInput(deps: SendDeps, recipients: string[], email: RenderedEmail): SendEmailCommandInput {
  const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
  return {
    FromEmailAddress: deps.from,
    Destination: { ToAddresses: recipients },
    Content: {
      Simple: {
        Subject: utf8(email.subject),
        Body: { Html: utf8(email.html), Text: utf8(email.text) },
        ...(email.attachments.length > 0
          ? {
              Attachments: email.attachments.map((a) => ({
                FileName: a.filename,
                ContentType: a.contentType,
                RawContent: a.content,
                ContentDisposition: 'ATTACHMENT' as const,
              })),
            }
          : {}),
      },
    },
    ...(deps.configurationSet ? { ConfigurationSetName: deps.configurationSet } : {}),
  };
}

/** Trimmed, blank ones dropped, duplicates (ignoring case) dropped keeping the first spelling. */
function uniqueRecipients(to: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of to) {
    const address = raw.trim();
    const key = address.toLowerCase();
    if (!address || seen.has(key)) continue;
    seen.add(key);
    out.push(address);
  }
  return out;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
