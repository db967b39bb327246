import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AICC_DATETIME,
  type CaseRecord,
  ORIGIN_CODES,
  PRIORITY_CODES,
} from '../functions/case-digest/aicc/schemas.js';
import { formatLocal, isValidTimeZone, parseLocalFields } from '../functions/case-digest/time/zoned.js';
import { type CaseQuery, CaseStore, type FieldFilter, generateCases, pageOf } from './data.js';
import {
  type Answer,
  applyFault,
  type Fault,
  FaultBook,
  type FaultRule,
  RateLimiter,
  throttledAnswer,
} from './faults.js';

export type { Fault, FaultRule, RedirectStatus } from './faults.js';

export interface SandboxOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (ephemeral) */
  port?: number;
  /** AICC_TIMEZONE of the data's timestamps. @default 'UTC' */
  timezone?: string;
  /** @default 1 */
  seed?: number;
  /** @default 200 */
  casesPerDay?: number;
  /** @default 45 (so a 30-day lookback has data) */
  days?: number;
  /** Day-to-day swing of the volume, e.g. 0.2 for ±20 %. @default 0 (exactly `casesPerDay` a day) */
  dailyVariation?: number;
  /** Last local day with data, `YYYY-MM-DD` in `timezone`. @default today in `timezone` (none after "now") */
  endDate?: string;
  /** Clock for "today", "now" and token expiry. @default () => new Date() */
  now?: () => Date;
  /** Explicit data instead of generated data. */
  cases?: CaseRecord[];
  /** @default 'sandbox-client' */
  clientId?: string;
  /** @default 'sandbox-secret' */
  clientSecret?: string;
  /** Tokens accepted without the token endpoint. @default ['sandbox-token'] */
  staticTokens?: string[];
  /** `expires_in` of issued tokens. @default 7200 */
  tokenTtlSeconds?: number;
  /** Added to every answer but a rate-limit refusal. @default 0 */
  latencyMs?: number;
  /**
   * Case-list requests admitted per rolling second; those beyond it answer HTTP 429 at once (no
   * latency), with `Retry-After` and the gateway's throttling body, and use none of the budget; the
   * log marks them `fault: 'rate-limit'`, `throttled: true`. The token endpoint is not limited.
   * @default undefined (no limit)
   */
  rateLimit?: number;
  /**
   * Clock (ms) of the rate limit's rolling second: real time even when `now` is frozen, or a test's
   * hand-moved one. @default performance.now
   */
  rateLimitClock?: () => number;
}

export interface RequestLogEntry {
  /** URL path as requested, e.g. {@link LIST_PATH}. */
  path: string;
  /** HTTP status answered (0 while the answer is still pending). */
  status: number;
  /** The parsed body: JSON for the case list, the form fields for the token endpoint, else the text. */
  body: unknown;
  /** The `access-token` header. */
  token: string | null;
  /** The fault played on it; `'rate-limit'` also when the rate limit knob refused it (then `throttled`). */
  fault: Fault['kind'] | null;
  /** True when the rate limit knob (not an injected fault) answered it HTTP 429. */
  throttled: boolean;
  /** `Date.now()` when the request arrived. */
  at: number;
  /**
   * `Date.now()` when the answer was sent (or would have been, had the client gone): with `at`, which
   * requests were in flight together — to the millisecond, so an answer and the next arrival within
   * the same one are ambiguous (`inFlight` is exact). `null` while pending.
   */
  answeredAt: number | null;
  /**
   * Case-list requests in flight at the sandbox when this one arrived, itself included if it is one:
   * arrived, and neither answered nor given up by the client.
   */
  inFlight: number;
}

export interface Sandbox {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  timezone: string;
  /** The current data set, newest first. */
  readonly cases: readonly CaseRecord[];
  /** Every request, in order of arrival (list, token and unknown paths). */
  readonly requests: RequestLogEntry[];
  /** Case-list requests in flight now (see {@link RequestLogEntry.inFlight}). */
  readonly inFlight: number;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Every token issued so far, static ones too, stops working; new ones can be fetched. */
  expireTokens(): void;
  setLatency(ms: number): void;
  /** Changes the rate limit knob at run time; `undefined` lifts it. */
  setRateLimit(requestsPerSecond: number | undefined): void;
  /** Changes a case as an agent would (close it: `{ state: 'Completed', closedDate }`); its creation date stays. */
  updateCase(id: string, patch: Partial<CaseRecord>): CaseRecord | undefined;
  close(): Promise<void>;
}

