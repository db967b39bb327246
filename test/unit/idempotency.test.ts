import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createBatchGuard,
  DEFAULT_EXPIRES_AFTER_SECONDS,
  IN_PROGRESS_LEASE_MS,
} from '../../functions/case-digest/email/idempotency.js';

const TABLE = 'idempotency-table';
const NOW = new Date('2026-11-27T06:00:00Z');

type Item = Record<string, AttributeValue>;

/**
 * A DynamoDB table in memory, behind the mocked client: conditional put, update, get and delete with the
 * semantics the Powertools persistence layer relies on, so the guard is exercised end to end.
 */
function fakeTable(ddb: ReturnType<typeof mockClient>) {
  const items = new Map<string, Item>();
  const idOf = (key: Item | undefined) => key?.id?.S ?? '';

  ddb.on(PutItemCommand).callsFake((input: { Item: Item }) => {
    const id = idOf(input.Item);
    const old = items.get(id);
    if (old) {
      const o = unmarshall(old);
      const nowMs = Date.now();
      const expired = o.expiration < nowMs / 1000;
      const leaseOver =
        o.status === 'INPROGRESS' &&
        o.in_progress_expiration !== undefined &&
        o.in_progress_expiration < nowMs;
      if (!expired && !leaseOver) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: old,
        });
      }
    }
    items.set(id, input.Item);
    return {};
  });
  ddb
    .on(UpdateItemCommand)
    .callsFake(
      (input: {
        Key: Item;
        UpdateExpression: string;
        ExpressionAttributeNames: Record<string, string>;
        ExpressionAttributeValues: Item;
      }) => {
        const id = idOf(input.Key);
        const item: Item = { ...(items.get(id) ?? input.Key) };
        for (const assignment of input.UpdateExpression.replace(/^SET /, '').split(', ')) {
          const [name, value] = assignment.split(' = ') as [string, string];
          const attr = input.ExpressionAttributeNames[name] as string;
          item[attr] = input.ExpressionAttributeValues[value] as AttributeValue;
        }
        items.set(id, item);
        return {};
      },
    );
  ddb.on(GetItemCommand).callsFake((input: { Key: Item }) => ({ Item: items.get(idOf(input.Key)) }));
  ddb.on(DeleteItemCommand).callsFake((input: { Key: Item }) => {
    items.delete(idOf(input.Key));
    return {};
  });
  return items;
}

