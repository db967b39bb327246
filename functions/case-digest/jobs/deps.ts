import type { AiccClient } from '../aicc/client.js';
import type { PagerDutyEvent, PagerDutyOutcome } from '../channels/pagerduty.js';
import type { TopicMessage } from '../channels/topic.js';
import type { Clock } from '../clock.js';
import type { Config, RoutingKeySource } from '../config.js';
import type { SentEmail } from '../email/send.js';
import type { RenderedEmail } from '../email/views.js';

export interface JobLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What a publish to the topic returned: its message id, and whether this delivery sent it. */
export interface Published {
  messageId: string | null;
  status: 'sent' | 'already-sent';
}

/** Everything a job needs from outside; the handler builds it, tests hand in their own. */
export interface JobDeps {
  config: Config;
  /** This invocation's AICC client: every request of the run shares its one pool. */
  client: AiccClient;
  clock: Clock;
  logger: JobLogger;
  /** Sends one email to `to` (batched by 50); with `idempotencyKey`, each batch at most once per key. */
  sendEmail(to: string[], email: RenderedEmail, idempotencyKey: string | undefined): Promise<SentEmail[]>;
  /** Sends events to PagerDuty with the routing key from `source`. */
  sendPagerDuty(source: RoutingKeySource, events: readonly PagerDutyEvent[]): Promise<PagerDutyOutcome>;
  /** Publishes to an SNS topic; with `idempotencyKey`, at most once per key. */
  publishTopic(
    topicArn: string,
    message: TopicMessage,
    idempotencyKey: string | undefined,
  ): Promise<Published>;
}
