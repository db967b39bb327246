/** A sandbox in its own process, so the paging process's memory is its own. Prints `{"url":…}` once listening. */
import { startSandbox } from '../sandbox/server.js';

const [casesPerDay = '100000', latencyMs = '50'] = process.argv.slice(2);
const sandbox = await startSandbox({
  timezone: 'UTC',
  casesPerDay: Number(casesPerDay),
  days: 1,
  endDate: '2026-11-26',
  now: () => new Date('2026-11-27T00:00:00Z'),
  latencyMs: Number(latencyMs),
});
process.stdout.write(`${JSON.stringify({ url: sandbox.url, cases: sandbox.cases.length })}\n`);
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
