import type { RenderedEmail } from '../email/views.js';
import type { JobDeps } from './deps.js';

/** An entry of the result's `emails`: with a dry run, the rendered content instead of a message id. */
export interface EmailResult {
  to: string[];
  subject: string;
  messageId: string | null;
  /** `already-sent`: an earlier delivery of the same event sent this batch (its message id is shown). */
  status: 'sent' | 'already-sent' | 'dry-run';
  html?: string;
  text?: string;
  attachments?: { filename: string; contentType: string; size: number }[];
}

/** Sends (or, for a dry run, describes) one email, and shapes the result's `emails` entries. */
export async function deliverEmail(
  deps: JobDeps,
  to: string[],
  email: RenderedEmail,
  options: { dryRun: boolean; idempotencyKey: string | undefined },
): Promise<EmailResult[]> {
  if (options.dryRun) {
    return [
      {
        to,
        subject: email.subject,
        messageId: null,
        status: 'dry-run',
        html: email.html,
        text: email.text,
        attachments: email.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.content.byteLength,
        })),
      },
    ];
  }
  const sent = await deps.sendEmail(to, email, options.idempotencyKey);
  for (const s of sent) {
    if (s.status === 'already-sent')
      deps.logger.info('email batch already sent by an earlier delivery of this event; not sent again', {
        idempotencyKey: options.idempotencyKey,
        recipients: s.to.length,
        messageId: s.messageId,
      });
  }
  return sent.map((s) => ({ to: s.to, subject: s.subject, messageId: s.messageId, status: s.status }));
}
