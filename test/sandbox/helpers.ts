import { type CaseListResponse, caseListResponseSchema } from '../../functions/case-digest/aicc/schemas.js';
import { LIST_PATH, type Sandbox, TOKEN_PATH } from '../../sandbox/server.js';

export interface ListAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: CaseListResponse;
}

/** POSTs a case-list body (an object, or raw text) with the given token; the body is parsed with the client's schema. */
export async function postList(
  sandbox: Sandbox,
  body: unknown,
  token: string | null = 'sandbox-token',
  signal?: AbortSignal,
): Promise<ListAnswer> {
  const res = await fetch(`${sandbox.url}${LIST_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'access-token': token }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: caseListResponseSchema.parse(JSON.parse(text)),
  };
}

/** The ids of one page of a successful answer. */
export const idsOf = (answer: ListAnswer): string[] =>
  (answer.json.result?.[0]?.caseList ?? []).map((c) => String(c.id));
export const countOf = (answer: ListAnswer): number | undefined => answer.json.result?.[0]?.count;

/** POSTs form fields to the token endpoint. */
export async function postToken(
  sandbox: Sandbox,
  fields: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const CREDENTIALS = {
  grant_type: 'client_credentials',
  client_id: 'sandbox-client',
  client_secret: 'sandbox-secret',
};
