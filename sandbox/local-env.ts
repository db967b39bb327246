/**
 * The embedded defaults of the local runs (demo, preview): the handler's environment, by SPEC §4
 * names, for a sandbox at `aiccUrl` — and, when given, a local SES at `sesUrl`.
 */
export const DEMO_TIMEZONE = 'Asia/Dubai';
/** The sandbox's default seeded data set for the demo and the preview. */
export const DEMO_DATA = {
  timezone: DEMO_TIMEZONE,
  casesPerDay: 400,
  dailyVariation: 0.2,
  days: 45,
  seed: 7,
} as const;

export function demoEnv(aiccUrl: string, sesUrl?: string): Record<string, string> {
  return {
    AICC_BASE_URL: aiccUrl,
    AICC_CLIENT_ID: 'sandbox-client',
    AICC_CLIENT_SECRET: 'sandbox-secret',
    AICC_TIMEZONE: DEMO_TIMEZONE,
    REPORT_TIMEZONE: DEMO_TIMEZONE,
    MAIL_FROM: 'Case Digest <digest@example.com>',
    DIGEST_RECIPIENTS: 'contact-centre-managers@example.com',
    ALERT_RECIPIENTS: 'on-call@example.com',
    ALERT_PRIORITIES: 'Critical,High',
    CASE_URL_TEMPLATE: 'https://service.besclouds.com/aicc/case/{id}',
    AICC_CONCURRENCY: '4',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    // Dummy credentials: the local SES accepts any; nothing here reaches AWS.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...(sesUrl ? { AWS_ENDPOINT_URL_SESV2: sesUrl } : {}),
  };
}
