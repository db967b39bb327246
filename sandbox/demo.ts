/**
 * `npm run demo`: the main job on embedded defaults, no AWS account. Starts the AICC sandbox and
 * a local SES in-process, runs yesterday's scheduled digest and an overdue alert through the real
 * handler and SDK clients, writes what was mailed to outbox/, prints the results and the paths.
 *   --serve   keep the local SES web UI up to browse the mail (Ctrl-C to stop)
 *   --out DIR write the mail there instead of outbox/
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_DATA, DEMO_TIMEZONE, demoEnv } from './local-env.js';
import { startLocalSes } from './local-ses.js';
import { writeOutbox } from './outbox.js';
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

const sandbox = await startSandbox(DEMO_DATA);
const ses = await startLocalSes(args.serve ? 8005 : 0);

Object.assign(process.env, demoEnv(sandbox.url, ses.url));
// Imported after the environment is set: the handler's SDK clients read it.
const { handler } = await import('../functions/case-digest/handler.js');

const summary = (result: object) =>
  JSON.stringify(
    result,
    (key, value) => (key === 'caseIds' && Array.isArray(value) ? `[${value.length} ids]` : value),
    2,
  );

let failed = false;
try {
  const scheduledTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  console.log(
    `AICC sandbox ${sandbox.url} (${sandbox.cases.length} seeded cases, ${DEMO_TIMEZONE}); local SES ${ses.url}\n`,
  );
  const digest = await handler({ job: 'digest', scheduledTime });
  console.log(`digest → ${summary(digest)}\n`);
  const alert = await handler({ job: 'overdue-alert', scheduledTime, intervalMinutes: 60 });
  console.log(`overdue-alert → ${summary(alert)}\n`);

  const out = resolve(args.out);
  await rm(out, { recursive: true, force: true });
  const paths = await writeOutbox(out, await ses.emails());
  console.log(`Mailed ${paths.length} file(s) to ${out}:`);
  for (const p of paths) console.log(`  ${p}`);
} catch (error) {
  failed = true;
  console.error(`demo failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
}

if (args.serve && !failed) {
  console.log(`\nBrowse the mail at ${ses.url} — Ctrl-C to stop.`);
  process.once('SIGINT', () => void Promise.all([ses.close(), sandbox.close()]).then(() => process.exit(0)));
} else {
  await Promise.all([ses.close(), sandbox.close()]);
  process.exit(failed ? 1 : 0);
}
