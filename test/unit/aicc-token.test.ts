import { inspect } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isRetryable } from '../../functions/case-digest/aicc/retry.js';
import { createTokenSource, type ReadSecret, TOKEN_PATH } from '../../functions/case-digest/aicc/token.js';
import { AiccAuthError, AiccHttpError } from '../../functions/case-digest/errors.js';

const BASE = 'https://aicc.example.test';
const SECRET = 'cl1ent-s3cret-value';
const ISSUED = 'issued-token-abc123';

/** A token endpoint that issues `issued-token-<n>`; records each request's form. */
function tokenEndpoint(
  options: { expiresIn?: number; status?: number; body?: unknown; delayMs?: number } = {},
) {
  const forms: URLSearchParams[] = [];
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    expect(String(url)).toBe(`${BASE}${TOKEN_PATH}`);
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('content-type')).toBe('application/x-www-form-urlencoded');
    forms.push(new URLSearchParams(String(init?.body)));
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const body = options.body ?? {
      access_token: forms.length === 1 ? ISSUED : `${ISSUED}-${forms.length}`,
      expires_in: options.expiresIn ?? 7200,
      token_type: 'Bearer',
    };
    return new Response(JSON.stringify(body), {
      status: options.status ?? 200,
      headers: { 'content-type': 'application/json%3Bcharset=UTF-8' },
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, forms, calls: fetch };
}

/** Everything an error could show an operator or a log: message, props, causes, stack. */
function everythingIn(error: unknown): string {
  return [JSON.stringify(error), String(error), inspect(error, { depth: 10, showHidden: true })].join('\n');
}

describe('token source: client credentials', () => {
  it('exchanges id and secret form-encoded at the token endpoint', async () => {
    // Prepare
    const endpoint = tokenEndpoint();
    const source = createTokenSource({
      baseUrl: `${BASE}/`,
      credentials: { kind: 'client', clientId: 'my-client', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    // Act
    const token = await source.getToken();
    // Assess
    expect(token).toBe(ISSUED);
    expect(Object.fromEntries(endpoint.forms[0] ?? [])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'my-client',
      client_secret: SECRET,
    });
  });

  it('caches the token until 60 s before expires_in', async () => {
    // Prepare
    let now = 1_000_000;
    const endpoint = tokenEndpoint({ expiresIn: 7200 });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
      now: () => new Date(now),
    });
    // Act / Assess
    expect(await source.getToken()).toBe(ISSUED);
    now += (7200 - 60) * 1000 - 1;
    expect(await source.getToken()).toBe(ISSUED);
    expect(endpoint.calls).toHaveBeenCalledTimes(1);
    now += 1;
    expect(await source.getToken()).toBe(`${ISSUED}-2`);
    expect(endpoint.calls).toHaveBeenCalledTimes(2);
  });

  it('keeps a very short-lived token for half its life rather than not at all', async () => {
    let now = 0;
    const endpoint = tokenEndpoint({ expiresIn: 30 });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
      now: () => new Date(now),
    });
    await source.getToken();
    now = 14_999;
    await source.getToken();
    expect(endpoint.calls).toHaveBeenCalledTimes(1);
    now = 15_000;
    await source.getToken();
    expect(endpoint.calls).toHaveBeenCalledTimes(2);
  });

  it('refreshes once for 16 concurrent rejections of the same token (single-flight)', async () => {
    // Prepare
    const endpoint = tokenEndpoint({ delayMs: 5 });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const stale = await source.getToken();
    // Act
    const fresh = await Promise.all(Array.from({ length: 16 }, () => source.getToken({ stale })));
    const late = await source.getToken({ stale });
    // Assess
    expect(new Set([...fresh, late])).toEqual(new Set([`${ISSUED}-2`]));
    expect(endpoint.calls).toHaveBeenCalledTimes(2);
  });

  it('a refusal is an AiccAuthError with error and description, never the secret', async () => {
    // Prepare
    const endpoint = tokenEndpoint({
      status: 401,
      body: { error: 'invalid_client', error_description: `Bad client credentials: ${SECRET}` },
    });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    // Act
    const error = await source.getToken().catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AiccAuthError);
    expect((error as Error).message).toContain('HTTP 401');
    expect((error as Error).message).toContain('invalid_client');
    expect((error as Error).message).toContain('Bad client credentials');
    expect(everythingIn(error)).not.toContain(SECRET);
    expect(isRetryable(error)).toBe(false);
  });

  it('a 400 refusal is an AiccAuthError too', async () => {
    const endpoint = tokenEndpoint({ status: 400, body: { error: 'unsupported_grant_type' } });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    await expect(source.getToken()).rejects.toThrow(/HTTP 400: unsupported_grant_type/);
  });

  it('a 503 from the token endpoint is a retryable AiccHttpError; the next call tries again', async () => {
    const endpoint = tokenEndpoint({ status: 503, body: { message: 'busy' } });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const error = await source.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccHttpError);
    expect(isRetryable(error)).toBe(true);
    await expect(source.getToken()).rejects.toBeInstanceOf(AiccHttpError);
    expect(endpoint.calls).toHaveBeenCalledTimes(2);
  });

  it('an answer of the wrong shape names the path and never quotes the token', async () => {
    const endpoint = tokenEndpoint({ body: { access_token: ISSUED, expires_in: 'soon' } });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const error = await source.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccAuthError);
    expect((error as Error).message).toContain('expires_in');
    expect(everythingIn(error)).not.toContain(ISSUED);
  });

  it('a caller whose signal aborts gives up alone; the shared refresh still serves the others', async () => {
    const endpoint = tokenEndpoint({ delayMs: 20 });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'client', clientId: 'c', clientSecret: SECRET },
      timeoutMs: 1000,
      fetch: endpoint.fetch,
    });
    const impatient = new AbortController();
    const first = source.getToken({ signal: impatient.signal });
    const second = source.getToken();
    impatient.abort(new Error('deadline'));
    await expect(first).rejects.toThrow('deadline');
    await expect(second).resolves.toBe(ISSUED);
    expect(endpoint.calls).toHaveBeenCalledTimes(1);
  });
});

