/**
 * `npm run report -- <digest|overdue-alert> [flags]`: the Lambda's handler, run by hand against a
 * real tenant (environment or .env) or the in-process sandbox (--sandbox). See --help.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `usage: npm run report -- <digest|overdue-alert> [flags]

  digest                     the digest: yesterday (in REPORT_TIMEZONE), or --from/--to
  overdue-alert              the on-call alert check as of --at (default now)

  --from DATE, --to DATE     inclusive local range, YYYY-MM-DD or "YYYY-MM-DD HH:mm:ss" (≤ 366 days)
  --filter KEY=VALUE         API filter, repeatable: priority=Critical, origin=Email, ownerId=…, type=…
  --at ISO                   the instant "now" means, e.g. 2026-11-27T10:00:00Z
  --scheduled-time ISO       run as the schedule would (digest of the day before; idempotency key)
  --interval MINUTES         overdue-alert interval (default 60)
  --to-recipients A,B        send to these addresses instead of the configured ones
  --dry-run                  render, do not send; the email is in the result (and in --out)
  --out DIR                  write result.json, and the rendered or locally mailed email, to DIR
  --json                     print the whole result as JSON on stdout
  --sandbox                  run against the in-process AICC sandbox and a local SES (no tenant needed)
  --env-file PATH            read configuration from this file (default: .env when present)
  --verbose                  structured logs at INFO on stdout
  -h, --help                 this text

Configuration is the Lambda's environment (README, "Configuration"): AICC_BASE_URL, MAIL_FROM,
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
const [job, ...extra] = positionals;
if (job !== 'digest' && job !== 'overdue-alert')
  usage('the first argument must be "digest" or "overdue-alert"');
if (extra.length) usage(`unexpected argument ${extra[0]}`);

// The event, exactly as `aws lambda invoke` would send it; the handler validates it.
const event: Record<string, unknown> = { job };
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
  event.filters = filters;
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
  delete process.env.AICC_SECRET_ID;
  process.env.MAIL_FROM ??= 'Case Digest <digest@example.com>';
  process.env.DIGEST_RECIPIENTS ??= 'managers@example.com';
  process.env.ALERT_RECIPIENTS ??= 'on-call@example.com';
}

const { createHandler } = await import('../functions/case-digest/handler.js');
let lastProgress = 0;
const handler = createHandler({
  onProgress: ({ query, pagesDone, pagesTotal }) => {
    const now = Date.now();
    if (pagesDone !== pagesTotal && now - lastProgress < 250) return;
    lastProgress = now;
    process.stderr.write(`  ${query.startTime} – ${query.endTime}: ${pagesDone}/${pagesTotal} pages\n`);
  },
});

let exitCode = 0;
try {
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
    const counts =
      result.job === 'digest'
        ? `${result.total} cases (previous period ${result.previousTotal}), ${result.overdue.count} overdue`
        : `${result.alerted.count} cases alerted`;
    console.log(
      `${result.job} ${result.window.from} – ${result.window.to} ${result.window.timezone}: ${counts}`,
    );
    for (const e of result.emails)
      console.log(
        `  ${result.dryRun ? 'rendered (dry run)' : `sent ${e.messageId}`}: "${e.subject}" → ${e.to.join(', ')}`,
      );
    for (const w of result.warnings) console.log(`  warning: ${w}`);
    console.log(
      `  ${result.stats.requests} requests, ${result.stats.pages} pages, ${result.stats.retries} retries, ${result.stats.durationMs} ms`,
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
