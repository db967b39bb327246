import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePage } from '../../functions/case-digest/aicc/client.js';
import {
  caseListRequestSchema,
  caseListResponseSchema,
  secretValueSchema,
  tokenResponseSchema,
} from '../../functions/case-digest/aicc/schemas.js';
import { AiccApiError, AiccResponseError } from '../../functions/case-digest/errors.js';

// The vendor's own example, copied into the repository (nothing here points outside it).
const FIXTURES = new URL('../fixtures/', import.meta.url);
const vendorResponseText = readFileSync(new URL('vendor-example-response.json', FIXTURES), 'utf8');
const vendorRequest = JSON.parse(readFileSync(new URL('vendor-example-request.json', FIXTURES), 'utf8'));

describe('case list schemas', () => {
  it('accept the vendor example response exactly, extra and dotted keys kept', () => {
    // Prepare
    const json = JSON.parse(vendorResponseText);
    // Act
    const parsed = caseListResponseSchema.parse(json);
    // Assess
    expect(parsed).toEqual(json);
    const [first, second] = parsed.result?.[0]?.caseList ?? [];
    expect(first?.['type.__objectType']).toBe('AICC__CaseType__CST');
    expect(second?.priority).toBe('');
    expect(parsed.result?.[0]?.count).toBe(284);
  });

  it('accept the vendor example request', () => {
    expect(caseListRequestSchema.parse(vendorRequest)).toEqual({ limit: 2, start: 0 });
  });

  it('parsePage reads the vendor example: its cases and the total count', () => {
    const page = parsePage(vendorResponseText, 'test');
    expect(page.count).toBe(284);
    expect(page.cases.map((c) => c.id)).toEqual(['c6m800000149ndrHRVNQ', 'c6m800000149PUlLziBU']);
  });

  it('accept a record with documented fields missing and null', () => {
    const body = {
      resCode: '0',
      resMsg: 'success',
      result: [{ caseList: [{ id: 'x', state: null }], count: 1 }],
    };
    expect(parsePage(JSON.stringify(body), 't').cases).toEqual([{ id: 'x', state: null }]);
  });

  it('reads a scalar sent in another type as its text, and keeps a record without an id (SPEC §3: any field may be null)', () => {
    const body = {
      resCode: '0',
      resMsg: 'success',
      result: [
        {
          caseList: [
            { id: 12345, priority: 3, contactPhone: 971501234567, isUpgraded: 'false' },
            { id: null, title: 'no id' },
            { id: '', title: 'blank id' },
          ],
          count: 3,
        },
      ],
    };
    expect(parsePage(JSON.stringify(body), 't').cases).toEqual([
      { id: '12345', priority: '3', contactPhone: '971501234567', isUpgraded: 'false' },
      { id: null, title: 'no id' },
      { id: null, title: 'blank id' },
    ]);
  });

  it('a shape error names the path of what was wrong, not retryable by nature (no SyntaxError cause)', () => {
    // Prepare
    const json = JSON.parse(vendorResponseText);
    json.result[0].caseList[1].id = { nested: 42 };
    // Act
    const error = catchError(() => parsePage(JSON.stringify(json), 'AICC case list (start 0)'));
    // Assess
    expect(error).toBeInstanceOf(AiccResponseError);
    expect(error.message).toContain('result.0.caseList.1.id');
    expect(error.message).toContain('AICC case list (start 0)');
    expect(error.cause).not.toBeInstanceOf(SyntaxError);
  });

  it('a missing count is a shape error naming result.0.count', () => {
    const body = { resCode: '0', resMsg: 'success', result: [{ caseList: [] }] };
    const error = catchError(() => parsePage(JSON.stringify(body), 't'));
    expect(error).toBeInstanceOf(AiccResponseError);
    expect(error.message).toContain('result.0.count');
  });

  it('a success without any result is a shape error, never a silent zero', () => {
    const error = catchError(() => parsePage('{"resCode":"0","resMsg":"success","result":[]}', 't'));
    expect(error).toBeInstanceOf(AiccResponseError);
    expect(error.message).toContain('result.0');
  });

  it('resCode other than "0" is an AiccApiError carrying code, message and context', () => {
    const error = catchError(() =>
      parsePage('{"resCode":"10001","resMsg":"param error","result":null}', 'AICC case list (start 200)'),
    );
    expect(error).toBeInstanceOf(AiccApiError);
    expect(error).toMatchObject({ resCode: '10001', resMsg: 'param error' });
    expect(error.message).toContain('start 200');
  });

  it('a body that is not JSON is an AiccResponseError caused by the SyntaxError (retryable)', () => {
    const error = catchError(() => parsePage('<html>bad gateway</html>', 't'));
    expect(error).toBeInstanceOf(AiccResponseError);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('token and secret schemas accept the documented forms', () => {
    expect(
      tokenResponseSchema.parse({ access_token: 'a', expires_in: 7200, token_type: 'Bearer' }),
    ).toMatchObject({
      expires_in: 7200,
    });
    expect(secretValueSchema.safeParse({ accessToken: 'a' }).success).toBe(true);
    expect(secretValueSchema.safeParse({ clientId: 'a', clientSecret: 'b' }).success).toBe(true);
    expect(secretValueSchema.safeParse({ clientId: 'a' }).success).toBe(false);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-error: ${String(error)}`);
  }
  throw new Error('expected a throw');
}