describe('token source: AICC_TOKEN stand-in', () => {
  it('hands out the configured token, also when asked to refresh (nothing to refresh from)', async () => {
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'token', token: 'local' },
      timeoutMs: 1,
    });
    expect(await source.getToken()).toBe('local');
    expect(await source.getToken({ stale: 'local' })).toBe('local');
  });
});

describe('token source: Secrets Manager through the readSecret seam', () => {
  function secretSource(values: string[], fetchImpl?: typeof fetch) {
    const reads: { forceFetch: boolean }[] = [];
    const readSecret: ReadSecret = vi.fn(async (_id, options) => {
      reads.push(options);
      return values[Math.min(reads.length, values.length) - 1] ?? '';
    });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'secret', secretId: 'prod/aicc' },
      timeoutMs: 1000,
      readSecret,
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
    return { source, reads };
  }

  it('a bare token', async () => {
    const { source } = secretSource(['  bare-token-1\n']);
    expect(await source.getToken()).toBe('bare-token-1');
  });

  it('{"accessToken"}', async () => {
    const { source } = secretSource([JSON.stringify({ accessToken: 'json-token-1' })]);
    expect(await source.getToken()).toBe('json-token-1');
  });

  it('{"clientId","clientSecret"} is exchanged at the token endpoint', async () => {
    const endpoint = tokenEndpoint();
    const { source } = secretSource(
      [JSON.stringify({ clientId: 'sm-client', clientSecret: SECRET })],
      endpoint.fetch,
    );
    expect(await source.getToken()).toBe(ISSUED);
    expect(endpoint.forms[0]?.get('client_id')).toBe('sm-client');
  });

  it('a rejected token re-reads the secret bypassing the cache (it may have been rotated)', async () => {
    // Prepare
    const { source, reads } = secretSource(['token-before-rotation', 'token-after-rotation']);
    // Act
    const first = await source.getToken();
    const again = await source.getToken();
    const refreshed = await Promise.all(Array.from({ length: 8 }, () => source.getToken({ stale: first })));
    // Assess
    expect([first, again]).toEqual(['token-before-rotation', 'token-before-rotation']);
    expect(new Set(refreshed)).toEqual(new Set(['token-after-rotation']));
    expect(reads).toEqual([{ forceFetch: false }, { forceFetch: true }]);
  });

  it('an unreadable secret is an AiccAuthError naming the secret id, with the cause', async () => {
    const cause = new Error('AccessDeniedException: not authorized');
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'secret', secretId: 'prod/aicc' },
      timeoutMs: 1000,
      readSecret: async () => {
        throw cause;
      },
    });
    const error = await source.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccAuthError);
    expect((error as Error).message).toContain('"prod/aicc"');
    expect((error as Error).cause).toBe(cause);
  });

  it.each([
    ['broken JSON', '{"accessToken": "leaky-secret-value"'],
    ['unknown keys', '{"token": "leaky-secret-value"}'],
    ['a client id without its secret', '{"clientId": "leaky-secret-value"}'],
  ])('%s is an AiccAuthError that does not quote the value', async (_name, raw) => {
    const { source } = secretSource([raw]);
    const error = await source.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccAuthError);
    expect((error as Error).message).toContain('"prod/aicc"');
    expect(everythingIn(error)).not.toContain('leaky-secret-value');
  });
});

