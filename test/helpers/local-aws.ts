/**
 * SDK clients for the local stand-ins (aws-ses-v2-local, the fake Secrets Manager, dynalite, moto),
 * built with explicit endpoints, region and dummy credentials — handed to `createHandler({ aws })`, so
 * no test has to point the SDK at them through `process.env`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../../functions/case-digest/runtime.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDLOCALTESTONLY', secretAccessKey: 'local-test-only' };

const config = (endpoint: string) => ({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

export interface LocalEndpoints {
  ses?: string;
  secretsManager?: string;
  dynamodb?: string;
  /** moto: SNS in any region answers on one endpoint. */
  sns?: string;
}

/** Clients for the endpoints given; the handler builds its own defaults for the rest. */
export function localAws(endpoints: LocalEndpoints): AwsClients {
  const sns = endpoints.sns;
  return {
    ...(endpoints.ses ? { ses: new SESv2Client(config(endpoints.ses)) } : {}),
    ...(endpoints.secretsManager
      ? { secretsManager: new SecretsManagerClient(config(endpoints.secretsManager)) }
      : {}),
    ...(endpoints.dynamodb ? { dynamodb: new DynamoDBClient(config(endpoints.dynamodb)) } : {}),
    ...(sns
      ? { sns: (region: string) => new SNSClient({ endpoint: sns, region, credentials: LOCAL_CREDENTIALS }) }
      : {}),
  };
}
