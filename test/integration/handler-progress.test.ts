import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';

// 10,050 cases on one day: the digest's query has 101 pages.
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack(
    {
      timezone: 'UTC',
      casesPerDay: 10_050,
      days: 1,
      endDate: '2026-11-26',
      now: () => new Date('2026-11-27T06:00:00Z'),
    },
    {
      DIGEST_RECIPIENTS: 'managers@example.com',
      OVERDUE_LOOKBACK_DAYS: '1',
      AICC_CONCURRENCY: '8',
    },
  );
});
afterAll(() => stack?.close());

it('logs progress of a long query in the function log (every 100 pages and the last), never the token', async () => {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const handler = stack.handler(
      {},
      { logger: new Logger({ serviceName: 'aicc-case-digest', logLevel: 'INFO' }) },
    );
    const result = await handler({ job: 'digest', scheduledTime: '2026-11-27T06:00:00Z', dryRun: true });
    expect(result.job === 'digest' && result.total).toBe(10_050);
  } finally {
    spy.mockRestore();
  }
  const progress = lines
    .flatMap((l) => l.split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === 'paging');
  expect(progress.map((p) => [p.startTime, p.pagesDone, p.pagesTotal])).toEqual([
    ['2026-11-26 00:00:00', 100, 101],
    ['2026-11-26 00:00:00', 101, 101],
  ]);
  expect(lines.join('')).not.toContain('sandbox-token');
});