describe('token source: Secrets Manager through Powertools (mocked SDK)', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => {
    sm.reset();
  });

  it('reads the three secret formats', async () => {
    // Prepare
    const endpoint = tokenEndpoint();
    sm.on(GetSecretValueCommand, { SecretId: 'pt/bare' }).resolves({ SecretString: 'pt-bare-token' });
    sm.on(GetSecretValueCommand, { SecretId: 'pt/json' }).resolves({
      SecretString: JSON.stringify({ accessToken: 'pt-json-token' }),
    });
    sm.on(GetSecretValueCommand, { SecretId: 'pt/client' }).resolves({
      SecretString: JSON.stringify({ clientId: 'pt-client', clientSecret: SECRET }),
    });
    const source = (secretId: string) =>
      createTokenSource({
        baseUrl: BASE,
        credentials: { kind: 'secret', secretId },
        timeoutMs: 1000,
        fetch: endpoint.fetch,
      });
    // Act / Assess
    expect(await source('pt/bare').getToken()).toBe('pt-bare-token');
    expect(await source('pt/json').getToken()).toBe('pt-json-token');
    expect(await source('pt/client').getToken()).toBe(ISSUED);
    expect(endpoint.forms[0]?.get('client_id')).toBe('pt-client');
  });

  it('reads the secret once while warm, and past the cache when the token was rejected', async () => {
    // Prepare
    sm.on(GetSecretValueCommand, { SecretId: 'pt/rotating' })
      .resolvesOnce({ SecretString: 'rotating-1' })
      .resolves({ SecretString: 'rotating-2' });
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'secret', secretId: 'pt/rotating' },
      timeoutMs: 1000,
    });
    // Act
    const first = await source.getToken();
    const warm = await source.getToken();
    const refreshed = await source.getToken({ stale: first });
    // Assess
    expect([first, warm]).toEqual(['rotating-1', 'rotating-1']);
    expect(refreshed).toBe('rotating-2');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('a Secrets Manager failure is an AiccAuthError naming the secret, with the cause', async () => {
    sm.on(GetSecretValueCommand).rejects(new Error('ResourceNotFoundException: no such secret'));
    const source = createTokenSource({
      baseUrl: BASE,
      credentials: { kind: 'secret', secretId: 'pt/missing' },
      timeoutMs: 1000,
    });
    const error = await source.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AiccAuthError);
    expect((error as Error).message).toContain('"pt/missing"');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
