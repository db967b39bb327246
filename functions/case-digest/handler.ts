import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import { AiccClient, type PageProgress } from './aicc/client.js';
import { createTokenSource, powertoolsSecretReader, type TokenSource } from './aicc/token.js';
import { CONFIG_ENV_NAMES, type Config, loadConfig } from './config.js';
import { createBatchGuard } from './email/idempotency.js';
import { sendEmail } from './email/send.js';
import { parseEvent } from './events.js';
import type { JobDeps } from './jobs/deps.js';
import { type DigestResult, runDigest } from './jobs/digest.js';
import { type AlertResult, runOverdueAlert } from './jobs/overdue-alert.js';

/** Time kept back from the Lambda deadline so a failing run still ends with a clear error, not a kill. */
const DEADLINE_MARGIN_MS = 10_000;

/** What lives across warm invocations: parsed config, the token cache, the SDK clients. */
interface Runtime {
  fingerprint: string;
  config: Config;
  tokenSource: TokenSource;
  ses: SESv2Client;
  /** Built only when IDEMPOTENCY_TABLE is set. */
  dynamo: DynamoDBClient | undefined;
}

export interface HandlerOptions {
  /** Environment to read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The clock (default the system clock): "now" when an event has no scheduledTime/at. */
  now?: () => Date;
  /** Progress of paging, for the CLI. */
  onProgress?: (progress: PageProgress) => void;
  logger?: Logger;
  fetch?: typeof fetch;
}

export type JobResult = DigestResult | AlertResult;

/**
 * The config is parsed once per cold start; it is parsed again only if the environment itself
 * changes (which Lambda never does, but a test process or a long-lived CLI may).
 */
const ENV_KEYS = [
  ...CONFIG_ENV_NAMES,
  // The SDK clients read these when they are built.
  'AWS_REGION',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_DYNAMODB',
];

const fingerprintOf = (env: Record<string, string | undefined>) =>
  ENV_KEYS.map((k) => env[k] ?? '').join('\u0000');

function buildRuntime(env: Record<string, string | undefined>, fetchImpl: typeof fetch | undefined): Runtime {
  const config = loadConfig(env);
  return {
    fingerprint: fingerprintOf(env),
    config,
    tokenSource: createTokenSource({
      baseUrl: config.aiccBaseUrl,
      credentials: config.credentials,
      timeoutMs: config.timeoutMs,
      readSecret: powertoolsSecretReader(new SecretsProvider()),
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    }),
    ses: new SESv2Client({}),
    dynamo: config.idempotencyTable ? new DynamoDBClient({}) : undefined,
  };
}

/** Aborts shortly before Lambda would kill the invocation; none outside Lambda. */
function deadline(context: Context | undefined): { signal: AbortSignal; deadlineAt: number } | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return undefined;
  const ms = Math.max(1_000, remaining - DEADLINE_MARGIN_MS);
  return { signal: AbortSignal.timeout(ms), deadlineAt: Date.now() + ms };
}

/** Builds a handler; `handler` below is the Lambda entry with the defaults. */
export function createHandler(options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: 'aicc-case-digest' });
  const metrics = new Metrics({ namespace: 'AiccCaseDigest', serviceName: 'aicc-case-digest' });
  const now = options.now ?? (() => new Date());
  let runtime: Runtime | undefined;

  return async function handler(event: unknown, context?: Context): Promise<JobResult> {
    const env = options.env ?? process.env;
    if (runtime?.fingerprint !== fingerprintOf(env)) {
      runtime = undefined; // a bad config must not leave the previous one in use
      runtime = buildRuntime(env, options.fetch);
    }
    const { config, tokenSource, ses, dynamo } = runtime;
    // Per invocation: an in-progress idempotency record then lasts only as long as this invocation can.
    const guard = createBatchGuard({
      tableName: config.idempotencyTable,
      dynamoClient: dynamo,
      lambdaContext: context,
    });
    const input = parseEvent(event, now);
    if (context) logger.addContext(context);
    logger.appendKeys({ job: input.job, asOf: input.asOf.toISOString(), dryRun: input.dryRun });

    const client = new AiccClient({
      baseUrl: config.aiccBaseUrl,
      tokenSource,
      timeoutMs: config.timeoutMs,
      concurrency: config.concurrency,
      logger,
      ...deadline(context),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onProgress: options.onProgress ?? logProgress(logger),
    });
    const deps: JobDeps = {
      config,
      client,
      now,
      logger,
      send: (to, email, idempotencyKey) =>
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
    };
    metrics.addDimension('job', input.job);
    try {
      const result =
        input.job === 'digest' ? await runDigest(input, deps) : await runOverdueAlert(input, deps);
      if (result.job === 'digest') {
        metrics.addMetric('Cases', MetricUnit.Count, result.total);
        metrics.addMetric('OverdueCases', MetricUnit.Count, result.overdue.count);
      } else {
        metrics.addMetric('AlertedCases', MetricUnit.Count, result.alerted.count);
      }
      metrics.addMetric('EmailsSent', MetricUnit.Count, result.dryRun ? 0 : result.emails.length);
      metrics.addMetric('Warnings', MetricUnit.Count, result.warnings.length);
      return result;
    } catch (error) {
      metrics.addMetric('Failures', MetricUnit.Count, 1);
      logger.error('job failed; nothing was mailed by this step', { error: errorSummary(error) });
      throw error;
    } finally {
      metrics.addMetric('Pages', MetricUnit.Count, client.stats.pages);
      metrics.addMetric('Requests', MetricUnit.Count, client.stats.requests);
      metrics.addMetric('Retries', MetricUnit.Count, client.stats.retries);
      metrics.publishStoredMetrics();
      logger.removeKeys(['job', 'asOf', 'dryRun']);
    }
  };
}

/** Progress of long queries in the function's log: every 100 pages, and the last page of a query of 100 or more. */
function logProgress(logger: Logger): (p: PageProgress) => void {
  return ({ query, pagesDone, pagesTotal }) => {
    if (pagesTotal >= 100 && (pagesDone % 100 === 0 || pagesDone === pagesTotal)) {
      logger.info('paging', { startTime: query.startTime, endTime: query.endTime, pagesDone, pagesTotal });
    }
  };
}

/** Name and message only: errors here never carry the token, and stacks add nothing for an operator. */
function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

export const handler = createHandler();
