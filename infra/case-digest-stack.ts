import { fileURLToPath } from 'node:url';
import {
  Arn,
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeFindings } from './acknowledgements.js';
import { CaseDigestFunction } from './constructs/case-digest-function.js';
import { FailureAlarms } from './constructs/failure-alarms.js';
import type { CaseDigestSettings } from './context.js';

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

/**
 * LambdaInvoke grants the scheduler role `lambda:InvokeFunction` on the function and on `:*` (every
 * version and alias). The schedules invoke the unqualified function, so the role gets exactly that.
 */
class InvokeUnqualified extends LambdaInvoke {
  constructor(
    private readonly fn: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(fn, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
  }
}

export interface CaseDigestStackProps extends StackProps {
  readonly settings: CaseDigestSettings;
  /** The handler module. @default functions/case-digest/handler.ts */
  readonly entry?: string;
}

/** SPEC §4 environment of the function, from the settings. */
export function lambdaEnvironment(s: CaseDigestSettings, idempotencyTable: string): Record<string, string> {
  const env: Record<string, string> = {
    AICC_BASE_URL: s.aiccBaseUrl,
    AICC_SECRET_ID: s.aiccSecretName,
    AICC_TIMEZONE: s.aiccTimezone,
    REPORT_TIMEZONE: s.reportTimezone,
    MAIL_FROM: s.mailFrom,
    DIGEST_RECIPIENTS: s.digestRecipients.join(','),
    ALERT_RECIPIENTS: s.alertRecipients.join(','),
    ALERT_PRIORITIES: s.alertPriorities.join(','),
    ALERT_REPEAT_HOURS: String(s.alertRepeatHours),
    OVERDUE_LOOKBACK_DAYS: String(s.overdueLookbackDays),
    CLOSED_STATES: s.closedStates.join(','),
    AICC_CONCURRENCY: String(s.aiccConcurrency),
    AICC_TIMEOUT_MS: String(s.aiccTimeoutMs),
    IDEMPOTENCY_TABLE: idempotencyTable,
  };
  if (s.caseUrlTemplate) env.CASE_URL_TEMPLATE = s.caseUrlTemplate;
  if (s.sesConfigurationSet) env.SES_CONFIGURATION_SET = s.sesConfigurationSet;
  return env;
}

/**
 * The deployable unit: one function run by two schedules (daily digest, overdue alert), the
 * idempotency table, a dead-letter queue for runs given up, and alarms that page the operator.
 */
export class CaseDigestStack extends Stack {
  readonly function: CaseDigestFunction;
  readonly table: Table;
  readonly deadLetterQueue: Queue;
  readonly alarms: FailureAlarms;
  readonly digestSchedule: Schedule;
  readonly alertSchedule: Schedule;

  constructor(scope: Construct, id: string, props: CaseDigestStackProps) {
    super(scope, id, props);
    const s = props.settings;
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

    this.function = new CaseDigestFunction(this, 'CaseDigest', {
      entry: props.entry ?? DEFAULT_ENTRY,
      projectRoot: PROJECT_ROOT,
      environment: lambdaEnvironment(s, this.table.tableName),
      memorySize: s.lambdaMemoryMb,
      timeout,
      logRetention: s.logRetentionDays as RetentionDays,
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: RETRY.attempts,
      maxEventAge: RETRY.maxEventAge,
    });
    this.grantLeastPrivilege(s);

    this.digestSchedule = this.schedule('DigestSchedule', {
      description: `Daily case digest at ${s.digestSchedule} ${s.reportTimezone}`,
      expression: ScheduleExpression.expression(s.digestSchedule, TimeZone.of(s.reportTimezone)),
      input: { job: 'digest', scheduledTime: ContextAttribute.scheduledTime },
    });
    this.alertSchedule = this.schedule('AlertSchedule', {
      description: `Overdue alert every ${s.alertIntervalMinutes} minutes`,
      expression: ScheduleExpression.rate(Duration.minutes(s.alertIntervalMinutes)),
      // The run covers (scheduledTime - intervalMinutes, scheduledTime]: consecutive runs tile time.
      input: {
        job: 'overdue-alert',
        scheduledTime: ContextAttribute.scheduledTime,
        intervalMinutes: s.alertIntervalMinutes,
      },
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
  }

  private schedule(id: string, spec: { description: string; expression: ScheduleExpression; input: object }) {
    return new Schedule(this, id, {
      description: spec.description,
      schedule: spec.expression,
      // On time: a flexible window would start runs up to that much later (the digest late, alerts for a
      // window that closed long ago); scheduledTime, and so the day reported, would not change.
      timeWindow: TimeWindow.off(),
      target: new InvokeUnqualified(this.function.function, {
        input: ScheduleTargetInput.fromObject(spec.input),
        retryAttempts: RETRY.attempts,
        maxEventAge: RETRY.maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
  }

  /** The function reads one secret, sends as one SES identity, and uses the idempotency table: nothing else. */
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
