/**
 * A node:http proxy in front of aws-ses-v2-local that can fail SES v2 `SendEmail` calls the way
 * SES does, for tests pointing `AWS_ENDPOINT_URL_SESV2` at it.
 *
 * SES v2 speaks restJson1: the SDK reads the error code from the `x-amzn-ErrorType` header first,
 * then the body's `code`, then `__type` (`loadRestJsonErrorCode` in @smithy/core), and the message
 * from the body's `message`. A throttled send is therefore HTTP 429,
 * `x-amzn-ErrorType: TooManyRequestsException`, `{"message":"Maximum sending rate exceeded."}`,
 * which the SDK's standard retry strategy treats as a throttling error (and retries).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** SES v2 `SendEmail`: `POST /v2/email/outbound-emails`. */
export const SEND_EMAIL_PATH = '/v2/email/outbound-emails';

export interface SesError {
  status: number;
  /** The `x-amzn-ErrorType` header: the error's name as the SDK will report it. */
  errorType: string;
  message: string;
}

export const THROTTLED: SesError = {
  status: 429,
  errorType: 'TooManyRequestsException',
  message: 'Maximum sending rate exceeded.',
};

export const MESSAGE_REJECTED: SesError = {
  status: 400,
  errorType: 'MessageRejected',
  message:
    'Email address is not verified. The following identities failed the check in region US-EAST-1: bad@example.com',
};

export const BAD_REQUEST: SesError = {
  status: 400,
  errorType: 'BadRequestException',
  message: 'Illegal address',
};

/** The SendEmail request as the proxy saw it. */
export interface SendEmailCall {
  /** `Destination.ToAddresses`. */
  to: string[];
  /** The injected error's type, or null when forwarded to local SES. */
  fault: string | null;
  /** HTTP status answered to the SDK. */
  status: number;
  at: number;
}

export interface SesFaultRule {
  error: SesError;
  /** How many matching SendEmail calls it answers (`Infinity` for all). @default 1 */
  times?: number;
  /** Only calls for which this holds (default: every SendEmail call). */
  when?: (call: { to: string[]; body: unknown }) => boolean;
}

export interface SesFaultProxy {
  /** Endpoint for `AWS_ENDPOINT_URL_SESV2`. */
  readonly url: string;
  /** Every SendEmail call, in order of arrival (other paths are forwarded unrecorded). */
  readonly sendCalls: SendEmailCall[];
  /** Answers matching SendEmail calls with `rule.error` instead of forwarding them. */
  inject(rule: SesFaultRule): void;
  /** The next `times` SendEmail calls answer 429 TooManyRequestsException. */
  throttle(times?: number): void;
  clearFaults(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function recipientsOf(body: unknown): string[] {
  const to = (body as { Destination?: { ToAddresses?: unknown } } | null)?.Destination?.ToAddresses;
  return Array.isArray(to) ? to.filter((t): t is string => typeof t === 'string') : [];
}

export async function startSesFaultProxy(options: { target: string }): Promise<SesFaultProxy> {
  const target = new URL(options.target);
  const rules: { rule: SesFaultRule; left: number }[] = [];
  const sendCalls: SendEmailCall[] = [];

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, onStatus: (s: number) => void) {
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (up) => {
        onStatus(up.statusCode ?? 502);
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      onStatus(502);
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy error: ${error.message}`);
    });
    upstream.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== SEND_EMAIL_PATH) {
      forward(req, res, body, () => {});
      return;
    }
    let json: unknown = null;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      // forwarded as it is; local SES answers it
    }
    const to = recipientsOf(json);
    const call: SendEmailCall = { to, fault: null, status: 0, at: Date.now() };
    sendCalls.push(call);
    const hit = rules.find((r) => r.left > 0 && (r.rule.when?.({ to, body: json }) ?? true));
    if (hit) {
      hit.left--;
      const { status, errorType, message } = hit.rule.error;
      const text = JSON.stringify({ message });
      call.fault = errorType;
      call.status = status;
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(text)),
        'x-amzn-ErrorType': errorType,
        'x-amzn-RequestId': `fault-${sendCalls.length}`,
      });
      res.end(text);
      return;
    }
    forward(req, res, body, (status) => {
      call.status = status;
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`proxy error: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const inject = (rule: SesFaultRule) => {
    const times = rule.times ?? 1;
    if (!(times >= 1)) throw new RangeError(`times must be >= 1, got ${times}`);
    rules.push({ rule, left: times });
  };

  return {
    url: `http://127.0.0.1:${port}`,
    sendCalls,
    inject,
    throttle: (times = 1) => inject({ error: THROTTLED, times }),
    clearFaults: () => {
      rules.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
