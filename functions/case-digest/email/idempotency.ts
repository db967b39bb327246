import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { type BatchGuard, type Guarded, passThroughGuard } from './send.js';

export interface BatchGuardOptions {
  /** DynamoDB table (partition key `id`, TTL attribute `expiration`); unset = no duplicate suppression. */
  tableName?: string | undefined;
  /**
   * How long a completed send is remembered.
   * @default 14 days — the dead-letter queue's retention, so an operator's redrive of a failed
   * scheduled event within that time still sends no batch twice.
   */
  expiresAfterSeconds?: number | undefined;
  /** Injected for tests and to share one client across warm invocations. @default a client built once */
  dynamoClient?: DynamoDBClient | undefined;
  /**
   * The invocation's context: an in-progress record then expires when this invocation's time runs out,
   * so a retry after a timeout mid-send is not blocked. Without it the lease is {@link IN_PROGRESS_LEASE_MS}.
   */
  lambdaContext?: Context | undefined;
}

export const DEFAULT_EXPIRES_AFTER_SECONDS = 14 * 24 * 60 * 60;

/**
 * Lease of an in-progress record when no Lambda context is given: Lambda's maximum run time, so a record
 * still in progress after it can only belong to an invocation that died mid-send — never to a live one.
 */
export const IN_PROGRESS_LEASE_MS = 15 * 60 * 1000;

/**
 * Stable prefix of the stored key (Powertools defaults to the function name, which changes when the
 * function is replaced — and a changed prefix would let a redelivered event send again).
 */
const KEY_PREFIX = 'aicc-case-digest#email';

let sharedClient: DynamoDBClient | undefined;
const defaultClient = (): DynamoDBClient => {
  sharedClient ??= new DynamoDBClient({});
  return sharedClient;
};

/** DynamoDB stores results as maps: `undefined` members and class instances cannot go in, so normalise first. */
function toStorable<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A guard that sends each key once: the same scheduled event delivered twice (or retried after a
 * partial failure) re-sends only the batches whose send did not complete. A completed key returns
 * the stored result without calling `send`; a key another invocation is still sending throws
 * `IdempotencyAlreadyInProgressError`; a failed send leaves no record, so a retry sends it.
 */
export function createBatchGuard(options: BatchGuardOptions = {}): BatchGuard {
  const { tableName } = options;
  if (!tableName) return passThroughGuard;

  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_EXPIRES_AFTER_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  // Powertools reads the remaining time when it writes the in-progress record.
  config.registerLambdaContext(
    options.lambdaContext ?? ({ getRemainingTimeInMillis: () => IN_PROGRESS_LEASE_MS } as Context),
  );
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: options.dynamoClient ?? defaultClient(),
  });

  return {
    async run<T>(key: string, send: () => Promise<T>): Promise<Guarded<T>> {
      if (typeof key !== 'string' || key.trim() === '') {
        throw new TypeError('BatchGuard.run: the idempotency key must be a non-empty string');
      }
      let fresh = false;
      const sendOnce = makeIdempotent(
        async (_payload: { key: string }) => {
          fresh = true;
          return toStorable(await send());
        },
        { persistenceStore, config, keyPrefix: KEY_PREFIX },
      );
      const value = (await sendOnce({ key })) as T;
      return { value, fresh };
    },
  };
}
