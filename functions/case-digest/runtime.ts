import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { AiccClient, type PageProgress } from './aicc/client.js';
import { createTokenSource, powertoolsSecretReader, readSecretText, type TokenSource } from './aicc/token.js';
import { PagerDutyClient } from './channels/pagerduty.js';
import { publish, regionOfTopic } from './channels/topic.js';
import { type Clock, systemClock } from './clock.js';
import { type Config, loadConfig } from './config.js';
import { createBatchGuard } from './email/idempotency.js';
import { sendEmail } from './email/send.js';
import { ChannelError, EmailError } from './errors.js';
import { parseEvent } from './events.js';
import type { JobDeps } from './jobs/deps.js';
import { type DigestResult, runDigest } from './jobs/digest.js';
import { type AlertResult, runOverdueAlert } from './jobs/overdue-alert.js';

/** Time kept back from the Lambda deadline so a failing run still ends with a clear error, not a kill. */
const DEADLINE_MARGIN_MS = 10_000;

/** AWS clients, injectable for tests (the defaults take region, credentials and endpoints from the environment). */
export interface AwsClients {
  ses?: SESv2Client;
  secretsManager?: SecretsManagerClient;
  dynamodb?: DynamoDBClient;
  /** The SNS client for a region (a topic's region is in its ARN). */
  sns?: (region: string) => SNSClient | Promise<SNSClient>;
}

export interface HandlerOptions {
  /** Environment to read, once, now (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The clock (default the system clock): "now" when an event has no scheduledTime/at. */
  clock?: Clock;
  /** Progress of paging, for the CLI. */
  onProgress?: (progress: PageProgress) => void;
  logger?: Logger;
  fetch?: typeof fetch;
  aws?: AwsClients;
}

export type JobResult = DigestResult | AlertResult;
export type Handler = (event: unknown, context?: Context) => Promise<JobResult>;

/** What lives across warm invocations: the parsed config, the token and secret caches, the SDK clients. */
interface Runtime {
  config: Config;
  tokenSource: TokenSource;
  secrets: SecretsProvider;
  ses: SESv2Client;
  dynamo: DynamoDBClient | undefined;
  sns: (region: string) => Promise<SNSClient>;
}

function buildRuntime(env: Record<string, string | undefined>, options: HandlerOptions): Runtime {
  const config = loadConfig(env);
  const aws = options.aws ?? {};
  const secrets = new SecretsProvider(aws.secretsManager ? { awsSdkV3Client: aws.secretsManager } : {});
  const snsClients = new Map<string, Promise<SNSClient>>();
  return {
    config,
    tokenSource: createTokenSource({
      baseUrl: config.aiccBaseUrl,
      credentials: config.credentials,
      timeoutMs: config.timeoutMs,
      readSecret: powertoolsSecretReader(secrets),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.clock ? { now: options.clock } : {}),
    }),
    secrets,
    ses: aws.ses ?? new SESv2Client({}),
    dynamo: config.idempotencyTable ? (aws.dynamodb ?? new DynamoDBClient({})) : undefined,
    // Loaded on the first publish only: the Lambda runtime provides the SNS client (see channels/topic.ts).
    sns: (region) => {
      let client = snsClients.get(region);
      if (!client) {
        client = aws.sns
          ? Promise.resolve(aws.sns(region))
          : import('@aws-sdk/client-sns').then(({ SNSClient }) => new SNSClient({ region }));
        snsClients.set(region, client);
      }
      return client;
    },
  };
}

/** The settings that would let a run fit its deadline, with their values: for a `CapacityError`. */
function capacityAdvice(config: Config): string {
  return (
    `raise AICC_MAX_CONCURRENCY (now ${config.maxConcurrency}) if the tenant's rate limit allows, ` +
    `shorten OVERDUE_LOOKBACK_DAYS (now ${config.overdueLookbackDays}; the lookback is most of the pages), ` +
    'or raise the function timeout (at most 900 s).'
  );
}

/**
 * Builds a handler: the configuration is parsed and the clients built here, once (a bad configuration
 * throws a ConfigError now); each invocation then parses its event and runs its job.
 */
