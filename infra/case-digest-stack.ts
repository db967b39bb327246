import { fileURLToPath } from 'node:url';
import { Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledgements.js';
import { AlertTopic } from './constructs/alert-topic.js';
import { CaseDigestFunction } from './constructs/case-digest-function.js';
import { FailureAlarms } from './constructs/failure-alarms.js';
import { ReportSchedules } from './constructs/report-schedules.js';
import type { CaseDigestSettings } from './context.js';
import { scheduledRuns } from './reports.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const DEFAULT_ENTRY = `${PROJECT_ROOT}/functions/case-digest/handler.ts`;

/**
 * One retry policy for the schedules (when Lambda cannot take the event) and for Lambda's async queue
 * (when a run fails or waits behind another under reserved concurrency 1). Every event carries the
 * schedule's `scheduledTime`, unchanged on every retry, so a retry — however late — reports the day or
 * alert window it was scheduled for, never the day it happens to run. Two attempts ride out a
 * transient AICC or SES fault (Lambda allows at most two); six hours keeps a 06:00 digest within the
 * working morning. Past that the event goes to the dead-letter queue and its alarm asks a person.
 */
export const RETRY = { attempts: 2, maxEventAge: Duration.hours(6) } as const;
/** Dead-letter retention; the idempotency records live as long, so a redrive never sends twice. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export interface CaseDigestStackProps extends StackProps {
  readonly settings: CaseDigestSettings;
  /** The handler module. @default functions/case-digest/handler.ts */
  readonly entry?: string;
}

