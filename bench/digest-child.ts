/**
 * One whole scheduled digest (window + trend count + 30-day lookback) through the real handler against
 * a sandbox, as a dry run. Arguments: sandbox URL, AICC_CONCURRENCY, AICC_MAX_CONCURRENCY. Prints the
 * run's stats and wall time as JSON.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DigestResult } from '../functions/case-digest/jobs/digest.js';
import { createHandler } from '../functions/case-digest/runtime.js';

const [url = '', concurrency = '8', maxConcurrency = concurrency] = process.argv.slice(2);
const handler = createHandler({
  logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
  env: {
    AICC_BASE_URL: url,
    AICC_TOKEN: 'sandbox-token',
    MAIL_FROM: 'bench@example.com',
    AICC_CONCURRENCY: concurrency,
    AICC_MAX_CONCURRENCY: maxConcurrency,
    POWERTOOLS_METRICS_DISABLED: 'true',
  },
});
const started = performance.now();
const result = (await handler({
  job: 'digest',
  scheduledTime: '2026-11-27T06:00:00Z',
  dryRun: true,
})) as DigestResult;
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({ total: result.total, lookbackOverdue: result.overdue.count, stats: result.stats, wallMs })}\n`,
);
