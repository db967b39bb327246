import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import sesLocal from 'aws-ses-v2-local';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderDigest } from '../../functions/case-digest/email/render.js';
import { sendEmail } from '../../functions/case-digest/email/send.js';
import { digestView, overdueCase } from '../helpers/views.js';

// CommonJS with `exports.default`: depending on the loader the import is the function or the module.
type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;
const startServer: StartServer =
  (sesLocal as unknown as { default?: StartServer }).default ?? (sesLocal as unknown as StartServer);

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
}

const view = digestView({
  overdue: Array.from({ length: 60 }, (_, i) =>
    overdueCase(i, i === 0 ? { title: 'Login <broken> "again" & 🔥' } : {}),
  ),
});

let server: Server;
let baseUrl: string;
let ses: SESv2Client;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0 });
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ses = new SESv2Client({
    endpoint: baseUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
});

beforeEach(async () => {
  await fetch(`${baseUrl}/clear-store`, { method: 'POST' });
});

afterAll(async () => {
  ses?.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

async function stored(): Promise<StoredEmail[]> {
  const res = await fetch(`${baseUrl}/store`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

describe('sending a rendered digest to aws-ses-v2-local', () => {
  it('delivers recipients, subject, HTML, text and the CSV attachment', async () => {
    // Prepare
    const email = renderDigest(view);
    const to = ['lead@example.com', 'manager@example.com'];

    // Act
    const sent = await sendEmail({ ses, from: 'Case Digest <digest@example.com>' }, to, email);

    // Assess
    const [mail, ...others] = await stored();
    expect(others).toEqual([]);
    expect(sent).toEqual([{ to, subject: email.subject, messageId: mail?.messageId, status: 'sent' }]);
    expect(mail?.from).toBe('Case Digest <digest@example.com>');
    expect(mail?.destination.to).toEqual(to);
    expect(mail?.subject).toBe('Case digest 2026-11-26: 284 new, 60 overdue');
    expect(mail?.body.html).toBe(email.html);
    expect(mail?.body.html).toContain('Login &lt;broken&gt; &quot;again&quot; &amp; 🔥');
    expect(mail?.body.text).toBe(email.text);
    expect(mail?.attachments).toHaveLength(1);
    const [attachment] = mail?.attachments ?? [];
    expect(attachment?.filename).toBe('overdue-2026-11-27.csv');
    expect(attachment?.contentType).toBe('text/csv; charset=utf-8');
    const csv = Buffer.from(attachment?.content ?? '', 'base64');
    expect(csv.equals(Buffer.from(email.attachments[0]?.content ?? []))).toBe(true);
    expect(csv.toString('utf8')).toContain('Login <broken> ""again"" & 🔥');
    // The header, the 60 overdue cases and the view's 2 due-soon cases.
    expect(csv.toString('utf8').trimEnd().split('\r\n')).toHaveLength(63);
  });

  it('splits a long recipient list into messages of at most 50', async () => {
    const to = Array.from({ length: 75 }, (_, i) => `user${i}@example.com`);
    const sent = await sendEmail(
      { ses, from: 'digest@example.com' },
      to,
      renderDigest({ ...view, overdue: [], atRisk: [] }),
    );

    const mails = await stored();
    expect(mails.map((m) => m.destination.to.length)).toEqual([50, 25]);
    expect(mails.flatMap((m) => m.destination.to)).toEqual(to);
    expect(sent.map((s) => s.messageId)).toEqual(mails.map((m) => m.messageId));
    expect(mails.every((m) => m.attachments.length === 0)).toBe(true);
  });
});
