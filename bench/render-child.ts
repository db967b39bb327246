/** Renders a digest with 5,000 overdue and 5,000 due-soon cases; prints the median time, HTML and CSV size. */
import { overdueByAge, overdueByOwner } from '../functions/case-digest/core/overdue-summary.js';
import { renderDigest } from '../functions/case-digest/email/render.js';
import { ASOF, digestView, dueSoonCase, HOUR, overdueCase } from '../test/helpers/views.js';

// Values as long as AICC's: 20-character ids, 30-digit case numbers, long titles, real-looking owners.
const priorities = ['Critical', 'High', 'Medium', 'Low', 'Unspecified'];
const overdue = Array.from({ length: 5000 }, (_, i) =>
  overdueCase(i, {
    id: `c6m8${String(i).padStart(16, '0')}`,
    caseNo: String(35013 + i).padStart(30, '0'),
    title: `Customer cannot log in to the portal after password reset #${i}`,
    priority: priorities[i % 5] as string,
    ownerId: `10gg0000${String(i % 37).padStart(12, '0')}`,
    createdAt: new Date(ASOF.getTime() - (i + 30) * HOUR),
    overdueMs: (i + 1) * HOUR,
    url: `https://service.besclouds.com/aicc/case/${i}`,
  }),
);
const atRisk = Array.from({ length: 5000 }, (_, i) =>
  dueSoonCase(i, {
    id: `c6m9${String(i).padStart(16, '0')}`,
    caseNo: String(45013 + i).padStart(30, '0'),
    title: `Refund not received for order #${i}`,
    priority: priorities[i % 5] as string,
    dueAt: new Date(ASOF.getTime() + (i + 1) * 17_000),
    url: `https://service.besclouds.com/aicc/case/d${i}`,
  }),
);
const view = digestView({
  overdue,
  overdueByAge: overdueByAge(overdue),
  overdueByOwner: overdueByOwner(overdue),
  atRisk,
});
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
