import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import { type Clock, systemClock } from '../clock.js';
import { AiccAuthError, AiccHttpError, AiccResponseError } from '../errors.js';
import { parseRetryAfter } from './retry.js';
import { secretValueSchema, tokenResponseSchema } from './schemas.js';
import { quoteBody, send } from './transport.js';

/** Where the AICC credentials come from (SPEC §4). */
export type CredentialSource =
  /** Secrets Manager (AICC_SECRET_ID); value is a bare token, {"accessToken":"…"} or {"clientId":"…","clientSecret":"…"}. */
  | { kind: 'secret'; secretId: string }
  /** Local stand-in AICC_TOKEN. */
  | { kind: 'token'; token: string }
  /** Local stand-in AICC_CLIENT_ID / AICC_CLIENT_SECRET. */
  | { kind: 'client'; clientId: string; clientSecret: string };

export interface TokenSource {
  /**
   * A valid token. `stale`: the token that just got 401/403 — refresh unless someone already
   * replaced it (single-flight: 16 concurrent 401s cause ONE refresh).
   */
  getToken(options?: { stale?: string; signal?: AbortSignal }): Promise<string>;
}

export type ReadSecret = (secretId: string, options: { forceFetch: boolean }) => Promise<string>;

export interface TokenSourceOptions {
  baseUrl: string;
  credentials: CredentialSource;
  /** Per request to the token endpoint. */
  timeoutMs: number;
  fetch?: typeof fetch;
  /** @default the system clock */
  now?: Clock;
  /**
   * Reads the secret's value; `forceFetch` bypasses any cache (the token was rejected: the secret
   * may have been rotated).
   * @default Powertools `getSecret` with `maxAge` 300 s
   */
  readSecret?: ReadSecret;
}

export const TOKEN_PATH = '/baas/auth/v1.0/oauth2/token';
/** A token from the endpoint is used until this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;
/** How long a token read from the secret is used before the secret is read again. */
const SECRET_MAX_AGE_S = 300;

/**
 * A `readSecret` on a Powertools SecretsProvider: cached for {@link SECRET_MAX_AGE_S} across warm
 * invocations, text or binary (UTF-8). Built once per runtime so its SDK client follows that runtime's env.
 */
export function powertoolsSecretReader(provider = new SecretsProvider()): ReadSecret {
  return (secretId, { forceFetch }) =>
    readSecretText(provider, secretId, { maxAge: SECRET_MAX_AGE_S, forceFetch });
}

/** A secret's value as text (a binary one decoded as UTF-8), through the provider's cache. */
export async function readSecretText(
  provider: SecretsProvider,
  secretId: string,
  options: { maxAge: number; forceFetch?: boolean },
): Promise<string> {
  const value = await provider.get(secretId, options);
  if (value === undefined) throw new Error('the secret has no value');
  return typeof value === 'string' ? value : new TextDecoder().decode(value);
}

/** The innermost cause: Powertools wraps the SDK's error, whose name (e.g. InternalServiceError) is what helps. */
function rootCause(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 10 && e instanceof Error && e.cause !== undefined; i++) e = e.cause;
  return e;
}

interface HeldToken {
  token: string;
  /** Epoch ms after which the token is no longer handed out. */
  expiresAt: number;
}

type Acquire = (force: boolean) => Promise<HeldToken>;

/**
 * Builds the token source once per cold start; its cache lives on it across warm invocations.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const clock = options.now ?? systemClock;
  const now = () => clock().getTime();
  const exchange = tokenExchange(options, now);
  const { credentials } = options;
  switch (credentials.kind) {
    case 'token':
      return new CachingTokenSource(async () => {
        if (!credentials.token.trim()) throw new AiccAuthError('AICC_TOKEN is empty');
        return { token: credentials.token.trim(), expiresAt: Number.POSITIVE_INFINITY };
      }, now);
    case 'client':
      return new CachingTokenSource(
        () => exchange(credentials.clientId, credentials.clientSecret, 'AICC_CLIENT_ID/AICC_CLIENT_SECRET'),
        now,
      );
    case 'secret': {
      const read = options.readSecret ?? powertoolsSecretReader();
      const { secretId } = credentials;
      return new CachingTokenSource(async (force) => {
        let raw: string;
        try {
          raw = await read(secretId, { forceFetch: force });
        } catch (error) {
          const root = rootCause(error);
          const reason =
            root !== error && root instanceof Error
              ? `${error instanceof Error ? error.message : String(error)} (${root.name}: ${root.message})`
              : error instanceof Error
                ? error.message
                : String(error);
          throw new AiccAuthError(`Could not read the AICC secret "${secretId}": ${reason}`, {
            cause: error,
          });
        }
        const value = parseSecretValue(raw, secretId);
        if ('token' in value) return { token: value.token, expiresAt: now() + SECRET_MAX_AGE_S * 1000 };
        return exchange(value.clientId, value.clientSecret, `secret "${secretId}"`);
      }, now);
    }
  }
}

/** Visible ASCII only: what an `access-token` header value can hold. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** A token, cached until it expires, refreshed single-flight. */
class CachingTokenSource implements TokenSource {
  private held: HeldToken | undefined;
  private refreshing: Promise<HeldToken> | undefined;

