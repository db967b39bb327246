import { STATUS_CODES } from 'node:http';

/** A failure the sandbox plays instead of (or on top of) its normal answer. */
export type Fault =
  /** HTTP `status` (e.g. 500/502/503); `body` defaults to a gateway's HTML error page. */
  | { kind: 'status'; status: number; body?: string }
  /** HTTP 429 with a `Retry-After` header. */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  /** Wait `ms` before answering normally (to run past a client timeout). */
  | { kind: 'hang'; ms: number }
  /** Send the headers and part of the body, then destroy the socket. */
  | { kind: 'reset' }
  /** HTTP 200 with a truncated, invalid JSON body. */
  | { kind: 'malformed' }
  /** HTTP 200 with `{"resCode":…,"resMsg":…}`. */
  | { kind: 'res-code'; resCode: string; resMsg: string }
  /** The answer to an expired or invalid token. @default status 401 */
  | { kind: 'unauthorized'; status?: 401 | 403 }
  /** Answer normally, then insert `by` new cases ahead of the query's newest, so offset pages shift. */
  | { kind: 'grow'; by: number }
  /** Answer with the first `rows` rows replaced by the `rows` rows before this page (offset > 0 only). */
  | { kind: 'duplicate'; rows: number }
  /** HTTP `status`, a `Location` header and an empty body: a misconfigured proxy, a moved tenant. */
  | { kind: 'redirect'; status: RedirectStatus; location: string };

/** The statuses `fetch` would follow on its own (`redirect: 'follow'`). */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface FaultRule {
  fault: Fault;
  /** How many matching requests it hits (`Infinity` for all). @default 1 */
  times?: number;
  /**
   * Which requests it hits. `path` @default 'list'; `start`: only the list page at that offset;
   * `afterRequests`: only once that many list requests have been answered (the rate limit's refusals
   * not counted: they never reach the API).
   */
  when?: { path?: 'list' | 'token'; start?: number; afterRequests?: number };
}

/** What the sandbox is about to request of a fault: which endpoint, which page, how far along. */
export interface FaultContext {
  path: 'list' | 'token';
  start: number | undefined;
  answeredListRequests: number;
}

/** An HTTP answer before it is written; `cutAfter` bytes of the body are sent, then the socket dies. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  cutAfter?: number;
}

/** The armed fault rules, matched in the order they were added; each hit uses up one of `times`. */
export class FaultBook {
  #rules: { rule: FaultRule; left: number }[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!(times >= 1)) throw new RangeError(`fault times must be >= 1, got ${times}`);
    const problem = faultProblem(rule.fault);
    if (problem) throw new RangeError(`fault ${rule.fault.kind}: ${problem}`);
    this.#rules.push({ rule, left: times });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault for this request, if a rule matches; a match is used up. */
  take(ctx: FaultContext): Fault | null {
    for (const entry of this.#rules) {
      if (entry.left <= 0 || !appliesTo(entry.rule, ctx)) continue;
      entry.left--;
      return entry.rule.fault;
    }
    return null;
  }
}

/** Why a fault could not be played as written, if it could not. */
function faultProblem(fault: Fault): string | null {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  switch (fault.kind) {
    case 'status':
      return whole(fault.status, 100) && fault.status <= 599 ? null : 'status must be 100..599';
    case 'rate-limit':
      return whole(fault.retryAfterSeconds, 0) ? null : 'retryAfterSeconds must be a whole number >= 0';
    case 'hang':
      return fault.ms >= 0 ? null : 'ms must be >= 0';
    case 'grow':
      return whole(fault.by, 1) ? null : 'by must be a whole number >= 1';
    case 'duplicate':
      return whole(fault.rows, 1) ? null : 'rows must be a whole number >= 1';
    case 'redirect':
      if (!REDIRECT_STATUSES.has(fault.status)) return 'status must be one of 301, 302, 303, 307, 308';
      return typeof fault.location === 'string' && fault.location !== '' ? null : 'location must be a URL';
    default:
      return null;
  }
}