/** SPEC §4 environment of the function, from the settings; `alertTopicArn` is the topic in use, if any. */
export function lambdaEnvironment(
  s: CaseDigestSettings,
  idempotencyTable: string,
  alertTopicArn: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {
    AICC_BASE_URL: s.aiccBaseUrl,
    AICC_SECRET_ID: s.aiccSecretName,
    AICC_TIMEZONE: s.aiccTimezone,
    REPORT_TIMEZONE: s.reportTimezone,
    MAIL_FROM: s.mailFrom,
    DIGEST_RECIPIENTS: s.digestRecipients.join(','),
    ALERT_PRIORITIES: s.alertPriorities.join(','),
    ALERT_REPEAT_HOURS: String(s.alertRepeatHours),
    OVERDUE_LOOKBACK_DAYS: String(s.overdueLookbackDays),
    CLOSED_STATES: s.closedStates.join(','),
    AICC_CONCURRENCY: String(s.aiccConcurrency),
    AICC_TIMEOUT_MS: String(s.aiccTimeoutMs),
    IDEMPOTENCY_TABLE: idempotencyTable,
  };
  // Set only when their keys are: the function's own defaults apply otherwise.
  const optional: Record<string, string | number | string[] | undefined> = {
    ALERT_RECIPIENTS: s.alertRecipients,
    ALERT_WARN_HOURS: s.alertWarnHours,
    AT_RISK_HOURS: s.atRiskHours,
    AICC_MAX_CONCURRENCY: s.aiccMaxConcurrency,
    CASE_URL_TEMPLATE: s.caseUrlTemplate,
    SES_CONFIGURATION_SET: s.sesConfigurationSet,
    PAGERDUTY_SECRET_ID: s.pagerdutySecretName,
    PAGERDUTY_EVENTS_URL: s.pagerdutyEventsUrl,
    ALERT_TOPIC_ARN: alertTopicArn,
    ALERT_TOPIC_FORMAT: s.alertTopicFormat,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) env[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}

/**
 * The deployable unit: one function run by the schedules (the named reports, or the default daily digest
 * and overdue alert), the idempotency table, a dead-letter queue for runs given up, the on-call topic when
 * the stack creates it, and alarms that page the operator.
 */
export class CaseDigestStack extends Stack {
  readonly function: CaseDigestFunction;
  readonly table: Table;
  readonly deadLetterQueue: Queue;
  readonly alarms: FailureAlarms;
  readonly schedules: ReportSchedules;
  /** The on-call topic, when `createAlertTopic` is set. */
  readonly alertTopic: AlertTopic | undefined;
  /** The validated context it was built from. */
  readonly settings: CaseDigestSettings;

  constructor(scope: Construct, id: string, props: CaseDigestStackProps) {
    super(scope, id, props);
    const s = props.settings;
    this.settings = s;
    const timeout = Duration.seconds(s.lambdaTimeoutSeconds);

    // Powertools idempotency layout: partition key `id`, TTL attribute `expiration`.
    this.table = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Only short-lived "already sent" markers: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });

    this.alertTopic = s.createAlertTopic
      ? new AlertTopic(this, 'AlertTopic', { smsNumbers: s.alertTopicSmsNumbers, emails: s.alertTopicEmails })
      : undefined;
    const alertTopicArn = this.alertTopic?.topic.topicArn ?? s.alertTopicArn;

    this.function = new CaseDigestFunction(this, 'CaseDigest', {
      entry: props.entry ?? DEFAULT_ENTRY,
      projectRoot: PROJECT_ROOT,
      environment: lambdaEnvironment(s, this.table.tableName, alertTopicArn),
      memorySize: s.lambdaMemoryMb,
      timeout,
      logRetention: s.logRetentionDays as RetentionDays,
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: RETRY.attempts,
      maxEventAge: RETRY.maxEventAge,
    });
    this.grantLeastPrivilege(s);

    this.schedules = new ReportSchedules(this, 'Schedules', {
      function: this.function.function,
      runs: scheduledRuns(s),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: RETRY.attempts,
      maxEventAge: RETRY.maxEventAge,
    });

    this.alarms = new FailureAlarms(this, 'Alarms', {
      function: this.function.function,
      logGroup: this.function.logGroup,
      timeout,
      deadLetterQueue: this.deadLetterQueue,
      operatorEmail: s.operatorEmail,
    });

    acknowledgeFindings(this);

    new CfnOutput(this, 'FunctionName', { value: this.function.function.functionName });
    new CfnOutput(this, 'LogGroupName', { value: this.function.logGroup.logGroupName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.table.tableName });
    new CfnOutput(this, 'ScheduleGroupName', { value: this.schedules.group.scheduleGroupName });
    if (this.alertTopic) new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topic.topicArn });
  }

  /**
   * The function reads its secrets, sends as one SES identity, publishes to the alert topics and uses the
   * idempotency table: nothing else. Every secret and topic named by the context or a report is listed.
   */
  private grantLeastPrivilege(s: CaseDigestSettings) {
    const role = this.function.role;
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadAiccSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secretArnForPolicy(s.aiccSecretName)],
      }),
    );
    if (s.aiccSecretKmsKeyArn) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptAiccSecret',
          actions: ['kms:Decrypt'],
          resources: [s.aiccSecretKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
      );
    }
    const sesArn = (resource: string, name: string) =>
      Arn.format(
        { service: 'ses', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME },
        this,
      );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'SendDigestEmail',
        actions: ['ses:SendEmail'],
        resources: [
          sesArn('identity', s.sesIdentity),
          ...(s.sesConfigurationSet ? [sesArn('configuration-set', s.sesConfigurationSet)] : []),
        ],
      }),
    );

    const alerts = (s.reports ?? []).filter((r) => r.job === 'overdue-alert');
    const pagerdutySecrets = unique([s.pagerdutySecretName, ...alerts.map((r) => r.pagerdutySecretName)]);
    if (pagerdutySecrets.length > 0) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'ReadPagerDutyRoutingKeys',
          actions: ['secretsmanager:GetSecretValue'],
          resources: pagerdutySecrets.map((name) => this.secretArnForPolicy(name)),
        }),
      );
    }
    if (s.pagerdutySecretKmsKeyArns?.length) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'DecryptPagerDutySecrets',
          actions: ['kms:Decrypt'],
          resources: s.pagerdutySecretKmsKeyArns,
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
      );
    }
    const topics = unique([s.alertTopicArn, ...alerts.map((r) => r.topicArn)]);
    if (this.alertTopic || topics.length > 0) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'PublishAlerts',
          actions: ['sns:Publish'],
          resources: [...(this.alertTopic ? [this.alertTopic.topic.topicArn] : []), ...topics],
        }),
      );
    }
    const topicKeys = [
      ...(this.alertTopic ? [this.alertTopic.key.keyArn] : []),
      ...(s.alertTopicKmsKeyArns ?? []),
    ];
    if (topicKeys.length > 0) {
      // SNS encrypts the published message with the topic's key on the publisher's behalf.
      role.addToPolicy(
        new PolicyStatement({
          sid: 'EncryptAlertTopicMessages',
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: topicKeys,
          conditions: { StringEquals: { 'kms:ViaService': `sns.${this.region}.amazonaws.com` } },
        }),
      );
    }

    // What the Powertools DynamoDB persistence layer calls, on this table only.
    this.table.grant(
      role,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
  }

  /** A complete ARN as given; for a name, the ARN with the `-??????` suffix Secrets Manager appends. */
  private secretArnForPolicy(nameOrArn: string): string {
    if (nameOrArn.startsWith('arn:')) return nameOrArn;
    return Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${nameOrArn}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      this,
    );
  }
}

/** The names given, each once, in a stable order. */
const unique = (names: (string | undefined)[]): string[] =>
  [...new Set(names.filter((n): n is string => Boolean(n)))].sort();
