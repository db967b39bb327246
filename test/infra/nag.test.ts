import { App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { contextWith } from './helpers.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/case-digest-AbC123';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function build(overrides: Record<string, unknown> = {}, without: string[] = []) {
  const app = new App({ context: { ...contextWith(overrides, without), 'aws:cdk:bundling-stacks': [] } });
  return { app, stack: buildApp(app) };
}

const violations = (app: App, stack: ReturnType<typeof buildApp>) =>
  [new AwsSolutionsChecks(app), new ServerlessChecks(app)].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`),
  );

/** Every acknowledgement in the stack: `construct path -> rule id -> reason`. */
function acknowledgements(stack: ReturnType<typeof buildApp>): Map<string, string> {
  const found = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(
          `${construct.node.path.replace(`${stack.stackName}/`, '')} ${id.replace(/^annotation::/i, '')}`,
          reason,
        );
      }
    }
  }
  return found;
}

describe('cdk-nag', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['the example context (three reports)', {}, []],
    ['the default schedules (no reports)', {}, ['reports']],
    ['no operator email', {}, ['operatorEmail']],
    [
      'a created alert topic with SMS and email subscriptions',
      {
        createAlertTopic: 'true',
        alertTopicSmsNumbers: '+971501234567,+4915112345678',
        alertTopicEmails: 'oncall@example.com',
        alertTopicFormat: 'text',
      },
      [],
    ],
    [
      'an existing alert topic, a default PagerDuty key and reports naming their own',
      {
        alertTopicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall',
        pagerdutySecretName: 'aicc/pagerduty',
        reports: [
          {
            name: 'oncall-emea',
            job: 'overdue-alert',
            schedule: 'rate(15 minutes)',
            topicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall-emea',
            pagerdutySecretName: 'aicc/pagerduty-emea',
          },
        ],
      },
      ['alertRecipients'],
    ],
    [
      'a secret by ARN with its KMS key, a configuration set and deep links',
      {
        aiccSecretName: SECRET_ARN,
        aiccSecretKmsKeyArn: KEY_ARN,
        sesConfigurationSet: 'case-digest',
        caseUrlTemplate: 'https://service.besclouds.com/case/{id}',
      },
      [],
    ],
  ])('AwsSolutions and Serverless packs find nothing unacknowledged with %s', (_name, overrides, without) => {
    const { app, stack } = build(overrides, without);
    expect(violations(app, stack)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only the reviewed findings, each on its own resource and with a reason', () => {
    const { stack } = build();
    const acks = acknowledgements(stack);
    expect([...acks.keys()].sort()).toEqual([
      'Alarms/Topic/ops@example.com Serverless-SNSRedrivePolicy',
      'CaseDigest/Function AwsSolutions-L1',
      'CaseDigest/Function Serverless-LambdaDLQ',
      'CaseDigest/Function Serverless-LambdaLatestVersion',
      'CaseDigest/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
      'DeadLetterQueue AwsSolutions-SQS3',
      'DeadLetterQueue Serverless-SQSRedrivePolicy',
    ]);
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(80);
  });

  it('acknowledges, for a created alert topic, its KMS action family and each of its subscriptions, and no more', () => {
    const { stack } = build({
      createAlertTopic: 'true',
      alertTopicSmsNumbers: '+971501234567',
      alertTopicEmails: 'oncall@example.com',
    });
    const acks = acknowledgements(stack);
    expect([...acks.keys()].sort()).toEqual([
      'Alarms/Topic/ops@example.com Serverless-SNSRedrivePolicy',
      'AlertTopic/Topic/+971501234567 Serverless-SNSRedrivePolicy',
      'AlertTopic/Topic/oncall@example.com Serverless-SNSRedrivePolicy',
      'CaseDigest/Function AwsSolutions-L1',
      'CaseDigest/Function Serverless-LambdaDLQ',
      'CaseDigest/Function Serverless-LambdaLatestVersion',
      'CaseDigest/Role/DefaultPolicy AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'CaseDigest/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
      'DeadLetterQueue AwsSolutions-SQS3',
      'DeadLetterQueue Serverless-SQSRedrivePolicy',
    ]);
    for (const reason of acks.values()) expect(reason.length).toBeGreaterThan(80);
  });

  it('is live: a new finding in the stack fails synth', () => {
    const { app, stack } = build();
    new Queue(stack, 'Careless');
    expect(violations(app, stack)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS4 @ .*Careless/)]),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
