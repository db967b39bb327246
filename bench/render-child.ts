/** Renders a digest with 5,000 overdue cases; prints the median time, HTML and CSV size. */
import { renderDigest } from '../functions/case-digest/email/render.js';
import type { DigestView, OverdueCaseView } from '../functions/case-digest/email/views.js';

const asOf = new Date('2026-11-27T02:00:00Z');
const priorities = ['Critical', 'High', 'Medium', 'Low', 'Unspecified'];
const overdue: OverdueCaseView[] = Array.from({ length: 5000 }, (_, i) => ({
  id: `c6m8${String(i).padStart(16, '0')}`,
  caseNo: String(35013 + i).padStart(30, '0'),
  title: `Customer cannot log in to the portal after password reset #${i}`,
  priority: priorities[i % 5] as string,
  origin: 'Email',
  state: 'Processing',
  ownerId: '10gg000000sGyLvwHvOK',
  contactPhone: '•••• 4567',
  dueAt: new Date(asOf.getTime() - (i + 1) * 3_600_000),
  createdAt: new Date(asOf.getTime() - (i + 30) * 3_600_000),
  overdueMs: (i + 1) * 3_600_000,
  url: `https://service.besclouds.com/aicc/case/${i}`,
}));
const view: DigestView = {
  asOf,
  generatedAt: asOf,
  reportTimezone: 'Asia/Dubai',
  periodLabel: '2026-11-26',
  window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: 'Asia/Dubai' },
  filters: {},
  total: 284,
  previousTotal: 251,
  byPriority: { Critical: 12, High: 40, Medium: 130, Low: 100, Unspecified: 2 },
  byOrigin: { Email: 120, Voice: 90, webchat: 50, Whatsapp: 24 },
  byState: { Processing: 200, Pending: 60, Completed: 24 },
  overdue,
  warnings: [],
};
const times: number[] = [];
let email = renderDigest(view);
for (let i = 0; i < 25; i++) {
  const t = performance.now();
  email = renderDigest(view);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    medianMs: times[Math.floor(times.length / 2)],
    htmlKB: Buffer.byteLength(email.html) / 1024,
    csvKB: (email.attachments[0]?.content.byteLength ?? 0) / 1024,
  })}\n`,
);
