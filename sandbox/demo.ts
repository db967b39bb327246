/**
 * `npm run demo`: the main job on embedded defaults, no AWS account. Starts the AICC sandbox, a local
 * SES and a local PagerDuty Events v2 endpoint in-process, then runs — through the real Lambda handler
 * and SDK clients — the named reports of cdk.json: the company-wide digest, a team's digest (its own
 * zone and filters), and the team's on-call alert rule twice (the second run after two of its cases
 * were closed: PagerDuty resolves their incidents). Writes what was mailed to outbox/ (and the
 * PagerDuty events to outbox/pagerduty-events.json), prints the results and the paths.
 *   --serve   keep the local SES web UI up to browse the mail (Ctrl-C to stop)
 *   --out DIR write the mail there instead of outbox/
 */
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_DATA, DEMO_TIMEZONE, demoEnv } from './local-env.js';
import { startLocalSes } from './local-ses.js';
import { findReport, loadNamedReports } from './named-reports.js';
import { writeOutbox } from './outbox.js';
import { DEFAULT_ROUTING_KEY, startPagerDutySandbox } from './pagerduty.js';
import { startSandbox } from './server.js';

const { values: args } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    out: { type: 'string', default: 'outbox' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  console.log('usage: npm run demo [-- --serve] [--out DIR]');
  process.exit(0);
}

const MINUTE = 60_000;
const reports = loadNamedReports();
const sandbox = await startSandbox(DEMO_DATA);
const ses = await startLocalSes(args.serve ? 8005 : 0);
const pagerduty = await startPagerDutySandbox();

Object.assign(process.env, {
  ...demoEnv(sandbox.url, ses.url),
  // The team's rule pages through the local PagerDuty endpoint (its cdk.json secret lives in AWS).
  PAGERDUTY_ROUTING_KEY: DEFAULT_ROUTING_KEY,
  PAGERDUTY_EVENTS_URL: pagerduty.url,
});
// Imported after the environment is set: the Lambda entry parses it at module scope, as at a cold start.
const { handler } = await import('../functions/case-digest/handler.js');

const summary = (result: object) =>
  JSON.stringify(
    result,
    (key, value) =>
      key === 'caseIds' && Array.isArray(value)
        ? `[${value.length} ids]`
        : key === 'byOwner'
          ? `{${Object.keys(value).length} owners}`
          : value,
    2,
  );
/** A report's scheduled event, as its schedule would send it at `at`. */
const scheduled = (name: string, at: Date, overrides: Record<string, unknown> = {}) => {
  const { pagerdutySecretId: _inAws, topicArn: _alsoInAws, ...input } = findReport(reports, name).input;
  return { ...input, scheduledTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), ...overrides };
};

let failed = false;
try {
  const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
  console.log(
    `AICC sandbox ${sandbox.url} (${sandbox.cases.length} seeded cases, ${DEMO_TIMEZONE}); local SES ${ses.url}; ` +
      `local PagerDuty ${pagerduty.url}\n`,
  );

  for (const name of ['daily', 'emea-voice']) {
    const result = await handler(scheduled(name, now));
    console.log(`report ${name} → ${summary(result)}\n`);
  }

  // The on-call rule's first run looks back a whole day (a first deployment catching up) …
  const first = await handler(scheduled('oncall-emea', now, { intervalMinutes: 24 * 60 }));
  console.log(`report oncall-emea, first run (last 24 h) → ${summary(first)}\n`);
  // … then two of the cases it paged about are closed, and its next run, 15 minutes on, resolves them.
  const closed = first.job === 'overdue-alert' ? first.alerted.caseIds.slice(0, 2) : [];
  for (const id of closed)
    sandbox.updateCase(id, {
      state: 'Completed',
      closedDate: new Intl.DateTimeFormat('sv-SE', {
        timeZone: DEMO_TIMEZONE,
        dateStyle: 'short',
        timeStyle: 'medium',
      }).format(new Date(now.getTime() + 5 * MINUTE)),
    });
  const second = await handler(scheduled('oncall-emea', new Date(now.getTime() + 15 * MINUTE)));
  console.log(
    `report oncall-emea, 15 minutes later (${closed.length} of its cases closed) → ${summary(second)}\n`,
  );

  const out = resolve(args.out);
  await rm(out, { recursive: true, force: true });
  const paths = await writeOutbox(out, await ses.emails());
  const events = pagerduty.events.map(({ body, action, dedupKey }) => {
    const { routing_key: _key, ...event } = body as Record<string, unknown>;
    return { action, dedupKey, event };
  });
  await writeFile(join(out, 'pagerduty-events.json'), `${JSON.stringify(events, null, 2)}\n`);
  paths.push(join(out, 'pagerduty-events.json'));

  const incidents = [...pagerduty.incidents().values()];
  console.log(
    `PagerDuty: ${events.filter((e) => e.action === 'trigger').length} triggers, ` +
      `${events.filter((e) => e.action === 'resolve').length} resolves → ${incidents.length} incidents, ` +
      `${incidents.filter((i) => i.status === 'resolved').length} resolved, ` +
      `${incidents.filter((i) => i.status === 'triggered').length} open`,
  );
  console.log(`\nMailed ${paths.length - 1} file(s) to ${out} (and the PagerDuty events):`);
  for (const p of paths) console.log(`  ${p}`);
} catch (error) {
  failed = true;
  console.error(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
}

if (args.serve && !failed) {
  console.log(`\nBrowse the mail at ${ses.url} — Ctrl-C to stop.`);
  process.once(
    'SIGINT',
    () => void Promise.all([ses.close(), sandbox.close(), pagerduty.close()]).then(() => process.exit(0)),
  );
} else {
  await Promise.all([ses.close(), sandbox.close(), pagerduty.close()]);
  process.exit(failed ? 1 : 0);
}
