import { AiccNetworkError, AiccRedirectError } from '../errors.js';

/** A response read to the end: status, headers and the body as text. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface SendOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** The caller's abort (deadline, cancellation); its failures are rethrown as they are. */
  signal?: AbortSignal | undefined;
  /** What is being requested, for messages: e.g. `AICC case list (start 200)`. */
  describe: string;
  /** The errors to raise, for callers that are not the AICC client. @default AICC's */
  errors?: TransportErrors;
}

/** How a transport failure is reported: a network failure is retryable, a redirect is not. */
export interface TransportErrors {
  network(message: string, cause: unknown): Error;
  redirect(message: string): Error;
}

const AICC_ERRORS: TransportErrors = {
  network: (message, cause) => new AiccNetworkError(message, { cause }),
  redirect: (message) => new AiccRedirectError(message),
};

/**
 * One HTTP request, body included, under a per-request timeout combined with the caller's signal.
 * Redirects are never followed (the request carries a token or a secret that must not reach another
 * origin): a 3xx answer is an error naming the status and the target host. Transport failures become
 * the network error (retryable); an abort by the caller's signal is rethrown untouched for the caller
 * to explain; anything else (a bug) propagates as it is.
 */
export async function send(url: string, init: RequestInit, options: SendOptions): Promise<RawResponse> {
  const errors = options.errors ?? AICC_ERRORS;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, { ...init, redirect: 'manual', signal });
    // Read as text whatever the Content-Type says (the vendor sends `application/json%3Bcharset=UTF-8`).
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (timeout.aborted) {
      throw errors.network(`${options.describe} timed out after ${options.timeoutMs} ms`, error);
    }
    if (isFetchNetworkError(error)) {
      throw errors.network(`${options.describe} failed: ${networkReason(error)}`, error);
    }
    throw error;
  }
  if (response.status >= 300 && response.status < 400) {
    throw errors.redirect(
      `${options.describe} answered HTTP ${response.status} redirecting to ${redirectTarget(response, url)}: ` +
        'redirects are not followed, so no token or secret reaches another host; fix the configured URL',
    );
  }
  return { status: response.status, headers: response.headers, text };
}

/** The host a redirect points at (never its path or query, which may carry anything). */
function redirectTarget(response: Response, base: string): string {
  const location = response.headers.get('location');
  if (!location) return 'no Location';
  try {
    const target = new URL(location, base);
    return target.host === new URL(base).host
      ? `the same host (${target.host})`
      : `another host, ${target.host}`;
  } catch {
    return 'an unreadable Location';
  }
}

/** undici's (Node's fetch) network failures: `fetch failed` (connect, reset) and `terminated` (mid-body). */
const NETWORK_MESSAGES = new Set(['fetch failed', 'terminated', 'Failed to fetch', 'network error']);

export function isFetchNetworkError(error: unknown): error is TypeError {
  return error instanceof TypeError && NETWORK_MESSAGES.has(error.message);
}

/** The low-level reason (`ECONNRESET`, `other side closed`) without anything request-specific. */
function networkReason(error: TypeError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : undefined;
  return [error.message, code, message].filter(Boolean).join(': ');
}

/** `text` with every secret replaced, cut to `max` characters: for quoting a body in a message. */
export function quoteBody(text: string, secrets: readonly (string | undefined)[], max = 200): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
