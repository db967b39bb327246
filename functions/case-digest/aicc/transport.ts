import { AiccNetworkError } from '../errors.js';

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
}

/**
 * One HTTP request, body included, under a per-request timeout combined with the caller's signal.
 * Transport failures become `AiccNetworkError` (retryable); an abort by the caller's signal is
 * rethrown untouched for the caller to explain; anything else (a bug) propagates as it is.
 */
export async function send(url: string, init: RequestInit, options: SendOptions): Promise<RawResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await options.fetch(url, { ...init, signal });
    // Read as text whatever the Content-Type says (the vendor sends `application/json%3Bcharset=UTF-8`).
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (timeout.aborted) {
      throw new AiccNetworkError(`${options.describe} timed out after ${options.timeoutMs} ms`, {
        cause: error,
      });
    }
    if (isFetchNetworkError(error)) {
      throw new AiccNetworkError(`${options.describe} failed: ${networkReason(error)}`, { cause: error });
    }
    throw error;
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