export function createHandler(options: HandlerOptions = {}): Handler {
  const logger = options.logger ?? new Logger({ serviceName: 'aicc-case-digest' });
  const metrics = new Metrics({ namespace: 'AiccCaseDigest', serviceName: 'aicc-case-digest' });
  const clock = options.clock ?? systemClock;
  const runtime = buildRuntime(options.env ?? process.env, options);
  const { config, tokenSource, secrets, ses, dynamo } = runtime;
  let coldStart = true;

  return async function handler(event: unknown, context?: Context): Promise<JobResult> {
    if (context) logger.addContext(context);
    if (coldStart) {
      coldStart = false;
      metrics.captureColdStartMetric(context?.functionName);
    }
    let input: ReturnType<typeof parseEvent>;
    try {
      input = parseEvent(event, clock);
    } catch (error) {
      metrics.addMetric('Failures', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      logger.error('invalid event: nothing was requested or sent', { error: errorChain(error) });
      throw error;
    }
    logger.appendKeys({
      job: input.job,
      report: input.report,
      asOf: input.asOf.toISOString(),
      dryRun: input.dryRun,
    });
    // Per invocation: an in-progress idempotency record then lasts only as long as this invocation can.
    const guard = createBatchGuard({
      tableName: config.idempotencyTable,
      dynamoClient: dynamo,
      lambdaContext: context,
    });
    const limit = deadline(context, clock);
    const client = new AiccClient({
      baseUrl: config.aiccBaseUrl,
      tokenSource,
      timeoutMs: config.timeoutMs,
      concurrency: config.concurrency,
      maxConcurrency: config.maxConcurrency,
      capacityAdvice: capacityAdvice(config),
      logger,
      now: clock,
      ...limit,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onProgress: options.onProgress ?? logProgress(logger),
    });
    const pagerduty = new PagerDutyClient({
      eventsUrl: config.pagerdutyEventsUrl,
      timeoutMs: config.timeoutMs,
      readSecret: (id, { maxAge }) => readSecretText(secrets, id, { maxAge }),
      now: clock,
      signal: limit?.signal,
      deadlineAt: limit?.deadlineAt,
      onRetry: (info) => logger.warn('PagerDuty request failed; retrying', info),
      schedule: (task) => client.pool.run(task),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const deps: JobDeps = {
      config,
      client,
      clock,
      logger,
      sendEmail: (to, email, idempotencyKey) =>
        sendEmail(
          {
            ses,
            from: config.mailFrom,
            guard,
            ...(config.sesConfigurationSet ? { configurationSet: config.sesConfigurationSet } : {}),
            ...(idempotencyKey ? { idempotencyKey } : {}),
          },
          to,
          email,
        ),
      sendPagerDuty: (source, events) => pagerduty.send(source, events),
      publishTopic: async (topicArn, message, idempotencyKey) => {
        const sns = await runtime.sns(regionOfTopic(topicArn));
        const send = () => publish(sns, topicArn, message);
        if (!idempotencyKey) return { messageId: await send(), status: 'sent' };
        const { value, fresh } = await guard.run(idempotencyKey, send);
        return { messageId: value, status: fresh ? 'sent' : 'already-sent' };
      },
    };
    metrics.addDimension('job', input.job);
    try {
      const result =
        input.job === 'digest' ? await runDigest(input, deps) : await runOverdueAlert(input, deps);
      if (result.job === 'digest') {
        metrics.addMetric('Cases', MetricUnit.Count, result.total);
        metrics.addMetric('OverdueCases', MetricUnit.Count, result.overdue.count);
        metrics.addMetric('DueSoonCases', MetricUnit.Count, result.atRisk.count);
      } else {
        metrics.addMetric('AlertedCases', MetricUnit.Count, result.alerted.count);
        metrics.addMetric('WarnedCases', MetricUnit.Count, result.warned.count);
      }
      metrics.addMetric(
        'EmailsSent',
        MetricUnit.Count,
        result.emails.filter((e) => e.status === 'sent').length,
      );
      metrics.addMetric('Warnings', MetricUnit.Count, result.warnings.length);
      return result;
    } catch (error) {
      metrics.addMetric('Failures', MetricUnit.Count, 1);
      logger.error(failureSummary(error), { error: errorChain(error) });
      throw error;
    } finally {
      metrics.addMetric('Pages', MetricUnit.Count, client.stats.pages);
      metrics.addMetric('Requests', MetricUnit.Count, client.stats.requests);
      metrics.addMetric('Retries', MetricUnit.Count, client.stats.retries);
      metrics.addMetric('Concurrency', MetricUnit.Count, client.concurrency.final);
      metrics.publishStoredMetrics();
      logger.removeKeys(['job', 'report', 'asOf', 'dryRun']);
    }
  };
}

/**
 * What a failed run sent, for whoever re-runs it: an alert's channel failure comes after the other
 * channels went out, an email failure after the batches before it; anything else stops before sending.
 */
function failureSummary(error: unknown): string {
  if (error instanceof ChannelError)
    return 'job failed: some on-call channels failed, the others were delivered';
  if (error instanceof EmailError)
    return 'job failed: the email batches before the failed one (if any) were sent, nothing else';
  return 'job failed: nothing was sent';
}

/** Aborts shortly before Lambda would kill the invocation; none outside Lambda. */
function deadline(
  context: Context | undefined,
  clock: Clock,
): { signal: AbortSignal; deadlineAt: number } | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return undefined;
  const ms = Math.max(1_000, remaining - DEADLINE_MARGIN_MS);
  return { signal: AbortSignal.timeout(ms), deadlineAt: clock().getTime() + ms };
}

/** Progress of long queries in the function's log: every 100 pages, and the last page of a query of 100 or more. */
function logProgress(logger: Logger): (p: PageProgress) => void {
  return ({ query, pagesDone, pagesTotal }) => {
    if (pagesTotal >= 100 && (pagesDone % 100 === 0 || pagesDone === pagesTotal)) {
      logger.info('paging', { startTime: query.startTime, endTime: query.endTime, pagesDone, pagesTotal });
    }
  };
}

/**
 * The error and every cause under it, as `{ name, message }` — the SDK's own message (SES's "Email
 * address is not verified…") is often two levels down. Messages here never carry a token or secret:
 * the errors that could quote one redact it where they are made.
 */
export function errorChain(error: unknown): { name: string; message: string }[] {
  const out: { name: string; message: string }[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (depth > 8 || seen.has(e) || out.length >= 20) return;
    seen.add(e);
    if (!(e instanceof Error)) {
      out.push({ name: typeof e, message: String(e) });
      return;
    }
    out.push({ name: e.name, message: e.message });
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, depth + 1);
    if (e.cause !== undefined) visit(e.cause, depth + 1);
  };
  visit(error, 0);
  return out;
}
