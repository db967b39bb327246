/**
 * A sandbox in its own process, so the measured process's memory is its own. Prints `{"url":…}` once
 * listening. Arguments: cases per day, latency (ms), days of data (ending 2026-11-26).
 */
import { startSandbox } from '../sandbox/server.js';

const [casesPerDay = '100000', latencyMs = '50', days = '1'] = process.argv.slice(2);
const sandbox = await startSandbox({
  timezone: 'UTC',
  casesPerDay: Number(casesPerDay),
  days: Number(days),
  endDate: '2026-11-26',
  now: () => new Date('2026-11-27T00:00:00Z'),
  latencyMs: Number(latencyMs),
});
process.stdout.write(`${JSON.stringify({ url: sandbox.url, cases: sandbox.cases.length })}\n`);
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
