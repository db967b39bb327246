/** Pages one day from the sandbox through the real client, aggregating as pages stream. Prints figures as JSON. */
import { AiccClient } from '../functions/case-digest/aicc/client.js';
import { createTokenSource } from '../functions/case-digest/aicc/token.js';
import { CaseTally } from '../functions/case-digest/core/tally.js';

const [url = '', concurrency = '16'] = process.argv.slice(2);
const client = new AiccClient({
  baseUrl: url,
  tokenSource: createTokenSource({
    baseUrl: url,
    credentials: { kind: 'token', token: 'sandbox-token' },
    timeoutMs: 15_000,
  }),
  timeoutMs: 15_000,
  concurrency: Number(concurrency),
});
const tally = new CaseTally();
const started = performance.now();
const outcome = await client.forEachCase(
  { startTime: '2026-11-26 00:00:00', endTime: '2026-11-26 23:59:59', filters: {} },
  (cases) => {
    for (const c of cases) tally.add(c);
  },
);
const wallMs = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    total: tally.total,
    outcome,
    stats: client.stats,
    wallMs,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    // What paging left reachable (run with --expose-gc): the id set, not the cases.
    heapAfterGcMB: heapAfterGc() / 1048576,
  })}\n`,
);

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}
