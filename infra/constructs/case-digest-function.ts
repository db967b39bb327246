import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IDestination, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Credential providers the SDK's default chain imports lazily (`await import(...)`) and only after the
 * environment provider found nothing. Lambda always puts the role's credentials in the environment, so
 * on Lambda they are never loaded; left out of the bundle they save ~110 KB (with the STS/SSO clients they
 * pull in) of the SPEC §11 size budget. test/infra/bundle.test.ts checks that nothing imports them statically.
 */
export const LAMBDA_UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
] as const;

/**
 * Clients the function imports lazily (`await import(...)`) and the Lambda Node.js runtime provides:
 * `@aws-sdk/client-sns` is loaded only when an alert publishes to a topic, and bundled it would push the
 * asset over the SPEC §11 budget of 600 KB.
 */
export const LAMBDA_RUNTIME_LAZY_MODULES = ['@aws-sdk/client-sns'] as const;

export interface CaseDigestFunctionProps {
  /** Absolute path of the handler module. */
  readonly entry: string;
  /** Absolute path of the repository root (holds package-lock.json). */
  readonly projectRoot: string;
  /** Lambda environment (SPEC §4 names). */
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** Where asynchronous invocations go once Lambda's own retries are spent. */
  readonly onFailure: IDestination;
  /** Lambda's async retries of a failed run. */
  readonly retryAttempts: number;
  /** How long Lambda keeps an async event (retries and throttled runs) before it goes to `onFailure`. */
  readonly maxEventAge: Duration;
}

/**
 * The one Lambda: Node.js 22 on ARM64, bundled by the local esbuild into a single minified ESM file
 * with the AWS SDK inside (SPEC §10–§11) — except the SNS client the runtime provides — its own log group and a role that starts with no permissions.
 */
export class CaseDigestFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CaseDigestFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'AICC case digest function',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      // One run at a time: the digest and an alert (or a retry) queue behind each other, never race.
      reservedConcurrentExecutions: 1,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: props.onFailure,
      description: 'AICC case digest and overdue alerts (SPEC: functions/case-digest/handler.ts)',
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The runtime's SDK is loaded file by file from disk (~170 ms); bundled and tree-shaken it loads in a fraction.
        bundleAwsSDK: true,
        // Left out: the credential providers Lambda never reaches, and the SNS client, which the function
        // imports lazily, only when an alert publishes to a topic, and the Lambda Node.js runtime provides
        // (bundled, it would push the asset over the 600 KB budget of SPEC §11).
        externalModules: [...LAMBDA_UNUSED_CREDENTIAL_PROVIDERS, ...LAMBDA_RUNTIME_LAZY_MODULES],
        charset: Charset.UTF8,
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
