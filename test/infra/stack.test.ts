import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/case-digest/config.js';
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
  'AICC_MAX_CONCURRENCY',
  'AT_RISK_HOURS',
  'ALERT_WARN_HOURS',
  'PAGERDUTY_SECRET_ID',
  'PAGERDUTY_EVENTS_URL',
  'ALERT_TOPIC_ARN',
  'ALERT_TOPIC_FORMAT',
];

const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/case-digest-AbC123';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:oncall';
const TEAM_TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:oncall-emea';
const PD_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:aicc/pagerduty-apac-XyZ789';
/** The secret ARN a policy names for a secret given by name: any of the 6-character suffixes. */
const secretByName = (name: string) =>
  `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${name}-??????`;

/** A `Fn::Join` of an ARN with pseudo parameters, flattened: `arn:<AWS::Partition>:ses:...`. */
function flat(value: Cfn): string {
  if (typeof value === 'string') return value;
  if (value?.['Fn::Join']) return (value['Fn::Join'][1] as Cfn[]).map(flat).join('');
  if (value?.Ref) return `<${value.Ref}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}

/** The schedules of a template by their name in the group: their properties, with the input parsed. */
function schedulesOf(template: Synthesized['template']): Record<string, Cfn> {
  return Object.fromEntries(
    (Object.values(template.findResources('AWS::Scheduler::Schedule')) as Cfn[]).map((r) => [
      r.Properties.Name,
      { ...r.Properties, input: JSON.parse(r.Properties.Target.Input) },
    ]),
  );
}

const functionOf = (template: Synthesized['template']) => only(template, 'AWS::Lambda::Function');
const envOf = (template: Synthesized['template']) => functionOf(template).props.Environment.Variables;
const roleIdOf = (template: Synthesized['template']): string =>
  functionOf(template).props.Role['Fn::GetAtt'][0];
/** The function's statements that grant `action`. */
const grantsOf = (template: Synthesized['template'], action: string): Cfn[] =>
  statementsOf(template, roleIdOf(template)).filter((st: Cfn) => [st.Action].flat().includes(action));

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

  it('defines exactly the resources of issue 5, one schedule per report, and no helper Lambda', () => {
    for (const [type, count] of [
      ['AWS::Lambda::Function', 1],
      ['AWS::Lambda::EventInvokeConfig', 1],
      ['AWS::Logs::LogGroup', 1],
      ['AWS::Scheduler::ScheduleGroup', 1],
      ['AWS::Scheduler::Schedule', 3],
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

  it('runs the handler on nodejs22.x, ARM64, with explicit memory, a 900 s timeout, tracing and one run at a time', () => {
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      TracingConfig: { Mode: 'Active' },
    });
    expect(functionOf(synth({}, ['lambdaTimeoutSeconds']).template).props.Timeout).toBe(900);
    expect(functionOf(synth({ lambdaTimeoutSeconds: '300' }).template).props.Timeout).toBe(300);
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroup = only(s.template, 'AWS::Logs::LogGroup');
    expect(logGroup.props.RetentionInDays).toBe(90);
    expect(fn.props.LoggingConfig).toEqual({ LogGroup: { Ref: logGroup.id } });
    only(synth({ logRetentionDays: '30' }).template, 'AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  describe('environment', () => {
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

    it('sets the optional variables only when their context keys are given, in the forms the function parses', () => {
      const env = envOf(
        synth(
          {
            caseUrlTemplate: 'https://service.besclouds.com/case/{id}',
            sesConfigurationSet: 'case-digest',
            digestRecipients: 'a@example.com, b@example.com',
            aiccMaxConcurrency: '16',
            atRiskHours: '12',
            alertWarnHours: '2',
            pagerdutySecretName: 'aicc/pagerduty',
            pagerdutyEventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
            alertTopicArn: TOPIC_ARN,
            alertTopicFormat: 'chat',
          },
          ['alertRecipients'],
        ).template,
      );
      expect(env).toMatchObject({
        CASE_URL_TEMPLATE: 'https://service.besclouds.com/case/{id}',
        SES_CONFIGURATION_SET: 'case-digest',
        DIGEST_RECIPIENTS: 'a@example.com,b@example.com',
        AICC_MAX_CONCURRENCY: '16',
        AT_RISK_HOURS: '12',
        ALERT_WARN_HOURS: '2',
        PAGERDUTY_SECRET_ID: 'aicc/pagerduty',
        PAGERDUTY_EVENTS_URL: 'https://events.eu.pagerduty.com/v2/enqueue',
        ALERT_TOPIC_ARN: TOPIC_ARN,
        ALERT_TOPIC_FORMAT: 'chat',
      });
      expect(env).not.toHaveProperty('ALERT_RECIPIENTS');
      for (const name of Object.keys(env)) expect([...SPEC_ENV, 'NODE_OPTIONS']).toContain(name);
      expect(loadConfig({ ...env, IDEMPOTENCY_TABLE: 'table' })).toMatchObject({
        concurrency: 4,
        maxConcurrency: 16,
        atRiskHours: 12,
        alertWarnHours: 2,
        alertRecipients: [],
        pagerduty: { kind: 'secret', secretId: 'aicc/pagerduty' },
        pagerdutyEventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue',
        alertTopicArn: TOPIC_ARN,
        alertTopicFormat: 'chat',
      });

      for (const name of [
        'CASE_URL_TEMPLATE',
        'SES_CONFIGURATION_SET',
        'AICC_MAX_CONCURRENCY',
        'AT_RISK_HOURS',
        'ALERT_WARN_HOURS',
        'PAGERDUTY_SECRET_ID',
        'PAGERDUTY_EVENTS_URL',
        'ALERT_TOPIC_ARN',
        'ALERT_TOPIC_FORMAT',
      ]) {
        expect(fn.props.Environment.Variables).not.toHaveProperty(name);
      }
    });

    it('gives the function the ARN of the topic it creates', () => {
      const { template } = synth({ createAlertTopic: 'true' }, ['alertRecipients']);
      const alertTopic = only(template, 'AWS::SNS::Topic', { DisplayName: 'AICC alert' });
      expect(envOf(template).ALERT_TOPIC_ARN).toEqual({ Ref: alertTopic.id });
      expect(envOf(template)).not.toHaveProperty('ALERT_RECIPIENTS');
    });
  });

  it('retries failed async runs twice within six hours, then sends them to the dead-letter queue', () => {
    expect(only(s.template, 'AWS::Lambda::EventInvokeConfig').props).toEqual({
      FunctionName: { Ref: fn.id },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
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
      MessageRetentionPeriod: 1_209_600,
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
    const group = () => only(s.template, 'AWS::Scheduler::ScheduleGroup');

    it('runs one schedule per report, named after it, each with exactly the event of its definition', () => {
      const schedules = schedulesOf(s.template);
      expect(Object.keys(schedules).sort()).toEqual(['daily', 'emea-voice', 'oncall-emea']);
      expect(schedules.daily.input).toEqual({
        job: 'digest',
        report: 'daily',
        scheduledTime: SCHEDULED_TIME,
      });
      expect(schedules['emea-voice'].input).toEqual({
        job: 'digest',
        report: 'emea-voice',
        title: 'EMEA voice',
        timezone: 'Europe/Berlin',
        filters: { origin: 'Voice', extended: { queueId: 'q-emea' } },
        recipients: ['emea-leads@example.com'],
        scheduledTime: SCHEDULED_TIME,
      });
      expect(schedules['oncall-emea'].input).toEqual({
        job: 'overdue-alert',
        report: 'oncall-emea',
        filters: { extended: { queueId: 'q-emea' } },
        recipients: ['oncall-emea@example.com'],
        priorities: ['Critical', 'High'],
        repeatHours: 4,
        warnHours: 2,
        pagerdutySecretId: 'aicc/pagerduty-emea',
        intervalMinutes: 15,
        scheduledTime: SCHEDULED_TIME,
      });
    });

    it('runs a report’s cron in its own time zone, else in reportTimezone, and a rate as given', () => {
      const schedules = schedulesOf(s.template);
      expect(schedules.daily).toMatchObject({
        ScheduleExpression: 'cron(0 6 * * ? *)',
        ScheduleExpressionTimezone: 'Asia/Dubai',
      });
      expect(schedules['emea-voice']).toMatchObject({
        ScheduleExpression: 'cron(0 7 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
      });
      // A rate runs every N minutes from its creation: the zone (CDK's default, UTC) does not move it.
      expect(schedules['oncall-emea']).toMatchObject({
        ScheduleExpression: 'rate(15 minutes)',
        ScheduleExpressionTimezone: 'Etc/UTC',
      });
    });

    it('puts every schedule in the stack’s schedule group, and outputs its name', () => {
      const name = group().props.Name;
      expect(name).toMatch(/^AiccCaseDigest-/);
      for (const schedule of Object.values(schedulesOf(s.template))) expect(schedule.GroupName).toBe(name);
      expect(s.template.toJSON().Outputs.ScheduleGroupName.Value).toBe(name);
    });

    it('sends a cron alert its intervalMinutes, and a report’s title, zone and topic', () => {
      const { template } = synth({
        reports: [
          {
            name: 'oncall-apac',
            title: 'APAC on-call',
            job: 'overdue-alert',
            schedule: 'cron(0/30 7-18 ? * MON-FRI *)',
            timezone: 'Asia/Singapore',
            intervalMinutes: 30,
            filters: { origin: 'Whatsapp' },
            topicArn: TEAM_TOPIC_ARN,
          },
        ],
      });
      const schedules = schedulesOf(template);
      expect(Object.keys(schedules)).toEqual(['oncall-apac']);
      expect(schedules['oncall-apac']).toMatchObject({
        ScheduleExpression: 'cron(0/30 7-18 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Asia/Singapore',
        Description: 'Report "oncall-apac": overdue alert at cron(0/30 7-18 ? * MON-FRI *) Asia/Singapore',
      });
      expect(schedules['oncall-apac'].input).toEqual({
        job: 'overdue-alert',
        report: 'oncall-apac',
        title: 'APAC on-call',
        timezone: 'Asia/Singapore',
        filters: { origin: 'Whatsapp' },
        topicArn: TEAM_TOPIC_ARN,
        intervalMinutes: 30,
        scheduledTime: SCHEDULED_TIME,
      });
    });

    it('without reports, runs the default digest by cron in the report zone and the alert every alertIntervalMinutes, in the group', () => {
      const { template } = synth({}, ['reports']);
      template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
      const schedules = schedulesOf(template);
      expect(Object.keys(schedules).sort()).toEqual(['digest', 'overdue-alert']);
      expect(schedules.digest).toMatchObject({
        ScheduleExpression: 'cron(0 6 * * ? *)',
        ScheduleExpressionTimezone: 'Asia/Dubai',
      });
      expect(schedules.digest.input).toEqual({ job: 'digest', scheduledTime: SCHEDULED_TIME });
      expect(schedules['overdue-alert'].ScheduleExpression).toBe('rate(1 hour)');
      expect(schedules['overdue-alert'].input).toEqual({
        job: 'overdue-alert',
        scheduledTime: SCHEDULED_TIME,
        intervalMinutes: 60,
      });
      const groupName = only(template, 'AWS::Scheduler::ScheduleGroup').props.Name;
      for (const schedule of Object.values(schedules)) expect(schedule.GroupName).toBe(groupName);

      const custom = schedulesOf(
        synth({ alertIntervalMinutes: '15', digestSchedule: 'cron(30 7 ? * MON-FRI *)' }, ['reports'])
          .template,
      );
      expect(custom['overdue-alert'].ScheduleExpression).toBe('rate(15 minutes)');
      expect(custom['overdue-alert'].input.intervalMinutes).toBe(15);
      expect(custom.digest.ScheduleExpression).toBe('cron(30 7 ? * MON-FRI *)');
    });

    it.each([
      ['the example reports', {}, []],
      ['the default schedules', {}, ['reports']],
    ] as const)(
      '%s: on time (no flexible window), retried, dead-lettered, invoking the function',
      (_name, overrides, without) => {
        const { template } = synth(overrides, [...without]);
        const fnId = functionOf(template).id;
        const queueId = only(template, 'AWS::SQS::Queue').id;
        const schedules = Object.values(schedulesOf(template));
        expect(schedules.length).toBeGreaterThanOrEqual(2);
        for (const p of schedules) {
          expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
          expect(p.State).toBe('ENABLED');
          expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
          expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21_600 });
          expect(p.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
        }
      },
    );

    it('gives the scheduler one role that may invoke this function (unqualified) and write to the DLQ, nothing else', () => {
      const schedules = Object.values(schedulesOf(s.template));
      const roleId = schedules[0].Target.RoleArn['Fn::GetAtt'][0];
      for (const schedule of schedules) expect(schedule.Target.RoleArn['Fn::GetAtt'][0]).toBe(roleId);
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

    it('reads the AICC secret and the PagerDuty secret of the alert report, by name with the random suffix, and nothing more', () => {
      const secrets = statement(s.template, roleId(), 'secretsmanager:GetSecretValue');
      expect(secrets.map((st: Cfn) => [st.Sid, st.Action, [st.Resource].flat().map(flat)])).toEqual([
        ['ReadAiccSecret', 'secretsmanager:GetSecretValue', [secretByName('aicc/case-digest')]],
        ['ReadPagerDutyRoutingKeys', 'secretsmanager:GetSecretValue', [secretByName('aicc/pagerduty-emea')]],
      ]);
      expect(statement(s.template, roleId(), 'kms:Decrypt')).toEqual([]);
      expect(statement(s.template, roleId(), 'sns:Publish')).toEqual([]);
    });

    it('reads every PagerDuty secret the defaults and the reports name, each once', () => {
      const { template } = synth({
        pagerdutySecretName: 'aicc/pagerduty',
        reports: [
          {
            name: 'a',
            job: 'overdue-alert',
            schedule: 'rate(5 minutes)',
            pagerdutySecretName: 'aicc/pagerduty',
          },
          {
            name: 'b',
            job: 'overdue-alert',
            schedule: 'rate(5 minutes)',
            pagerdutySecretName: PD_SECRET_ARN,
          },
          {
            name: 'c',
            job: 'overdue-alert',
            schedule: 'rate(5 minutes)',
            pagerdutySecretName: 'aicc/pd-emea',
          },
          { name: 'd', job: 'digest', schedule: 'cron(0 6 * * ? *)' },
        ],
      });
      const [pagerduty, ...more] = grantsOf(template, 'secretsmanager:GetSecretValue').filter(
        (st: Cfn) => st.Sid === 'ReadPagerDutyRoutingKeys',
      );
      expect(more).toEqual([]);
      expect(pagerduty.Action).toBe('secretsmanager:GetSecretValue');
      expect(pagerduty.Resource.map(flat).sort()).toEqual(
        [PD_SECRET_ARN, secretByName('aicc/pagerduty'), secretByName('aicc/pd-emea')].sort(),
      );
    });

    it('reads a secret given by complete ARN exactly, and decrypts with its key only through Secrets Manager', () => {
      const { template } = synth({ aiccSecretName: SECRET_ARN, aiccSecretKmsKeyArn: KEY_ARN });
      const rid = only(template, 'AWS::Lambda::Function').props.Role['Fn::GetAtt'][0];
      expect(statement(template, rid, 'secretsmanager:GetSecretValue')).toEqual([
        expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN }),
        expect.objectContaining({ Sid: 'ReadPagerDutyRoutingKeys' }),
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

    it('publishes to exactly the topics the defaults and the reports name, with no KMS rights', () => {
      const { template } = synth({
        alertTopicArn: TOPIC_ARN,
        reports: [
          { name: 'a', job: 'overdue-alert', schedule: 'rate(5 minutes)', topicArn: TEAM_TOPIC_ARN },
          { name: 'b', job: 'overdue-alert', schedule: 'rate(5 minutes)', topicArn: TOPIC_ARN },
          { name: 'c', job: 'overdue-alert', schedule: 'rate(5 minutes)' },
        ],
      });
      expect(grantsOf(template, 'sns:Publish')).toEqual([
        {
          Sid: 'PublishAlerts',
          Effect: 'Allow',
          Action: 'sns:Publish',
          Resource: [TOPIC_ARN, TEAM_TOPIC_ARN],
        },
      ]);
      expect(grantsOf(template, 'kms:GenerateDataKey*')).toEqual([]);
      expect(grantsOf(template, 'secretsmanager:GetSecretValue')).toHaveLength(1);
    });

    it('uses the named keys of existing encrypted topics and PagerDuty secrets, each only through its service', () => {
      const TOPIC_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/aaaa1111-12ab-34cd-56ef-1234567890ab';
      const PD_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/bbbb2222-12ab-34cd-56ef-1234567890ab';
      const { template } = synth({
        alertTopicArn: TOPIC_ARN,
        alertTopicKmsKeyArns: [TOPIC_KEY],
        pagerdutySecretName: 'aicc/pagerduty',
        pagerdutySecretKmsKeyArns: PD_KEY,
      });
      const [topicKms, ...more] = grantsOf(template, 'kms:GenerateDataKey*');
      expect(more).toEqual([]);
      expect(topicKms).toMatchObject({
        Sid: 'EncryptAlertTopicMessages',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: TOPIC_KEY,
      });
      expect(flat(topicKms.Condition.StringEquals['kms:ViaService'])).toBe('sns.<AWS::Region>.amazonaws.com');
      const secretKms = grantsOf(template, 'kms:Decrypt').find(
        (st: Cfn) => st.Sid === 'DecryptPagerDutySecrets',
      );
      expect(secretKms).toMatchObject({ Action: 'kms:Decrypt', Resource: PD_KEY });
      expect(flat(secretKms.Condition.StringEquals['kms:ViaService'])).toBe(
        'secretsmanager.<AWS::Region>.amazonaws.com',
      );
    });

    it('publishes to the topic it creates and uses that topic’s key only through SNS', () => {
      const { template } = synth({ createAlertTopic: 'true' }, ['alertRecipients', 'reports']);
      const alertTopic = only(template, 'AWS::SNS::Topic', { DisplayName: 'AICC alert' });
      const key = alertTopic.props.KmsMasterKeyId['Fn::GetAtt'][0];
      expect(grantsOf(template, 'sns:Publish')).toEqual([
        { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: alertTopic.id } },
      ]);
      const [kms, ...more] = grantsOf(template, 'kms:GenerateDataKey*');
      expect(more).toEqual([]);
      expect(kms).toMatchObject({
        Sid: 'EncryptAlertTopicMessages',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      });
      expect(flat(kms.Condition.StringEquals['kms:ViaService'])).toBe('sns.<AWS::Region>.amazonaws.com');
      // Without reports and without a PagerDuty key there is no PagerDuty secret to read.
      expect(grantsOf(template, 'secretsmanager:GetSecretValue').map((st: Cfn) => st.Sid)).toEqual([
        'ReadAiccSecret',
      ]);
    });

    it('grants, with every channel configured, exactly these actions on exactly these resources', () => {
      const { template } = synth({
        createAlertTopic: 'true',
        pagerdutySecretName: 'aicc/pagerduty',
        reports: [
          {
            name: 'oncall',
            job: 'overdue-alert',
            schedule: 'rate(15 minutes)',
            topicArn: TEAM_TOPIC_ARN,
            pagerdutySecretName: 'aicc/pagerduty-emea',
          },
        ],
      });
      const grants = Object.fromEntries(
        statementsOf(template, roleIdOf(template)).map((st: Cfn) => [
          [st.Action].flat().join(' '),
          [st.Resource].flat().map(flat).sort(),
        ]),
      );
      const alertTopic = only(template, 'AWS::SNS::Topic', { DisplayName: 'AICC alert' });
      const tableId = only(template, 'AWS::DynamoDB::Table').id;
      const queueId = only(template, 'AWS::SQS::Queue').id;
      const logGroupId = only(template, 'AWS::Logs::LogGroup').id;
      expect(grants).toEqual({
        'logs:CreateLogStream logs:PutLogEvents': [`<${logGroupId}.Arn>`],
        'xray:PutTelemetryRecords xray:PutTraceSegments': ['*'],
        'sqs:GetQueueAttributes sqs:GetQueueUrl sqs:SendMessage': [`<${queueId}.Arn>`],
        'secretsmanager:GetSecretValue': expect.any(Array),
        'ses:SendEmail': ['arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/example.com'],
        'sns:Publish': [`<${alertTopic.id}>`, TEAM_TOPIC_ARN].sort(),
        'kms:Decrypt kms:GenerateDataKey*': [`<${alertTopic.props.KmsMasterKeyId['Fn::GetAtt'][0]}.Arn>`],
        'dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem': [`<${tableId}.Arn>`],
      });
      expect(
        grantsOf(template, 'secretsmanager:GetSecretValue').map((st: Cfn) => [
          st.Sid,
          [st.Resource].flat().map(flat),
        ]),
      ).toEqual([
        ['ReadAiccSecret', [secretByName('aicc/case-digest')]],
        ['ReadPagerDutyRoutingKeys', [secretByName('aicc/pagerduty'), secretByName('aicc/pagerduty-emea')]],
      ]);
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

  describe('the alert topic it creates (createAlertTopic)', () => {
    let template: Synthesized['template'];
    let alertTopic: { id: string; props: Cfn };
    beforeAll(() => {
      template = synth({
        createAlertTopic: 'true',
        alertTopicSmsNumbers: '+971501234567, +4915112345678',
        alertTopicEmails: 'oncall-sms-backup@example.com',
      }).template;
      alertTopic = only(template, 'AWS::SNS::Topic', { DisplayName: 'AICC alert' });
    });

    it('is a standard topic encrypted with its own rotated key, refusing non-TLS access', () => {
      const keyId = alertTopic.props.KmsMasterKeyId['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
      expect(alertTopic.props.FifoTopic).toBeUndefined();
      const policy = only(template, 'AWS::SNS::TopicPolicy', { Topics: [{ Ref: alertTopic.id }] });
      expect(policy.props.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      template.resourceCountIs('AWS::SNS::Topic', 2);
      template.resourceCountIs('AWS::KMS::Key', 2);
    });

    it('subscribes the SMS numbers and the addresses, and outputs its ARN', () => {
      const subscriptions = (Object.values(template.findResources('AWS::SNS::Subscription')) as Cfn[])
        .map((r) => r.Properties)
        .filter((p) => p.TopicArn.Ref === alertTopic.id);
      expect(subscriptions.map((p) => [p.Protocol, p.Endpoint]).sort()).toEqual([
        ['email', 'oncall-sms-backup@example.com'],
        ['sms', '+4915112345678'],
        ['sms', '+971501234567'],
      ]);
      expect(template.toJSON().Outputs.AlertTopicArn.Value).toEqual({ Ref: alertTopic.id });
      expect(s.template.toJSON().Outputs).not.toHaveProperty('AlertTopicArn');
    });
  });

  describe('alarms', () => {
    const alarmsOf = (template: Synthesized['template']): Record<string, Cfn> =>
      Object.fromEntries(
        (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Cfn[]).map((a) => [
          a.Properties.MetricName,
          a.Properties,
        ]),
      );

    it('alarm on Lambda errors, dead letters and a duration at 80 % of the timeout', () => {
      const a = alarmsOf(s.template);
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
        Threshold: 720_000,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(alarmsOf(synth({ lambdaTimeoutSeconds: '300' }).template).Duration.Threshold).toBe(240_000);
    });

    it('explain in the Duration runbook what a CapacityError means and which settings give capacity', () => {
      const description = flat(alarmsOf(s.template).Duration.AlarmDescription);
      expect(description).toContain('900 s timeout');
      expect(description).toContain(
        'A CapacityError in the log means a run measured that it could not finish in time and stopped early, mailing nothing.',
      );
      for (const key of ['aiccMaxConcurrency', 'overdueLookbackDays', 'lambdaTimeoutSeconds'])
        expect(description).toContain(key);
      expect(flat(alarmsOf(s.template).Errors.AlarmDescription)).toContain('CapacityError');
    });

    it('notify the alarm topic when they fire and when they recover, with a runbook in the description', () => {
      for (const alarm of Object.values(alarmsOf(s.template))) {
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

  it('outputs what an operator needs to invoke, inspect, pause and redrive', () => {
    expect(Object.keys(s.template.toJSON().Outputs)).toEqual(
      expect.arrayContaining([
        'FunctionName',
        'LogGroupName',
        'DeadLetterQueueUrl',
        'AlarmTopicArn',
        'IdempotencyTableName',
        'ScheduleGroupName',
      ]),
    );
  });
});
