/**
 * A `contactPhone` filter is personal data: the API gets it whole, but every place a person reads it —
 * the shortfall warning, the result, the email (subject, HTML, text) and the logs — shows it masked.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/case-digest/aicc/schemas.js';
import type { DigestResult } from '../../functions/case-digest/jobs/digest.js';
import { type LocalStack, startLocalStack } from '../helpers/local-stack.js';

const PHONE = '+971501112233';
const SCHEDULED = '2026-11-27T06:00:00Z';

/** 150 cases of one caller on the 26th: two pages, so a repeated row can push one case out of view. */
const calls: CaseRecord[] = Array.from({ length: 150 }, (_, i) => ({
  id: `call-${String(i).padStart(4, '0')}`,
  caseNo: String(70_000 + i).padStart(14, '0'),
  title: `Call back #${i}`,
  priority: 'High',
  origin: 'Voice',
  state: 'Processing',
  ownerId: 'owner-1',
  contactPhone: PHONE,
  createdDate: `2026-11-26 ${String(Math.floor(i / 10)).padStart(2, '0')}:${String((i % 10) * 5).padStart(2, '0')}:00`,
  dueDate: '2026-11-26 23:00:00',
  closedDate: null,
  isCanced: false,
}));

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack(
    { timezone: 'UTC', cases: calls },
    { DIGEST_RECIPIENTS: 'managers@example.com' },
  );
});
afterAll(() => stack?.close());

it('masks a contactPhone filter in the warning, the result, the email and the logs; the API gets it whole', async () => {
  const logs: string[] = [];
  const logger = new Logger({ serviceName: 'aicc-case-digest', logLevel: 'DEBUG' });
  (logger as unknown as { console: Record<string, (l: string) => void> }).console = Object.fromEntries(
    ['log', 'info', 'warn', 'error', 'debug', 'trace'].map((m) => [m, (l: string) => logs.push(l)]),
  );
  // Page 2 of the day repeats the last 5 rows of page 1: 5 of the 150 cases never arrive.
  stack.sandbox.injectFault({ fault: { kind: 'duplicate', rows: 5 }, when: { start: 100 } });
  const before = stack.sandbox.requests.length;

  const result = (await stack.handler(
    {},
    { logger },
  )({
    job: 'digest',
    scheduledTime: SCHEDULED,
    filters: { contactPhone: PHONE },
  })) as DigestResult;

  expect(result.total).toBe(145);
  expect(result.warnings).toHaveLength(1);
  expect(result.warnings[0]).toContain('contactPhone=•••• 2233');
  expect(result.filters).toEqual({ contactPhone: '•••• 2233' });
  const [mail] = await stack.ses.emails();
  const everything = [
    JSON.stringify(result),
    mail?.subject,
    mail?.body.html,
    mail?.body.text,
    logs.join('\n'),
  ].join('\n');
  expect(everything).toContain('•••• 2233');
  expect(everything).not.toContain('501112233');
  // The API was asked for the number itself.
  const bodies = stack.sandbox.requests.slice(before).filter((r) => r.path.endsWith('/case/list'));
  expect(bodies.length).toBeGreaterThan(2);
  for (const r of bodies) expect(r.body).toMatchObject({ contactPhone: PHONE });
});