export const LIST_PATH = '/service/AICC__Case/1.0.0/openapi/case/list';
export const TOKEN_PATH = '/baas/auth/v1.0/oauth2/token';
/** The vendor's own (mis-encoded) Content-Type, verbatim from its example. */
export const VENDOR_CONTENT_TYPE = 'application/json%3Bcharset=UTF-8';

/** The most case-list requests in flight at once as any of `entries` arrived (see `inFlight`). */
export function peakInFlight(entries: readonly RequestLogEntry[]): number {
  return entries.reduce((peak, e) => Math.max(peak, e.inFlight), 0);
}

const MAX_INTERVAL_MS = 31 * 24 * 3_600_000;
const SHORT_FIELDS = new Set(['ownerId', 'type', 'contactId', 'contactPhone', 'creatorId']);
const invert = (codes: Record<string, string>) =>
  new Map(Object.entries(codes).map(([name, code]) => [code, name]));
const CODED_FIELDS = new Map([
  ['priority', { names: invert(PRIORITY_CODES), hint: '0 (Low), 1 (Medium), 2 (High), 3 (Critical)' }],
  ['origin', { names: invert(ORIGIN_CODES), hint: '0 (Email), 1 (Voice), 2 (webchat), 3 (Whatsapp)' }],
]);

interface ListRequest {
  start: number;
  limit: number;
  query: CaseQuery;
}

/** Validates a case-list body as the vendor does; a string is the `resMsg` of the refusal. */
export function parseListRequest(body: unknown): ListRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'request body must be a JSON object';
  const fields = body as Record<string, unknown>;
  const { start, limit } = fields;
  if (start === undefined || start === null) return 'start is required';
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0)
    return 'start must be an integer >= 0';
  if (limit === undefined || limit === null) return 'limit is required';
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100)
    return 'limit must be between 1 and 100';

  const query: CaseQuery = { filters: [] };
  for (const key of Object.keys(fields).sort()) {
    const raw = fields[key];
    if (key === 'start' || key === 'limit' || raw === null || raw === undefined || raw === '') continue;
    const coded = CODED_FIELDS.get(key);
    if (coded) {
      const name =
        typeof raw === 'string' || typeof raw === 'number' ? coded.names.get(String(raw)) : undefined;
      if (!name) return `${key} must be one of ${coded.hint}`;
      query.filters.push({ field: key, value: name });
      continue;
    }
    if (typeof raw !== 'string') return `${key} must be a string`;
    if (key === 'title' && raw.length > 128) return 'title cannot exceed 128 characters';
    if (SHORT_FIELDS.has(key) && raw.length > 20) return `${key} cannot exceed 20 characters`;
    if (key === 'startTime' || key === 'endTime') {
      if (!AICC_DATETIME.test(raw) || !parseLocalFields(raw))
        return `${key} must be a valid YYYY-MM-DD HH:mm:ss time`;
      query[key] = raw;
      continue;
    }
    const filter: FieldFilter =
      key === 'title' ? { field: key, value: raw, contains: true } : { field: key, value: raw };
    query.filters.push(filter);
  }
  const { startTime, endTime } = query;
  if (startTime !== undefined && endTime !== undefined) {
    if (endTime < startTime) return 'endTime cannot be earlier than startTime';
    if (wallClockMs(endTime) - wallClockMs(startTime) > MAX_INTERVAL_MS)
      return 'the interval between startTime and endTime cannot exceed 31 days';
  }
  return { start, limit, query };
}

function wallClockMs(text: string): number {
  const f = parseLocalFields(text);
  return f ? Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) : Number.NaN;
}

/** Issued tokens with their expiry, and the static ones until `expireAll`. */
class TokenRegistry {
  #issued = new Map<string, number>();
  #static: Set<string>;

