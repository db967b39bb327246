import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocal from 'aws-ses-v2-local';

// A CommonJS module with `exports.default`: Node's ESM interop hands over `module.exports`, bundlers the function.
type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;
const server: StartServer =
  (sesLocal as unknown as { default?: StartServer }).default ?? (sesLocal as unknown as StartServer);

/** An email as aws-ses-v2-local stores it (`GET /store`). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  at: number;
}

export interface LocalSes {
  /** Endpoint for `AWS_ENDPOINT_URL_SESV2`; the web UI is at the same address. */
  url: string;
  /** Everything received so far (the store is shared by every instance in this process). */
  emails(): Promise<StoredEmail[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** Starts aws-ses-v2-local on an ephemeral loopback port. */
export async function startLocalSes(port = 0): Promise<LocalSes> {
  const http = await server({ host: '127.0.0.1', port });
  if (!http.listening) await new Promise((resolve) => http.once('listening', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    async emails() {
      const res = await fetch(`${url}/store`);
      const body = (await res.json()) as { emails: StoredEmail[] };
      return body.emails;
    },
    async clear() {
      await fetch(`${url}/clear-store`, { method: 'POST' });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        http.closeAllConnections?.();
        http.close((err?: Error) => (err ? reject(err) : resolve()));
      }),
  };
}
