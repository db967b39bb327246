/**
 * The local stand-ins of a test that drives the real handler: the AICC sandbox and aws-ses-v2-local,
 * and the environment (by SPEC §4 names) and SDK clients that point a handler at them. Nothing here
 * touches `process.env`: each handler gets its environment and clients passed in.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler, type Handler, type HandlerOptions } from '../../functions/case-digest/runtime.js';
import { type LocalSes, startLocalSes } from '../../sandbox/local-ses.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/server.js';
import { type LocalEndpoints, localAws } from './local-aws.js';

export interface LocalStack {
  sandbox: Sandbox;
  ses: LocalSes;
  /** The handler's environment: the sandbox's URL and token, its zone for both zones, a sender. */
  env: Record<string, string>;
  /**
   * A fresh handler (a cold start) over `env` and `overrides` (`undefined` removes a variable), with
   * SDK clients for local SES and any other local endpoints given.
   */
  handler(
    overrides?: Record<string, string | undefined>,
    options?: HandlerOptions & { endpoints?: LocalEndpoints },
  ): Handler;
  /** Between tests: no faults left armed, no mail left in the store. */
  reset(): Promise<void>;
  /** Stops both servers. */
  close(): Promise<void>;
}

/** A logger that writes nothing (the default for tests that do not read logs). */
export const silentLogger = () => new Logger({ serviceName: 'aicc-case-digest', logLevel: 'SILENT' });

export async function startLocalStack(
  sandboxOptions: SandboxOptions & { timezone: string },
  env: Record<string, string> = {},
): Promise<LocalStack> {
  const sandbox = await startSandbox(sandboxOptions);
  const ses = await startLocalSes();
  const base: Record<string, string> = {
    AICC_BASE_URL: sandbox.url,
    AICC_TOKEN: 'sandbox-token',
    AICC_TIMEZONE: sandboxOptions.timezone,
    REPORT_TIMEZONE: sandboxOptions.timezone,
    MAIL_FROM: 'Case Digest <digest@example.com>',
    ...env,
  };
  return {
    sandbox,
    ses,
    env: base,
    handler(overrides = {}, options = {}) {
      const merged: Record<string, string | undefined> = { ...base, ...overrides };
      const { endpoints, ...rest } = options;
      return createHandler({
        logger: silentLogger(),
        ...rest,
        env: merged,
        aws: { ...localAws({ ses: ses.url, ...endpoints }), ...rest.aws },
      });
    },
    async reset() {
      sandbox.clearFaults();
      await ses.clear();
    },
    async close() {
      await Promise.all([sandbox.close(), ses.close()]);
    },
  };
}