  constructor(
    private readonly acquire: Acquire,
    private readonly now: () => number,
  ) {}

  async getToken(options: { stale?: string; signal?: AbortSignal } = {}): Promise<string> {
    const { stale, signal } = options;
    signal?.throwIfAborted();
    if (!this.refreshing) {
      const held = this.held;
      if (held && held.token !== stale && this.now() < held.expiresAt) return held.token;
      // Only a rejection of the token we hold bypasses caches; an expiry reads through them.
      const force = stale !== undefined && held?.token === stale;
      this.refreshing = this.acquire(force)
        .then((fresh) => {
          // fetch would refuse such a header value with an error that quotes it: refuse it here, unquoted.
          if (!HEADER_SAFE.test(fresh.token)) {
            throw new AiccAuthError(
              'The AICC access token has characters an HTTP header cannot carry (a line break or a control character?)',
            );
          }
          this.held = fresh;
          return fresh;
        })
        .finally(() => {
          this.refreshing = undefined;
        });
    }
    const { token } = await untilAborted(this.refreshing, signal);
    return token;
  }
}

/** The shared refresh keeps going when one caller gives up; that caller alone rejects. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

type SecretValue = { token: string } | { clientId: string; clientSecret: string };

/** A bare token, a JSON string, `{"accessToken"}` or `{"clientId","clientSecret"}`. */
export function parseSecretValue(raw: string, secretId: string): SecretValue {
  const text = raw.trim();
  if (!text) throw new AiccAuthError(`The AICC secret "${secretId}" is empty`);
  if (!text.startsWith('{') && !text.startsWith('"')) return { token: text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // No cause: JSON.parse quotes the text it failed on, and that text is the secret.
    throw new AiccAuthError(`The AICC secret "${secretId}" starts like JSON but is not valid JSON`);
  }
  if (typeof json === 'string') return parseSecretValue(json, secretId);
  const parsed = secretValueSchema.safeParse(json);
  if (!parsed.success) {
    const keys = json && typeof json === 'object' ? Object.keys(json).join(', ') : typeof json;
    throw new AiccAuthError(
      `The AICC secret "${secretId}" must be a bare token, {"accessToken": …} or ` +
        `{"clientId": …, "clientSecret": …}; found keys: ${keys || '(none)'}`,
    );
  }
  return 'accessToken' in parsed.data ? { token: parsed.data.accessToken } : parsed.data;
}

const refusalSchema = z.object({ error: z.optional(z.string()), error_description: z.optional(z.string()) });

/** The client-credentials exchange (SPEC §3), never logging or quoting the secret or the token. */
function tokenExchange(options: TokenSourceOptions, now: () => number) {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`;
  const fetchImpl = options.fetch ?? globalThis.fetch;

  return async (clientId: string, clientSecret: string, source: string): Promise<HeldToken> => {
    const describe = `AICC token request (${source})`;
    const response = await send(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
      },
      { fetch: fetchImpl, timeoutMs: options.timeoutMs, describe },
    );
    const { status, text } = response;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now());
      throw new AiccHttpError(`${describe} answered HTTP ${status}`, status, retryAfter);
    }
    if (status < 200 || status >= 300) {
      const refusal = refusalSchema.safeParse(parseJsonQuietly(text));
      const secrets = [clientSecret];
      const reason = refusal.success
        ? [refusal.data.error, refusal.data.error_description]
            .filter(Boolean)
            .map((s) => quoteBody(s ?? '', secrets))
        : [];
      throw new AiccAuthError(
        `${describe} was refused with HTTP ${status}${reason.length ? `: ${reason.join(' — ')}` : ''}`,
      );
    }
    const json = parseJsonQuietly(text);
    if (json === undefined) {
      // A fresh SyntaxError: JSON.parse's own would quote the body, which may hold the token.
      throw new AiccResponseError(`${describe}: the answer is not valid JSON`, {
        cause: new SyntaxError('token endpoint body is not valid JSON'),
      });
    }
    const parsed = tokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new AiccAuthError(`${describe}: unexpected answer (${where})`);
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    // Short-lived tokens (≤ 2 min) are kept for half their life rather than not at all.
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2);
    return { token: parsed.data.access_token, expiresAt: now() + lifetimeMs - margin };
  };
}

function parseJsonQuietly(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
