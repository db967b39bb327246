/**
 * `npm run report -- <digest|overdue-alert> [flags]` or `npm run report -- --report NAME [flags]`: the
 * Lambda's handler, run by hand against a real tenant (environment or .env) or the in-process sandbox
 * (--sandbox). See --help.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findReport, loadNamedReports } from './named-reports.js';

const HELP = `usage: npm run report -- <digest|overdue-alert> [flags]
       npm run report -- --report NAME [flags]
       npm run report -- --list

  digest                     the digest: yesterday (in REPORT_TIMEZONE), or --from/--to
  overdue-alert              the on-call alert check as of --at (default now)
  --report NAME              run a named report of cdk.json ("reports") with its own event
  --list                     list the named reports of cdk.json with their schedules
  --cdk-json PATH            where the reports are (default ./cdk.json)

  --from DATE, --to DATE     inclusive local range, YYYY-MM-DD or "YYYY-MM-DD HH:mm:ss" (≤ 366 days)
  --filter KEY=VALUE         API filter, repeatable: priority=Critical, origin=Email, ownerId=…, type=…
  --at ISO                   the instant "now" means, e.g. 2026-11-27T10:00:00Z
  --scheduled-time ISO       run as the schedule would (digest of the day before; sent at most once per event)
  --interval MINUTES         overdue-alert interval (default 60; a named alert report has its own)
  --to-recipients A,B        send to these addresses instead of the configured ones
  --dry-run                  render, do not send; the email is in the result (and in --out)
  --out DIR                  write result.json, and the rendered or locally mailed email, to DIR
  --json                     print the whole result as JSON on stdout
  --sandbox                  run against the in-process AICC sandbox and a local SES (no tenant needed);
                             a report's PagerDuty secret and SNS topic are left out there (no AWS)
  --env-file PATH            read configuration from this file (default: .env when present)
  --verbose                  structured logs at INFO on stdout
  -h, --help                 this text

Configuration is the Lambda's environment (docs/configuration.md): AICC_BASE_URL, MAIL_FROM,
DIGEST_RECIPIENTS/ALERT_RECIPIENTS, and AICC_TOKEN or AICC_CLIENT_ID + AICC_CLIENT_SECRET (or
AICC_SECRET_ID with AWS credentials). Exit code 0 on success, 1 on failure, 2 on bad usage.`;

function usage(message: string): never {
  process.stderr.write(`report: ${message}\n(see --help)\n`);
  process.exit(2);
}

const { values: opts, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        report: { type: 'string' },
        list: { type: 'boolean', default: false },
        'cdk-json': { type: 'string', default: 'cdk.json' },
        from: { type: 'string' },
        to: { type: 'string' },
        filter: { type: 'string', multiple: true },
        at: { type: 'string' },
        'scheduled-time': { type: 'string' },
        interval: { type: 'string' },
        'to-recipients': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        sandbox: { type: 'boolean', default: false },
        'env-file': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();

if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

/** The named reports, or exit 1 with the reason (a bad cdk.json is a failure, not bad usage). */
function namedReports() {
  try {
    return loadNamedReports(opts['cdk-json']);
  } catch (error) {
    process.stderr.write(
      `report failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(1);
  }
}

if (opts.list) {
  const { runs, named } = namedReports();
  if (!named) console.log(`${opts['cdk-json']} has no "reports": the stack runs its two default schedules:`);
  for (const run of runs) {
    const when = `${run.expression}${run.timezone ? ` ${run.timezone}` : ''}`;
    const title = typeof run.input.title === 'string' ? ` "${run.input.title}"` : '';
    console.log(`${run.name.padEnd(20)} ${String(run.input.job).padEnd(14)} ${when}${title}`);
  }
  process.exit(0);
}

// The event, exactly as `aws lambda invoke` (or the report's schedule) would send it; the handler validates it.
const event: Record<string, unknown> = {};
const [job, ...extra] = positionals;
if (opts.report !== undefined) {
  if (job !== undefined) usage(`--report runs the report's own job; drop "${job}"`);
  let run: ReturnType<typeof findReport>;
  try {
    run = findReport(namedReports(), opts.report);
  } catch (error) {
    process.stderr.write(`report failed: ${(error as Error).name}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  Object.assign(event, run.input);
  if (opts.sandbox) {
    // No Secrets Manager or SNS locally: the report's other channels stay in the cloud.
    delete event.pagerdutySecretId;
    delete event.topicArn;
  }
} else {
  if (job !== 'digest' && job !== 'overdue-alert')
    usage('the first argument must be "digest" or "overdue-alert"');
  if (extra.length) usage(`unexpected argument ${extra[0]}`);
  event.job = job;
}
if (opts.from !== undefined) event.from = opts.from;
if (opts.to !== undefined) event.to = opts.to;
if (opts.at !== undefined) event.at = opts.at;
if (opts['scheduled-time'] !== undefined) event.scheduledTime = opts['scheduled-time'];
if (opts.interval !== undefined) event.intervalMinutes = Number(opts.interval);
if (opts['dry-run']) event.dryRun = true;
if (opts['to-recipients'] !== undefined)
  event.recipients = opts['to-recipients'].split(',').map((s) => s.trim());
if (opts.filter?.length) {
  const filters: Record<string, string> = {};
  for (const f of opts.filter) {
    const eq = f.indexOf('=');
    if (eq <= 0) usage(`--filter takes KEY=VALUE, got "${f}"`);
    filters[f.slice(0, eq)] = f.slice(eq + 1);
  }
  event.filters = { ...(event.filters as object | undefined), ...filters };
}

const envFile = opts['env-file'] ?? (existsSync('.env') ? '.env' : undefined);
if (envFile) process.loadEnvFile(envFile);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= opts.verbose ? 'INFO' : 'SILENT';

const cleanup: (() => Promise<void>)[] = [];
let localSes: import('./local-ses.js').LocalSes | undefined;
if (opts.sandbox) {
  const { startSandbox } = await import('./server.js');
  const { startLocalSes } = await import('./local-ses.js');
  const zone = process.env.AICC_TIMEZONE ?? 'UTC';
  const sandbox = await startSandbox({ timezone: zone });
  localSes = await startLocalSes();
  cleanup.push(
    () => sandbox.close(),
    () => (localSes as { close(): Promise<void> }).close(),
  );
  Object.assign(process.env, {
    AICC_BASE_URL: sandbox.url,
    AICC_TOKEN: 'sandbox-token',
    AWS_ENDPOINT_URL_SESV2: localSes.url,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  for (const key of ['AICC_SECRET_ID', 'PAGERDUTY_SECRET_ID', 'ALERT_TOPIC_ARN']) delete process.env[key];
  process.env.MAIL_FROM ??= 'Case Digest <digest@example.com>';
  process.env.DIGEST_RECIPIENTS ??= 'managers@example.com';
  process.env.ALERT_RECIPIENTS ??= 'on-call@example.com';
}

let lastProgress = 0;
let exitCode = 0;
try {
  const { createHandler } = await import('../functions/case-digest/runtime.js');
  const handler = createHandler({
    onProgress: ({ query, pagesDone, pagesTotal }) => {
      const now = Date.now();
      if (pagesDone !== pagesTotal && now - lastProgress < 250) return;
      lastProgress = now;
      process.stderr.write(`  ${query.startTime} – ${query.endTime}: ${pagesDone}/${pagesTotal} pages\n`);
    },
  });
  const result = await handler(event);
  if (opts.out) {
    const dir = resolve(opts.out);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    const written = [join(dir, 'result.json')];
    for (const [i, e] of result.emails.entries()) {
      if (e.html !== undefined) {
        await writeFile(join(dir, `email-${i + 1}.html`), e.html);
        written.push(join(dir, `email-${i + 1}.html`));
      }
      if (e.text !== undefined) {
        await writeFile(join(dir, `email-${i + 1}.txt`), e.text);
        written.push(join(dir, `email-${i + 1}.txt`));
      }
    }
    if (localSes) {
      const { writeOutbox } = await import('./outbox.js');
      written.push(...(await writeOutbox(dir, await localSes.emails())));
    }
    process.stderr.write(`wrote ${written.join(', ')}\n`);
  }
  if (opts.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const name = result.report ? `report ${result.report} (${result.job})` : result.job;
    const counts =
      result.job === 'digest'
        ? `${result.total} cases (previous period ${result.previousTotal}), ${result.overdue.count} overdue, ${result.atRisk.count} due soon`
        : `${result.alerted.count} cases alerted, ${result.warned.count} warned`;
    console.log(`${name} ${result.window.from} – ${result.window.to} ${result.window.timezone}: ${counts}`);
    for (const e of result.emails)
      console.log(
        `  ${e.status === 'dry-run' ? 'rendered (dry run)' : `${e.status} ${e.messageId}`}: "${e.subject}" → ${e.to.join(', ')}`,
      );
    if (result.job === 'overdue-alert' && result.pagerduty)
      console.log(
        `  PagerDuty: ${result.pagerduty.triggered} triggered, ${result.pagerduty.resolved} resolved`,
      );
    if (result.job === 'overdue-alert' && result.topic)
      console.log(`  SNS topic: message ${result.topic.messageId}`);
    for (const w of result.warnings) console.log(`  warning: ${w}`);
    const s = result.stats;
    console.log(
      `  ${s.requests} requests, ${s.pages} pages, ${s.retries} retries, concurrency ${s.concurrency.start}→${s.concurrency.final} (peak ${s.concurrency.peak}), ${s.durationMs} ms`,
    );
  }
} catch (error) {
  exitCode = 1;
  process.stderr.write(
    `report failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
  );
} finally {
  for (const close of cleanup) await close();
}
process.exit(exitCode);