  constructor(
    staticTokens: readonly string[],
    private readonly now: () => Date,
    private readonly ttlSeconds: number,
  ) {
    this.#static = new Set(staticTokens);
  }

  issue(): string {
    let token: string;
    do token = randomBytes(30).toString('base64');
    while (this.#issued.has(token));
    this.#issued.set(token, this.now().getTime() + this.ttlSeconds * 1000);
    return token;
  }

  isValid(token: string | null): boolean {
    if (!token) return false;
    if (this.#static.has(token)) return true;
    const expiresAt = this.#issued.get(token);
    return expiresAt !== undefined && this.now().getTime() < expiresAt;
  }

  expireAll(): void {
    this.#issued.clear();
    this.#static.clear();
  }
}

const vendorJson = (status: number, body: unknown): Answer => ({
  status,
  headers: { 'Content-Type': VENDOR_CONTENT_TYPE },
  body: JSON.stringify(body),
});
const oauthJson = (status: number, body: unknown): Answer => ({
  status,
  headers: { 'Content-Type': 'application/json;charset=UTF-8', 'Cache-Control': 'no-store' },
  body: JSON.stringify(body),
});
const refusal = (resMsg: string) => vendorJson(200, { resCode: '400', resMsg });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Starts the AICC simulator on `host:port`; resolves once it listens. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const timezone = options.timezone ?? 'UTC';
  if (!isValidTimeZone(timezone)) throw new RangeError(`unknown time zone "${timezone}"`);
  const now = options.now ?? (() => new Date());
  const seed = options.seed ?? 1;
  const clientId = options.clientId ?? 'sandbox-client';
  const clientSecret = options.clientSecret ?? 'sandbox-secret';
  const ttl = options.tokenTtlSeconds ?? 7200;
  let latencyMs = options.latencyMs ?? 0;
  const limiter = new RateLimiter(options.rateLimit, options.rateLimitClock);

  const store = new CaseStore(
    options.cases ??
      generateCases({
        seed,
        casesPerDay: options.casesPerDay ?? 200,
        days: options.days ?? 45,
        endDate: options.endDate,
        dailyVariation: options.dailyVariation,
        timezone,
        now,
      }),
    seed,
  );
  const tokens = new TokenRegistry(options.staticTokens ?? ['sandbox-token'], now, ttl);
  const faults = new FaultBook();
  const requests: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let answeredList = 0;
  /** Case-list requests arrived and not yet answered (or abandoned by their client). */
  const listInFlight = new Set<RequestLogEntry>();

  function listAnswer(
    parsed: ReturnType<typeof parseJson>,
    token: string | null,
    fault: Fault | null,
  ): Answer {
    if (!tokens.isValid(token))
      return vendorJson(401, { resCode: '401', resMsg: 'token invalid or expired' });
    if (!parsed.ok) return refusal('request body is not valid JSON');
    const req = parseListRequest(parsed.value);
    if (typeof req === 'string') return refusal(req);
    const selection = store.select(req.query);
    let rows = pageOf(selection, req.start, req.limit);
    if (fault?.kind === 'duplicate') {
      const n = Math.min(fault.rows, req.start, rows.length);
      rows = [...pageOf(selection, req.start - n, n), ...rows.slice(n)];
    }
    const answer = vendorJson(200, {
      resCode: '0',
      resMsg: 'success',
      result: [{ caseList: rows, count: selection.count }],
    });
    if (fault?.kind === 'grow')
      store.insertNewest(pageOf(selection, 0, 1)[0], fault.by, formatLocal(now(), timezone));
    return answer;
  }

  function tokenAnswer(form: URLSearchParams): Answer {
    const grant = form.get('grant_type');
    if (!grant)
      return oauthJson(400, { error: 'invalid_request', error_description: 'grant_type is required' });
    if (grant !== 'client_credentials')
      return oauthJson(400, {
        error: 'unsupported_grant_type',
        error_description: `unsupported grant_type ${grant}`,
      });
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)
      return oauthJson(401, { error: 'invalid_client', error_description: 'client authentication failed' });
    return oauthJson(200, { access_token: tokens.issue(), expires_in: ttl, token_type: 'Bearer' });
  }

