import type { SNSClient } from '@aws-sdk/client-sns';
import { presentPriorities } from '../core/overdue-view.js';
import { formatDurationShort } from '../email/format.js';
import { maskPhonesInText } from '../email/mask.js';
import { cleanText } from '../email/text.js';
import type { OverdueCaseView, RenderedEmail } from '../email/views.js';
import { TopicError } from '../errors.js';

/** What one publish carries (SPEC §13). */
export interface TopicMessage {
  /** Printable ASCII, fewer than 100 characters (SNS refuses 100): the email's subject. */
  subject: string;
  /** For email, SQS, HTTP and chat subscribers: the email's text part, or an Amazon Q custom notification. */
  default: string;
  /** One line of at most 140 printable ASCII characters: one SMS. */
  sms: string;
}

export type TopicFormat = 'text' | 'chat';

const SMS_CHARS = 140;
const SUBJECT_CHARS = 99;
/** Cases listed in a chat notification; Slack and Teams show long messages folded anyway. */
const CHAT_CASES = 20;

/** Text as printable ASCII: accents dropped, `…` as `...`, other symbols as `-`, controls as spaces. */
export function toAscii(text: string): string {
  return text
    .replace(/…/g, '...')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/[^\x20-\x7e]+/g, '-')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The SNS `Subject`: printable ASCII starting with a letter, digit or punctuation, at most 99 characters. */
export function topicSubject(subject: string): string {
  const ascii = toAscii(subject).replace(/^[^\x21-\x7e]+/, '');
  return (ascii.length > SUBJECT_CHARS ? `${ascii.slice(0, SUBJECT_CHARS - 3)}...` : ascii) || 'AICC alert';
}

/** `...35013`: the tail of a case number (or id) that tells cases apart, in ASCII. */
const tailOf = (c: OverdueCaseView) => {
  const text = toAscii(cleanText(c.caseNo) || cleanText(c.id)).replace(/\s+/g, '');
  return text.length > 8 ? `...${text.slice(-5)}` : text;
};

/**
 * `[Overdue] 2 Critical: ...35013, ...37005 [Due soon] 1 High: ...35020` — each section with its own
 * priorities, at most 140 printable ASCII characters.
 */
export function smsLine(
  alerted: readonly OverdueCaseView[],
  warned: readonly OverdueCaseView[],
  priorities: readonly string[],
): string {
  const sections: { head: string; cases: readonly OverdueCaseView[] }[] = [];
  if (alerted.length)
    sections.push({
      head: `[Overdue] ${alerted.length} ${toAscii(presentPriorities(alerted, priorities).join('/'))}:`,
      cases: alerted,
    });
  if (warned.length)
    sections.push({
      head: `[Due soon] ${warned.length} ${toAscii(presentPriorities(warned, priorities).join('/'))}:`,
      cases: warned,
    });
  let line = '';
  for (const { head, cases } of sections) {
    const start = line ? `${line} ${head}` : head;
    line = start.length > SMS_CHARS - 8 ? start.slice(0, SMS_CHARS - 8) : start;
    for (const [i, c] of cases.entries()) {
      const item = `${i === 0 ? ' ' : ', '}${tailOf(c)}`;
      const rest = cases.length - i - 1;
      // Room for ", +N more" after this one, and for the next section's head to start.
      if (line.length + item.length + (rest > 0 ? ` +${rest} more`.length : 0) > SMS_CHARS) {
        const more = ` +${cases.length - i} more`;
        line = line.length + more.length <= SMS_CHARS ? `${line}${more}` : line;
        break;
      }
      line += item;
    }
  }
  return line.slice(0, SMS_CHARS);
}

/** Markdown specials escaped, so a title cannot format or link the notification. */
const md = (text: string) => cleanText(text).replace(/[\\`*_{}[\]()#+!|<>~-]/g, '\\$&');

/** An Amazon Q Developer custom notification (Slack, Teams) listing the cases with their links. */
export function chatNotification(
  title: string,
  alerted: readonly OverdueCaseView[],
  warned: readonly OverdueCaseView[],
  asOf: Date,
): string {
  const line = (c: OverdueCaseView, when: string) => {
    const no = md(c.caseNo || c.id);
    const ref = c.url && /^https?:\/\/[^\s()<>]+$/i.test(c.url) ? `[${no}](${c.url})` : no;
    return `• *${md(c.priority)}* ${ref} ${md(maskPhonesInText(c.title)) || '(no title)'} — ${when}`;
  };
  const section = (head: string, cases: readonly OverdueCaseView[], when: (c: OverdueCaseView) => string) => {
    if (cases.length === 0) return [];
    const shown = cases.slice(0, CHAT_CASES).map((c) => line(c, when(c)));
    const more = cases.length > CHAT_CASES ? [`…and ${cases.length - CHAT_CASES} more (see the email)`] : [];
    return [`*${head}*`, ...shown, ...more];
  };
  const description = [
    ...section('Overdue', alerted, (c) => `overdue by ${formatDurationShort(c.overdueMs)}`),
    ...section(
      'Due soon',
      warned,
      (c) => `due in ${formatDurationShort(c.dueAt.getTime() - asOf.getTime())}`,
    ),
  ].join('\n');
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: { textType: 'client-markdown', title: cleanText(title).slice(0, 250), description },
  });
}

/** The message of one alert run, from its email. */
export function topicMessage(
  email: RenderedEmail,
  format: TopicFormat,
  cases: {
    alerted: readonly OverdueCaseView[];
    warned: readonly OverdueCaseView[];
    /** The alerting priorities, in their configured order. */
    priorities: readonly string[];
    asOf: Date;
  },
): TopicMessage {
  return {
    subject: topicSubject(email.subject),
    default:
      format === 'chat'
        ? chatNotification(email.subject, cases.alerted, cases.warned, cases.asOf)
        : email.text,
    sms: smsLine(cases.alerted, cases.warned, cases.priorities),
  };
}

/** The region of a topic: the fourth field of its ARN. */
export const regionOfTopic = (topicArn: string): string => topicArn.split(':')[3] ?? '';

/**
 * One `Publish` with `MessageStructure: "json"`. The SNS client is loaded on first use: only alert
 * runs with a topic need it, and the Lambda runtime provides it (SPEC §11 bundle budget).
 */
export async function publish(
  client: SNSClient,
  topicArn: string,
  message: TopicMessage,
): Promise<string | null> {
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  try {
    const out = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: message.default, sms: message.sms }),
      }),
    );
    return out.MessageId ?? null;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new TopicError(`SNS Publish to ${topicArn} failed: ${reason}`, { cause: error });
  }
}
