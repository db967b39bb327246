/**
 * Request counters for "no request is made": a `fetch` wrapper that counts every call, and a
 * trap HTTP server to point the AWS endpoints at (SES, Secrets Manager, DynamoDB) — or a redirect
 * at — which logs every request (headers and body included) and refuses it with a non-retryable error.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingFetch {
  fetch: typeof fetch;
  /** URL of every call, in order. */
  calls: string[];
}

export function countingFetch(inner: typeof fetch = globalThis.fetch): CountingFetch {
  const calls: string[] = [];
  const wrapped = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    calls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return inner(input, init);
  }) as typeof fetch;
  return { fetch: wrapped, calls };
}

export interface TrapHit {
  method: string;
  url: string;
  /** `X-Amz-Target` (JSON protocols) or the path: which AWS operation was attempted. */
  target: string;
  /** Every header as received (an `access-token` would be here). */
  headers: Record<string, string | string[] | undefined>;
  /** The body as text (a client secret would be here). */
  body: string;
}

export interface Trap {
  url: string;
  /** `127.0.0.1:PORT`: what an error naming the target host names. */
  host: string;
  hits: TrapHit[];
  close(): Promise<void>;
}

/** Answers every request with HTTP 400 `AccessDeniedException` so SDK clients do not retry. */
export async function startTrap(): Promise<Trap> {
  const hits: TrapHit[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const target = req.headers['x-amz-target'];
    const hit: TrapHit = {
      method: req.method ?? '',
      url: req.url ?? '',
      target: (Array.isArray(target) ? target[0] : target) ?? req.url ?? '',
      headers: { ...req.headers },
      body: '',
    };
    hits.push(hit);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hit.body = Buffer.concat(chunks).toString('utf8');
      const body = JSON.stringify({ __type: 'AccessDeniedException', message: 'trap: no request expected' });
      res
        .writeHead(400, {
          'Content-Type': 'application/x-amz-json-1.1',
          'x-amzn-ErrorType': 'AccessDeniedException',
          'Content-Length': String(Buffer.byteLength(body)),
        })
        .end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