describe('createBatchGuard', () => {
  const client = new DynamoDBClient({ region: 'eu-west-1' });
  const ddb = mockClient(client);
  let items: Map<string, Item>;

  beforeEach(() => {
    ddb.reset();
    items = fakeTable(ddb);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const guardFor = (extra: Parameters<typeof createBatchGuard>[0] = {}) =>
    createBatchGuard({ tableName: TABLE, dynamoClient: client, ...extra });

  it('passes through without a table, calling send every time and touching no table', async () => {
    // Prepare
    const guard = createBatchGuard({ dynamoClient: client });
    const send = vi.fn(async () => ({ messageId: 'm-1' }));

    // Act
    const first = await guard.run('digest#2026-11-27T02:00:00Z#0', send);
    const second = await guard.run('digest#2026-11-27T02:00:00Z#0', send);

    // Assess
    expect(send).toHaveBeenCalledTimes(2);
    expect([first, second]).toEqual([
      { value: { messageId: 'm-1' }, fresh: true },
      { value: { messageId: 'm-1' }, fresh: true },
    ]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('sends on the first run and stores a COMPLETED record with the result and expiry', async () => {
    const guard = guardFor();
    const send = vi.fn(async () => ({ messageId: 'm-1', to: ['a@example.com'] }));

    const result = await guard.run('digest#2026-11-27T02:00:00Z#0', send);

    expect(result).toEqual({ value: { messageId: 'm-1', to: ['a@example.com'] }, fresh: true });
    expect(send).toHaveBeenCalledTimes(1);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(1);
    const put = ddb.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe(TABLE);
    expect(put?.Item?.id?.S).toMatch(/^aicc-case-digest#email#/);
    const stored = unmarshall([...items.values()][0] as Item);
    expect(stored).toMatchObject({
      status: 'COMPLETED',
      data: { messageId: 'm-1', to: ['a@example.com'] },
      expiration: NOW.getTime() / 1000 + DEFAULT_EXPIRES_AFTER_SECONDS,
    });
  });

  it('replays a COMPLETED key: returns the stored result without calling send', async () => {
    const first = vi.fn(async () => ({ messageId: 'm-1' }));
    await guardFor().run('overdue-alert#2026-11-27T10:00:00Z#0', first);

    // A second delivery of the same scheduled event, in a new invocation (a new guard).
    const second = vi.fn(async () => ({ messageId: 'm-2' }));
    const replay = await guardFor().run('overdue-alert#2026-11-27T10:00:00Z#0', second);

    expect(second).not.toHaveBeenCalled();
    expect(replay).toEqual({ value: { messageId: 'm-1' }, fresh: false });
  });

  it('guards batch by batch: a new key sends, a completed one does not', async () => {
    const guard = guardFor();
    const send = vi.fn(async () => 'ok');

    const outcomes = [
      await guard.run('digest#2026-11-27T02:00:00Z#0', send),
      await guard.run('digest#2026-11-27T02:00:00Z#1', send),
      await guard.run('digest#2026-11-27T02:00:00Z#0', send),
      await guard.run('digest#2026-11-28T02:00:00Z#0', send),
    ];

    expect(send).toHaveBeenCalledTimes(3);
    expect(outcomes.map((o) => o.fresh)).toEqual([true, true, false, true]);
    expect(items.size).toBe(3);
  });

  it('returns the stored record of a COMPLETED key even when DynamoDB answers the conditional put', async () => {
    // Prepare: the record another invocation completed, as DynamoDB returns it (ALL_OLD).
    const guard = guardFor();
    await guard.run('k', async () => ({ messageId: 'stored' }));
    ddb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: [...items.values()][0] as Item,
      }),
    );
    const send = vi.fn(async () => ({ messageId: 'new' }));

    // Act
    const result = await guardFor().run('k', send);

    // Assess
    expect(send).not.toHaveBeenCalled();
    expect(result).toEqual({ value: { messageId: 'stored' }, fresh: false });
  });

  it('refuses a key whose record is still IN PROGRESS, sending nothing', async () => {
    const id = 'aicc-case-digest#email#whatever';
    ddb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall({
          id,
          status: 'INPROGRESS',
          expiration: NOW.getTime() / 1000 + 3600,
          in_progress_expiration: NOW.getTime() + 60_000,
        }),
      }),
    );
    const send = vi.fn(async () => 'sent');

    await expect(guardFor().run('digest#2026-11-27T02:00:00Z#0', send)).rejects.toBeInstanceOf(
      IdempotencyAlreadyInProgressError,
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('lets a retry send when the earlier invocation died mid-send and its lease ran out', async () => {
    const guard = guardFor();
    // An invocation wrote its in-progress record and was killed before completing.
    const never = new Promise<never>(() => {});
    void guard.run('k', () => never);
    await vi.waitFor(() => expect(items.size).toBe(1));
    await expect(guardFor().run('k', async () => 'x')).rejects.toBeInstanceOf(
      IdempotencyAlreadyInProgressError,
    );

    vi.setSystemTime(NOW.getTime() + IN_PROGRESS_LEASE_MS + 1);
    const send = vi.fn(async () => 'sent');

    await expect(guardFor().run('k', send)).resolves.toEqual({ value: 'sent', fresh: true });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('takes the in-progress lease from the Lambda context when given', async () => {
    const lambdaContext = { getRemainingTimeInMillis: () => 42_000 } as Context;

    await guardFor({ lambdaContext }).run('k', async () => 'sent');

    const put = ddb.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put?.Item?.in_progress_expiration?.N).toBe(String(NOW.getTime() + 42_000));
  });

  it('keeps no record when send fails, so a retry sends', async () => {
    const guard = guardFor();
    const failing = vi.fn(async () => {
      throw new Error('SES throttled');
    });

    await expect(guard.run('k', failing)).rejects.toThrow('SES throttled');
    expect(items.size).toBe(0);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);

    const send = vi.fn(async () => 'sent');
    await expect(guard.run('k', send)).resolves.toEqual({ value: 'sent', fresh: true });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('honours expiresAfterSeconds: an expired record no longer suppresses a send', async () => {
    const guard = guardFor({ expiresAfterSeconds: 3600 });
    await guard.run('k', async () => 'first');
    vi.setSystemTime(NOW.getTime() + 3601_000);
    const send = vi.fn(async () => 'again');

    await expect(guardFor({ expiresAfterSeconds: 3600 }).run('k', send)).resolves.toEqual({
      value: 'again',
      fresh: true,
    });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('returns the same JSON value on the first run and on replay (undefined members dropped)', async () => {
    const value = { messageId: 'm-1', note: undefined, at: new Date('2026-11-27T06:00:00Z') };
    const first = await guardFor().run('k', async () => value);
    const replay = await guardFor().run('k', async () => value);

    expect(first).toEqual({ value: { messageId: 'm-1', at: '2026-11-27T06:00:00.000Z' }, fresh: true });
    expect(replay).toEqual({ ...first, fresh: false });
  });

  it('rejects an empty key instead of silently skipping the guard', async () => {
    const send = vi.fn(async () => 'sent');
    await expect(guardFor().run('  ', send)).rejects.toThrow(/non-empty/);
    expect(send).not.toHaveBeenCalled();
  });
});
