import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { type Subscription, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface FailureAlarmsProps {
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
  readonly timeout: Duration;
  readonly deadLetterQueue: IQueue;
  /** Subscribed to the topic by email when given. @default no subscription */
  readonly operatorEmail?: string | undefined;
}

/** Share of the timeout at which a run counts as "about to time out". */
export const DURATION_ALARM_RATIO = 0.8;
const PERIOD = Duration.minutes(5);

/**
 * Every way a scheduled run can fail ends in one of these alarms, and every alarm notifies the topic:
 * a failed digest reaches a person, never silence. Each description is the runbook for its alarm.
 */
export class FailureAlarms extends Construct {
  readonly topic: Topic;
  readonly emailSubscriptions: Subscription[] = [];
  readonly errors: Alarm;
  readonly deadLetters: Alarm;
  readonly duration: Alarm;

  constructor(scope: Construct, id: string, props: FailureAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const fn = props.function.functionName;
    const logs = props.logGroup.logGroupName;

    // A customer-managed key: the AWS-managed SNS key's policy cannot be changed to let CloudWatch
    // publish, so alarms on a topic encrypted with it would be dropped without a trace.
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the AICC case digest alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'AICC case digest alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so CloudWatch's right to publish is stated here.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    if (props.operatorEmail) {
      this.emailSubscriptions.push(this.topic.addSubscription(new EmailSubscription(props.operatorEmail)));
    }
    const action = new SnsAction(this.topic);

    this.errors = this.alarm('Errors', action, {
      metric: props.function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      threshold: 1,
      description: [
        'A run failed. A digest with missing data is never sent; a failed alert channel does not stop the',
        'others. Lambda retries twice within ~3 min; what was sent is not sent again.',
        `RUNBOOK: in log group ${logs} read the "job failed" line: its error chain names the setting,`,
        'AICC page, SES, PagerDuty or SNS error. Transient: nothing to do if a retry succeeds.',
        'CapacityError: the run saw it could not finish in time and stopped, sending nothing: raise',
        'aiccMaxConcurrency, lower overdueLookbackDays or raise lambdaTimeoutSeconds.',
        `Config, secret or SES identity: fix, then re-invoke ${fn} with the failed event unchanged`,
        '(the dead-letter queue holds it) so it keeps its report and filters and stays de-duplicated.',
      ].join(' '),
    });

    this.deadLetters = this.alarm('DeadLetters', action, {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      threshold: 1,
      description: [
        'A scheduled digest or alert was given up and NOT delivered (dead-letter queue not empty).',
        `RUNBOOK: aws sqs receive-message --queue-url ${props.deadLetterQueue.queueUrl} --message-attribute-names All.`,
        'A Lambda record holds the event in requestPayload and the error in responsePayload;',
        'a Scheduler record holds the event as its body and the error in its attributes.',
        `Fix the cause (log group ${logs}), re-invoke ${fn} with that event unchanged`,
        '(its scheduledTime keeps the original day; batches already sent are not resent for 14 days),',
        'then delete the message.',
      ].join(' '),
    });

    const timeoutMs = props.timeout.toMilliseconds();
    this.duration = this.alarm('Duration', action, {
      metric: props.function.metricDuration({ period: PERIOD, statistic: 'Maximum' }),
      threshold: Math.round(timeoutMs * DURATION_ALARM_RATIO),
      description: [
        `A run took ${DURATION_ALARM_RATIO * 100}% or more of its ${props.timeout.toSeconds()} s timeout; the next may not finish.`,
        `RUNBOOK: in log group ${logs} compare stats (pages, requests, retries, concurrency, durationMs) with`,
        'earlier runs: slow AICC responses, many 429/5xx retries or a larger tenant. A CapacityError in the log',
        'means a run measured that it could not finish in time and stopped early, mailing nothing.',
        'Give it capacity in the CDK context and redeploy: raise aiccMaxConcurrency (the adaptive ceiling, up to 64)',
        'or lambdaTimeoutSeconds (max 900), or shorten overdueLookbackDays.',
      ].join(' '),
    });
  }

  private alarm(
    id: string,
    action: IAlarmAction,
    spec: { metric: Metric; threshold: number; description: string },
  ) {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}
