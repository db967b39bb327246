/**
 * The local stand-ins of a test that drives the real handler: the AICC sandbox, aws-ses-v2-local,
 * and the process environment pointing the handler (by SPEC §4 names) and the SDK at them.
 */
import { type LocalSes, startLocalSes } from '../../sandbox/local-ses.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/server.js';

export interface LocalStack {
  sandbox: Sandbox;
  ses: LocalSes;
  /** Between tests: no faults left armed, no mail left in the store. */
  reset(): Promise<void>;
  /** Restores the environment and stops both servers. */
  close(): Promise<void>;
}

export async function startLocalStack(
  sandboxOptions: SandboxOptions & { timezone: string },
  env: Record<string, string> = {},
): Promise<LocalStack> {
  const saved = { ...process.env };
  const sandbox = await startSandbox(sandboxOptions);
  const ses = await startLocalSes();
  Object.assign(process.env, {
    AICC_BASE_URL: sandbox.url,
    AICC_TOKEN: 'sandbox-token',
    AICC_TIMEZONE: sandboxOptions.timezone,
    REPORT_TIMEZONE: sandboxOptions.timezone,
    MAIL_FROM: 'Case Digest <digest@example.com>',
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  });
  delete process.env.AICC_SECRET_ID;
  return {
    sandbox,
    ses,
    async reset() {
      sandbox.clearFaults();
      await ses.clear();
    },
    async close() {
      process.env = saved;
      await Promise.all([sandbox.close(), ses.close()]);
    },
  };
}
