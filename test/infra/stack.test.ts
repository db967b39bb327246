import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/case-digest/config.js';
import { DEAD_LETTER_RETENTION, RETRY } from '../../infra/case-digest-stack.js';
import { type Cfn, only, type Synthesized, statementsOf, synth } from './helpers.js';

/** SPEC §4: the only environment names the function may be given (plus NODE_OPTIONS for source maps). */
const SPEC_ENV = [
  'AICC_BASE_URL',
  'AICC_SECRET_ID',
  'AICC_TIMEZONE',
  'REPORT_TIMEZONE',
  'MAIL_FROM',
  'DIGEST_RECIPIENTS',
  'ALERT_RECIPIENTS',
  'ALERT_PRIORITIES',
  'ALERT_REPEAT_HOURS',
  'OVERDUE_LOOKBACK_DAYS',
  'CLOSED_STATES',
  'CASE_URL_TEMPLATE',
  'AICC_CONCURRENCY',
  'AICC_TIMEOUT_MS',
  'SES_CONFIGURATION_SET',
  'IDEMPOTENCY_TABLE',
];

const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/case-digest-AbC123';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A `Fn::Join` of an ARN with pseudo parameters, flattened: `arn:<AWS::Partition>:ses:...`. */
function flat(value: Cfn): string {
  if (typeof value === 'string') return value;
  if (value?.['Fn::Join']) return (value['Fn::Join'][1] as Cfn[]).map(flat).join('');
  if (value?.Ref) return `<${value.Ref}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}

describe('CaseDigestStack with the example context of cdk.json', () => {
  let s: Synthesized;
  let fn: { id: string; props: Cfn };
  let table: { id: string; props: Cfn };
  let queue: { id: string; props: Cfn };
  let topic: { id: string; props: Cfn };
  beforeAll(() => {
    s = synth();
    fn = only(s.template, 'AWS::Lambda::Function');
    table = only(s.template, 'AWS::DynamoDB::Table');
    queue = only(s.template, 'AWS::SQS::Queue');
    topic = only(s.template, 'AWS::SNS::Topic');
  });

  it('defines exactly the resources of issue 5, and no helper Lambda', () => {
    for (const [type, count] of [
      ['AWS::Lambda::Function', 1],
      ['AWS::Lambda::EventInvokeConfig', 1],
      ['AWS::Logs::LogGroup', 1],
      ['AWS::Scheduler::Schedule', 2],
      ['AWS::SQS::Queue', 1],
      ['AWS::DynamoDB::Table', 1],
      ['AWS::SNS::Topic', 1],
      ['AWS::KMS::Key', 1],
      ['AWS::CloudWatch::Alarm', 3],
      ['AWS::IAM::Role', 2],
    ] as const) {
      s.template.resourceCountIs(type, count);
    }
  });

  it('runs the handler on nodejs22.x, ARM64, with explicit memory, timeout, tracing and one run at a time', () => {
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroup = only(s.template, 'AWS::Logs::LogGroup');
    expect(logGroup.props.RetentionInDays).toBe(90);
    expect(fn.props.LoggingConfig).toEqual({ LogGroup: { Ref: logGroup.id } });
    only(synth({ logRetentionDays: '30' }).template, 'AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('sets the SPEC §4 environment from the context, with the exact names', () => {
    const env = fn.props.Environment.Variables;
    expect(env).toEqual({
      AICC_BASE_URL: 'https://service.besclouds.com',
      AICC_SECRET_ID: 'aicc/case-digest',
      AICC_TIMEZONE: 'Asia/Dubai',
      REPORT_TIMEZONE: 'Asia/Dubai',
      MAIL_FROM: 'Case Digest <digest@example.com>',
      DIGEST_RECIPIENTS: 'managers@example.com',
      ALERT_RECIPIENTS: 'oncall@example.com',
      ALERT_PRIORITIES: 'Critical',
      ALERT_REPEAT_HOURS: '24',
      OVERDUE_LOOKBACK_DAYS: '30',
      CLOSED_STATES: 'Completed,Closed,Cancelled,Canceled',
      AICC_CONCURRENCY: '4',
      AICC_TIMEOUT_MS: '15000',
      IDEMPOTENCY_TABLE: { Ref: table.id },
      NODE_OPTIONS: '--enable-source-maps',
    });
    for (const name of Object.keys(env)) expect([...SPEC_ENV, 'NODE_OPTIONS']).toContain(name);
  });

  it('sets an environment the function’s own config parser accepts', () => {
    const env = { ...fn.props.Environment.Variables, IDEMPOTENCY_TABLE: 'AiccCaseDigest-IdempotencyTable' };
    const config = loadConfig(env);
    expect(config).toMatchObject({
      aiccTimezone: 'Asia/Dubai',
      digestRecipients: ['managers@example.com'],
      idempotencyTable: 'AiccCaseDigest-IdempotencyTable',
    });
  });

  it('sets the optional variables only when their context keys are given', () => {
    const { template } = synth({
      caseUrlTemplate: 'https://service.besclouds.com/case/{id}',
      sesConfigurationSet: 'case-digest',
      digestRecipients: 'a@example.com, b@example.com',
    });
    expect(only(template, 'AWS::Lambda::Function').props.Environment.Variables).toMatchObject({
      CASE_URL_TEMPLATE: 'https://service.besclouds.com/case/{id}',
      SES_CONFIGURATION_SET: 'case-digest',
      DIGEST_RECIPIENTS: 'a@example.com,b@example.com',
    });
    expect(fn.props.Environment.Variables).not.toHaveProperty('CASE_URL_TEMPLATE');
    expect(fn.props.Environment.Variables).not.toHaveProperty('SES_CONFIGURATION_SET');
  });

  it('retries failed async runs twice within the max event age, then sends them to the dead-letter queue', () => {
    expect(only(s.template, 'AWS::Lambda::EventInvokeConfig').props).toEqual({
      FunctionName: { Ref: fn.id },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: RETRY.attempts,
      MaximumEventAgeInSeconds: RETRY.maxEventAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue.id, 'Arn'] } } },
    });
  });

  it('keeps idempotency records in an on-demand table with TTL and point-in-time recovery', () => {
    expect(table.props).toEqual({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('has an encrypted dead-letter queue that refuses non-TLS access and keeps messages 14 days', () => {
    expect(queue.props).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: DEAD_LETTER_RETENTION.toSeconds(),
    });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  describe('schedules', () => {
    const schedule = (job: string) => {
      const all = Object.values(s.template.findResources('AWS::Scheduler::Schedule')) as Cfn[];
      const found = all.filter((r) => JSON.parse(r.Properties.Target.Input).job === job);
      expect(found).toHaveLength(1);
      return found[0].Properties;
    };

    it('runs the digest by cron in the report time zone with the scheduled time in its input', () => {
      const digest = schedule('digest');
      expect(digest.ScheduleExpression).toBe('cron(0 6 * * ? *)');
      expect(digest.ScheduleExpressionTimezone).toBe('Asia/Dubai');
      expect(JSON.parse(digest.Target.Input)).toEqual({ job: 'digest', scheduledTime: SCHEDULED_TIME });
    });

    it('runs the alert every alertIntervalMinutes with intervalMinutes matching', () => {
      const alert = schedule('overdue-alert');
      expect(alert.ScheduleExpression).toBe('rate(1 hour)');
      expect(JSON.parse(alert.Target.Input)).toEqual({
        job: 'overdue-alert',
        scheduledTime: SCHEDULED_TIME,
        intervalMinutes: 60,
      });

      const custom = synth({
        alertIntervalMinutes: '15',
        digestSchedule: 'cron(30 7 ? * MON-FRI *)',
      }).template;
      const byJob = Object.fromEntries(
        (Object.values(custom.findResources('AWS::Scheduler::Schedule')) as Cfn[]).map((r) => [
          JSON.parse(r.Properties.Target.Input).job,
          r.Properties,
        ]),
      );
      expect(byJob['overdue-alert'].ScheduleExpression).toBe('rate(15 minutes)');
      expect(JSON.parse(byJob['overdue-alert'].Target.Input).intervalMinutes).toBe(15);
      expect(byJob.digest.ScheduleExpression).toBe('cron(30 7 ? * MON-FRI *)');
    });

    it.each(['digest', 'overdue-alert'])(
      '%s: on time (no flexible window), retried, dead-lettered, invoking the function',
      (job) => {
        const p = schedule(job);
        expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
        expect(p.State).toBe('ENABLED');
        expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [fn.id, 'Arn'] });
        expect(p.Target.RetryPolicy).toEqual({
          MaximumRetryAttempts: RETRY.attempts,
          MaximumEventAgeInSeconds: RETRY.maxEventAge.toSeconds(),
        });
        expect(p.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } });
      },
    );

    it('gives the scheduler a role that may invoke this function (unqualified) and write to the DLQ, nothing else', () => {
      const digest = schedule('digest');
      const roleId = digest.Target.RoleArn['Fn::GetAtt'][0];
      expect(schedule('overdue-alert').Target.RoleArn['Fn::GetAtt'][0]).toBe(roleId);
      const role = s.template.toJSON().Resources[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: expect.objectContaining({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }),
          },
        }),
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(statementsOf(s.template, roleId)).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fn.id, 'Arn'] } },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
      ]);
    });
  });

  describe('function permissions', () => {
    const roleId = () => fn.props.Role['Fn::GetAtt'][0] as string;
    const statement = (template: Synthesized['template'], rid: string, action: string) =>
      statementsOf(template, rid).filter((st: Cfn) => [st.Action].flat().includes(action));

    it('has no managed policy and no "*" resource except the X-Ray statement', () => {
      const role = s.template.toJSON().Resources[roleId()];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      const wildcard = statementsOf(s.template, roleId()).filter((st: Cfn) =>
        [st.Resource].flat().some((r) => flat(r).includes('*')),
      );
      expect(wildcard).toEqual([
        { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      ]);
    });

    it('writes only to its own log group', () => {
      const logGroupId = fn.props.LoggingConfig.LogGroup.Ref;
      expect(statement(s.template, roleId(), 'logs:PutLogEvents')).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        },
      ]);
    });

    it('reads only the AICC secret, by name with the random suffix', () => {
      const [secret, ...more] = statement(s.template, roleId(), 'secretsmanager:GetSecretValue');
      expect(more).toEqual([]);
      expect(secret.Action).toBe('secretsmanager:GetSecretValue');
      expect(flat(secret.Resource)).toBe(
        'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:aicc/case-digest-??????',
      );
      expect(statement(s.template, roleId(), 'kms:Decrypt')).toEqual([]);
    });

    it('reads a secret given by complete ARN exactly, and decrypts with its key only through Secrets Manager', () => {
      const { template } = synth({ aiccSecretName: SECRET_ARN, aiccSecretKmsKeyArn: KEY_ARN });
      const rid = only(template, 'AWS::Lambda::Function').props.Role['Fn::GetAtt'][0];
      expect(statement(template, rid, 'secretsmanager:GetSecretValue')).toEqual([
        expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }),
      ]);
      const [kms] = statement(template, rid, 'kms:Decrypt');
      expect(kms).toMatchObject({ Action: 'kms:Decrypt', Resource: KEY_ARN });
      expect(flat(kms.Condition.StringEquals['kms:ViaService'])).toBe(
        'secretsmanager.<AWS::Region>.amazonaws.com',
      );
      expect(only(template, 'AWS::Lambda::Function').props.Environment.Variables.AICC_SECRET_ID).toBe(
        SECRET_ARN,
      );
    });

    it('sends email only as the SES identity (and through the configuration set when one is given)', () => {
      const [ses, ...more] = statement(s.template, roleId(), 'ses:SendEmail');
      expect(more).toEqual([]);
      expect(ses.Action).toBe('ses:SendEmail');
      expect(flat(ses.Resource)).toBe(
        'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/example.com',
      );
      expect(
        statementsOf(s.template, roleId()).some((st: Cfn) => [st.Action].flat().includes('ses:SendRawEmail')),
      ).toBe(false);

      const { template } = synth({ sesIdentity: 'digest@example.com', sesConfigurationSet: 'case-digest' });
      const rid = only(template, 'AWS::Lambda::Function').props.Role['Fn::GetAtt'][0];
      const [withSet] = statement(template, rid, 'ses:SendEmail');
      expect(withSet.Resource.map(flat).sort()).toEqual([
        'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/case-digest',
        'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/digest@example.com',
      ]);
    });

    it('uses the idempotency table with the four item calls Powertools makes, on that table only', () => {
      expect(statement(s.template, roleId(), 'dynamodb:PutItem')).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': [table.id, 'Arn'] },
        },
      ]);
    });

    it('may send failed async runs to the dead-letter queue', () => {
      expect(statement(s.template, roleId(), 'sqs:SendMessage')).toEqual([
        expect.objectContaining({ Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] } }),
      ]);
    });
  });

  describe('alarms', () => {
    const alarms = (): Record<string, Cfn> =>
      Object.fromEntries(
        (Object.values(s.template.findResources('AWS::CloudWatch::Alarm')) as Cfn[]).map((a) => [
          a.Properties.MetricName,
          a.Properties,
        ]),
      );

    it('alarm on Lambda errors, dead letters and a duration near the timeout', () => {
      const a = alarms();
      expect(a.Errors).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
      });
      expect(a.ApproximateNumberOfMessagesVisible).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.id, 'QueueName'] } }],
      });
      expect(a.Duration).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: 240_000,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    it('notify the alarm topic when they fire and when they recover, with a runbook in the description', () => {
      for (const alarm of Object.values(alarms())) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topic.id }]);
        expect(alarm.OKActions).toEqual([{ Ref: topic.id }]);
        expect(alarm.TreatMissingData).toBe('notBreaching');
        const description = flat(alarm.AlarmDescription);
        expect(description).toContain('RUNBOOK');
        // CloudWatch's limit, with every name the description embeds at its longest generated length.
        expect(description.replace(/<[^>]+>/g, 'x'.repeat(64)).length).toBeLessThanOrEqual(1024);
      }
    });

    it('publish to an SNS topic encrypted with a rotated customer key that CloudWatch may use, over TLS only', () => {
      const key = only(s.template, 'AWS::KMS::Key');
      expect(topic.props.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
      expect(key.props.EnableKeyRotation).toBe(true);
      expect(key.props.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      );
      const policy = only(s.template, 'AWS::SNS::TopicPolicy').props.PolicyDocument.Statement;
      expect(policy).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      expect(policy).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
        }),
      );
    });

    it('subscribe operatorEmail to the topic by email, and nobody when it is not set', () => {
      expect(only(s.template, 'AWS::SNS::Subscription').props).toEqual({
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topic.id },
      });
      synth({}, ['operatorEmail']).template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  it('outputs what an operator needs to invoke, inspect and redrive', () => {
    expect(Object.keys(s.template.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        'FunctionName',
        'LogGroupName',
        'DeadLetterQueueUrl',
        'AlarmTopicArn',
        'IdempotencyTableName',
      ]),
    );
  });
});
