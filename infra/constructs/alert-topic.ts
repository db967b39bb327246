import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type Subscription, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** E.164 numbers subscribed by SMS. @default none */
  readonly smsNumbers?: readonly string[] | undefined;
  /** Addresses subscribed by email (each confirms the mail AWS sends). @default none */
  readonly emails?: readonly string[] | undefined;
}

/**
 * The on-call topic the overdue alert publishes to (SPEC §13, `createAlertTopic`): encrypted with a
 * rotated customer-managed key, TLS only, with optional SMS and email subscriptions. Slack or Teams
 * subscribe through Amazon Q Developer in chat applications, outside this stack.
 */
export class AlertTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly subscriptions: Subscription[] = [];

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the AICC case digest on-call alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new Topic(this, 'Topic', {
      // SMS messages start with the display name: kept short so the one-line text still fits one SMS.
      displayName: 'AICC alert',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const number of props.smsNumbers ?? []) {
      this.subscriptions.push(this.topic.addSubscription(new SmsSubscription(number)));
    }
    for (const email of props.emails ?? []) {
      this.subscriptions.push(this.topic.addSubscription(new EmailSubscription(email)));
    }
  }
}
