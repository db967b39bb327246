import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredEmail } from './local-ses.js';

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'email';

/** Writes each email as `.html`, `.txt` and its attachments into `dir`; returns the paths written. */
export async function writeOutbox(dir: string, emails: readonly StoredEmail[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [i, email] of emails.entries()) {
    const stem = join(dir, `${String(i + 1).padStart(2, '0')}-${slug(email.subject)}`);
    if (email.body.html !== undefined) {
      await writeFile(`${stem}.html`, email.body.html);
      paths.push(`${stem}.html`);
    }
    if (email.body.text !== undefined) {
      await writeFile(`${stem}.txt`, email.body.text);
      paths.push(`${stem}.txt`);
    }
    for (const a of email.attachments) {
      const path = `${stem}--${(a.filename ?? 'attachment').replace(/[^\w.-]/g, '_')}`;
      await writeFile(path, Buffer.from(a.content, 'base64'));
      paths.push(path);
    }
  }
  return paths;
}
