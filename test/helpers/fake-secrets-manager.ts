/**
 * A tiny AWS Secrets Manager for tests: a node:http server speaking the JSON 1.1 protocol for
 * `GetSecretValue` only, so the real SDK client (and Powertools `getSecret` over it) can be pointed
 * at it with `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 *
 * - `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue` and `{"SecretId": …}` →
 *   `{"ARN","Name","SecretString","VersionId","VersionStages","CreatedDate"}`.
 * - An unknown id → 400 `{"__type":"ResourceNotFoundException","message":…}`.
 * - `fail(n)` answers the next `n` calls (`Infinity`: every call until `recover()`) with
 *   500 `{"__type":"InternalServiceError"}`; `stop()` closes the listener so connections are
 *   refused, `start()` listens again on the same port.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const GET_SECRET_VALUE_TARGET = 'secretsmanager.GetSecretValue';

export interface SecretCall {
  /** The `SecretId` asked for (`null` if the body had none). */
  secretId: string | null;
  /** The `X-Amz-Target` header. */
  target: string | null;
  /** HTTP status answered. */
  status: number;
  at: number;
}

export interface FakeSecretsManager {
  /** Endpoint for `AWS_ENDPOINT_URL_SECRETS_MANAGER`, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Every call answered, in order. */
  readonly calls: SecretCall[];
  /** Creates or rotates a secret (a new `VersionId` each time). */
  setSecret(id: string, value: string): void;
  deleteSecret(id: string): void;
  /** Every value ever stored, for leak checks. */
  readonly allValues: readonly string[];
  /** Answers the next `times` calls (default every call until `recover()`) with HTTP 500 `InternalServiceError`. */
  fail(times?: number): void;
  recover(): void;
  /** Calls made for one secret id. */
  callsFor(id: string): SecretCall[];
  /** Closes the listener: connections to `url` are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

interface StoredSecret {
  value: string;
  versionId: string;
  createdAt: number;
}

const AMZ_JSON = 'application/x-amz-json-1.1';
const ACCOUNT = '123456789012';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': AMZ_JSON,
    'Content-Length': String(Buffer.byteLength(text)),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

export async function startFakeSecretsManager(
  options: { region?: string } = {},
): Promise<FakeSecretsManager> {
  const region = options.region ?? 'us-east-1';
  const secrets = new Map<string, StoredSecret>();
  const allValues: string[] = [];
  const calls: SecretCall[] = [];
  let failuresLeft = 0;

  const arnOf = (id: string) =>
    id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${id}-AbCdEf`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const header = req.headers['x-amz-target'];
    const target = (Array.isArray(header) ? header[0] : header) ?? null;
    let secretId: string | null = null;
    try {
      const parsed = JSON.parse(raw) as { SecretId?: unknown };
      if (typeof parsed.SecretId === 'string') secretId = parsed.SecretId;
    } catch {
      // handled below as a bad request
    }
    const call: SecretCall = { secretId, target, status: 0, at: Date.now() };
    calls.push(call);
    const reply = (status: number, body: unknown) => {
      call.status = status;
      answer(res, status, body);
    };

    if (req.method !== 'POST' || target !== GET_SECRET_VALUE_TARGET) {
      reply(400, {
        __type: 'UnknownOperationException',
        message: `this fake implements ${GET_SECRET_VALUE_TARGET} only, got ${String(target)}`,
      });
      return;
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      reply(500, { __type: 'InternalServiceError' });
      return;
    }
    if (secretId === null) {
      reply(400, { __type: 'InvalidParameterException', message: 'SecretId is required' });
      return;
    }
    // By name or by the ARN this fake hands out.
    const name = [...secrets.keys()].find((n) => n === secretId || arnOf(n) === secretId);
    const secret = name === undefined ? undefined : secrets.get(name);
    if (name === undefined || secret === undefined) {
      reply(400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
      return;
    }
    reply(200, {
      ARN: arnOf(name),
      Name: name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdAt / 1000,
    });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 500, { __type: 'InternalServiceError', message: String(error) });
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve, reject) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    allValues,
    setSecret(id, value) {
      secrets.set(id, { value, versionId: randomUUID(), createdAt: Date.now() });
      allValues.push(value);
    },
    deleteSecret(id) {
      secrets.delete(id);
    },
    fail(times = Number.POSITIVE_INFINITY) {
      if (!(times >= 1)) throw new RangeError(`fail(times): times must be >= 1, got ${times}`);
      failuresLeft = times;
    },
    recover() {
      failuresLeft = 0;
    },
    callsFor: (id) => calls.filter((c) => c.secretId === id),
    stop: shut,
    start: () => (server.listening ? Promise.resolve() : listen(port)),
    close: shut,
  };
}
