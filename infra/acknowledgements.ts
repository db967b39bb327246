import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CaseDigestStack } from './case-digest-stack.js';

/**
 * Every cdk-nag finding this stack accepts, in one place for review, each on the one resource it
 * concerns (never stack-wide) and with the reason it is right here.
 */
export function acknowledgeFindings(stack: CaseDigestStack): void {
  const fn = stack.function.function;
  const functionPolicy = stack.function.role.node.findChild('DefaultPolicy');

  acknowledge(
    fn,
    ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'],
    'Pinned to nodejs22.x on purpose: SPEC §10 defines the deployable as the bundle proven in plain Node 22 ' +
      '(the artefact test loads it in plain Node); nodejs22.x is a supported Lambda runtime. Move to the next runtime ' +
      'together with the Node version the tests run on.',
  );
  acknowledge(
    fn,
    ['Serverless-LambdaDLQ'],
    'Asynchronous failures go to an on-failure destination (EventInvokeConfig -> the dead-letter queue), the ' +
      'successor of DeadLetterConfig that also records the error; with both set, Lambda sends every failure to each.',
  );
  acknowledge(
    functionPolicy,
    ['AwsSolutions-IAM5[Resource::*]'],
    'Only the X-Ray statement (xray:PutTraceSegments, xray:PutTelemetryRecords) added by active tracing has ' +
      'Resource "*": X-Ray supports no resource-level permissions. Every other statement names its exact ARN ' +
      '(asserted in test/infra/stack.test.ts).',
  );
  acknowledge(
    stack.deadLetterQueue,
    ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
    'This queue is itself the dead-letter queue of both schedules and of the function’s failed asynchronous ' +
      'runs; a queue behind it would only move the messages. Its depth is alarmed and it keeps messages 14 days.',
  );
  if (stack.alertTopic || stack.settings.alertTopicKmsKeyArns?.length) {
    acknowledge(
      functionPolicy,
      ['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]'],
      'Publishing to an encrypted alert topic (the created one, or existing ones whose keys the context names): ' +
        'SNS encrypts each message with the topic’s key on the publisher’s behalf, and AWS documents the ' +
        'publisher’s permission as kms:GenerateDataKey* (with kms:Decrypt). The wildcard covers only the ' +
        'GenerateDataKey family, on those key ARNs, and only via SNS (kms:ViaService).',
    );
  }
  if (stack.alertTopic) {
    for (const subscription of stack.alertTopic.subscriptions) {
      acknowledge(
        subscription,
        ['Serverless-SNSRedrivePolicy'],
        'An on-call SMS or email subscription of the alert topic: a redrive queue would hold undeliverable pages ' +
          'where no one on call looks, and the alert reaches on-call through its other channels (email, ' +
          'PagerDuty); a page SNS cannot deliver is in its delivery-status metrics (NumberOfNotificationsFailed).',
      );
    }
  }
  for (const subscription of stack.alarms.emailSubscriptions) {
    acknowledge(
      subscription,
      ['Serverless-SNSRedrivePolicy'],
      'The operator’s email subscription to the alarm topic: a redrive queue would hold undeliverable alarm ' +
        'notices where nobody is notified, since the notification channel is what failed; the alarm state ' +
        'and its history stay visible in CloudWatch.',
    );
  }
}

function acknowledge(scope: IConstruct, ids: string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}