  function deliver(res: ServerResponse, entry: RequestLogEntry, answer: Answer, delayMs: number): void {
    const send = () => {
      // A refusal by the rate limit never reached the API: it does not move `afterRequests` rules on.
      if (entry.path === LIST_PATH && !entry.throttled) answeredList++;
      entry.status = answer.status;
      entry.answeredAt = Date.now();
      listInFlight.delete(entry);
      if (res.destroyed) return;
      const body = Buffer.from(answer.body);
      res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(body.length) });
      if (answer.cutAfter === undefined) res.end(body);
      else res.write(body.subarray(0, answer.cutAfter), () => res.destroy());
    };
    if (delayMs <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, delayMs);
    timers.add(timer);
  }

  function logArrival(req: IncomingMessage, res: ServerResponse): RequestLogEntry {
    const header = req.headers['access-token'];
    const entry: RequestLogEntry = {
      path: (req.url ?? '/').split('?')[0] as string,
      status: 0,
      body: null,
      token: (Array.isArray(header) ? header[0] : header) ?? null,
      fault: null,
      throttled: false,
      at: Date.now(),
      answeredAt: null,
      inFlight: 0,
    };
    requests.push(entry);
    if (req.method === 'POST' && entry.path === LIST_PATH) {
      listInFlight.add(entry);
      // A client that gave up (timeout, abort) no longer counts, even if its answer is still held back.
      res.once('close', () => listInFlight.delete(entry));
    }
    entry.inFlight = listInFlight.size;
    return entry;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const { path } = entry;
    const kind =
      req.method !== 'POST' ? null : path === LIST_PATH ? 'list' : path === TOKEN_PATH ? 'token' : null;
    // Counted on arrival, before the body is read, as a gateway in front of the API would.
    const retryAfter = kind === 'list' ? limiter.take() : null;
    const raw = await readBody(req);
    let answer: Answer;
    let fault: Fault | null = null;
    if (retryAfter !== null) {
      // Refused at the gateway: no fault rule is used up, and no latency is added (a 429 is cheap).
      const parsed = parseJson(raw);
      entry.body = parsed.ok ? parsed.value : raw;
      entry.fault = 'rate-limit';
      entry.throttled = true;
      deliver(res, entry, throttledAnswer(retryAfter), 0);
      return;
    }
    if (kind === 'list') {
      const parsed = parseJson(raw);
      entry.body = parsed.ok ? parsed.value : raw;
      const start = parsed.ok ? (parsed.value as { start?: unknown } | null)?.start : undefined;
      fault = faults.take({
        path: kind,
        start: typeof start === 'number' ? start : undefined,
        answeredListRequests: answeredList,
      });
      answer = listAnswer(parsed, entry.token, fault);
    } else if (kind === 'token') {
      const form = new URLSearchParams(raw);
      entry.body = Object.fromEntries(form);
      fault = faults.take({ path: kind, start: undefined, answeredListRequests: answeredList });
      answer = tokenAnswer(form);
    } else {
      entry.body = raw;
      answer = {
        status: 404,
        headers: { 'Content-Type': 'text/plain' },
        body: `no route for ${req.method} ${path}`,
      };
    }
    if (fault) {
      entry.fault = fault.kind;
      answer = applyFault(fault, answer, kind ?? 'list');
    }
    deliver(res, entry, answer, latencyMs + (fault?.kind === 'hang' ? fault.ms : 0));
  }

  const server = createServer((req, res) => {
    const entry = logArrival(req, res);
    handle(req, res, entry).catch((error: unknown) => {
      if (entry.answeredAt === null) Object.assign(entry, { status: 500, answeredAt: Date.now() });
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`sandbox error: ${String(error)}`);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    timezone,
    get cases() {
      return store.cases;
    },
    requests,
    get inFlight() {
      return listInFlight.size;
    },
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    expireTokens: () => tokens.expireAll(),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setRateLimit: (requestsPerSecond) => limiter.set(requestsPerSecond),
    updateCase: (id, patch) => store.update(id, patch),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