function appliesTo({ fault, when = {} }: FaultRule, ctx: FaultContext): boolean {
  if ((when.path ?? 'list') !== ctx.path) return false;
  if (when.start !== undefined && when.start !== ctx.start) return false;
  if (when.afterRequests !== undefined && ctx.answeredListRequests < when.afterRequests) return false;
  // The first page has no page before it to repeat: keep the rule for a later one.
  if (fault.kind === 'duplicate' && !(ctx.start !== undefined && ctx.start > 0)) return false;
  return true;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

const gatewayPage = (status: number): string => {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>APIGW</center>\r\n</body>\r\n</html>\r\n`;
};

/** HTTP 429 as the vendor's API gateway (APIG) throttles: its error code, and `Retry-After` in seconds. */
export function throttledAnswer(retryAfterSeconds: number): Answer {
  return {
    status: 429,
    headers: { 'Content-Type': JSON_TYPE, 'Retry-After': String(retryAfterSeconds) },
    body: JSON.stringify({
      error_code: 'APIG.0308',
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit',
    }),
  };
}

/**
 * The answer a fault makes of the normal one. `hang`, `grow` and `duplicate` act elsewhere (on
 * timing and on the data) and leave the answer as it is.
 */
export function applyFault(fault: Fault, normal: Answer, path: 'list' | 'token'): Answer {
  switch (fault.kind) {
    case 'status':
      return {
        status: fault.status,
        headers: { 'Content-Type': fault.body === undefined ? 'text/html' : 'text/plain' },
        body: fault.body ?? gatewayPage(fault.status),
      };
    case 'rate-limit':
      return throttledAnswer(fault.retryAfterSeconds);
    case 'reset':
      return { ...okBody(normal), cutAfter: Math.floor(Buffer.byteLength(okBody(normal).body) / 2) };
    case 'malformed': {
      const ok = okBody(normal);
      return { ...ok, body: ok.body.slice(0, Math.max(1, Math.floor(ok.body.length / 2))) };
    }
    case 'res-code':
      return { ...okBody(normal), body: JSON.stringify({ resCode: fault.resCode, resMsg: fault.resMsg }) };
    case 'unauthorized': {
      const status = fault.status ?? 401;
      const body =
        path === 'token'
          ? { error: 'invalid_client', error_description: 'client authentication failed' }
          : {
              resCode: String(status),
              resMsg: status === 401 ? 'token invalid or expired' : 'access denied',
            };
      return { status, headers: normal.headers, body: JSON.stringify(body) };
    }
    case 'redirect':
      // Nothing but the status and the target: the body is empty (Content-Length: 0).
      return { status: fault.status, headers: { Location: fault.location }, body: '' };
    case 'hang':
    case 'grow':
    case 'duplicate':
      return normal;
  }
}

/** The normal answer as a 200: a fault that mangles a body needs one even when the request was refused. */
function okBody(normal: Answer): Answer {
  if (normal.status === 200) return normal;
  return {
    status: 200,
    headers: normal.headers,
    body: JSON.stringify({ resCode: '0', resMsg: 'success', result: [] }),
  };
}

/**
 * The rate limit knob: admits at most `limit` list requests in any rolling second, as the vendor's
 * gateway does. Only admitted requests use the budget, so a refused one never starves a client that
 * backs off: within a second of its last admitted request there is room again.
 */
export class RateLimiter {
  #limit: number | undefined;
  /** Arrival times (monotonic ms) of the admitted requests of the last second, oldest first. */
  #admitted: number[] = [];

  constructor(
    limit: number | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.set(limit);
  }

  get limit(): number | undefined {
    return this.#limit;
  }

  /** `undefined` lifts the limit; the admitted history is kept, so a lower limit bites at once. */
  set(limit: number | undefined): void {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`rateLimit must be a whole number of requests per second >= 1, got ${limit}`);
    this.#limit = limit;
  }

  /** Admits (and counts) a request arriving now; else the whole seconds until one would be admitted (≥ 1). */
  take(): number | null {
    if (this.#limit === undefined) return null;
    const now = this.clock();
    while (this.#admitted.length > 0 && (this.#admitted[0] as number) <= now - 1000) this.#admitted.shift();
    if (this.#admitted.length < this.#limit) {
      this.#admitted.push(now);
      return null;
    }
    return Math.max(1, Math.ceil(((this.#admitted[0] as number) + 1000 - now) / 1000));
  }
}
