/** `npm run sandbox -- …`: the AICC simulator (and, when asked, a PagerDuty Events API v2 one), until Ctrl-C. */
import { parseArgs } from 'node:util';
import { isValidTimeZone } from '../functions/case-digest/time/zoned.js';
import { DEFAULT_ROUTING_KEY, type PagerDutySandbox, startPagerDutySandbox } from './pagerduty.js';
import { startSandbox } from './server.js';

const HELP = `Usage: npm run sandbox -- [flags]

Starts a local simulator of the Huawei AICC case list API with seeded synthetic cases.

  --host HOST            address to listen on              (default 127.0.0.1)
  --port N               port, 0 for any free one          (default 8787)
  --timezone ZONE        AICC_TIMEZONE of the timestamps   (default UTC)
  --seed N               data seed                         (default 1)
  --cases-per-day N      cases created per local day       (default 200)
  --days N               days of data                      (default 45)
  --end-date YYYY-MM-DD  last day with data                (default today in --timezone)
  --latency MS           added to every answer             (default 0)
  --rate-limit N         case-list requests per second     (default none; beyond it: HTTP 429)
  --client-id ID         token endpoint client id          (default sandbox-client)
  --client-secret S      token endpoint client secret      (default sandbox-secret)
  --token TOKEN          static access token               (default sandbox-token)
  --token-ttl SECONDS    expires_in of issued tokens       (default 7200)
  --pagerduty-port N     also start a PagerDuty Events API v2 simulator there, 0 for any free port
                         (routing key ${DEFAULT_ROUTING_KEY})
  -h, --help             this help
`;

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n\n${HELP}`);
  process.exit(2);
}

const OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8787' },
  timezone: { type: 'string', default: 'UTC' },
  seed: { type: 'string', default: '1' },
  'cases-per-day': { type: 'string', default: '200' },
  days: { type: 'string', default: '45' },
  'end-date': { type: 'string' },
  latency: { type: 'string', default: '0' },
  'rate-limit': { type: 'string' },
  'client-id': { type: 'string', default: 'sandbox-client' },
  'client-secret': { type: 'string', default: 'sandbox-secret' },
  token: { type: 'string', default: 'sandbox-token' },
  'token-ttl': { type: 'string', default: '7200' },
  'pagerduty-port': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parseFlags() {
  try {
    return parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const values = parseFlags();

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function wholeNumber(flag: string, text: string, min = 0): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) fail(`--${flag} must be a whole number >= ${min}, got "${text}"`);
  return n;
}

if (!isValidTimeZone(values.timezone)) fail(`--timezone: unknown time zone "${values.timezone}"`);
const endDate = values['end-date'];
if (endDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(endDate)) fail('--end-date must be YYYY-MM-DD');

const rateLimit = values['rate-limit'];
// Validated before anything starts, so a bad flag leaves nothing listening.
const pagerDutyPort =
  values['pagerduty-port'] === undefined
    ? undefined
    : wholeNumber('pagerduty-port', values['pagerduty-port']);
const sandbox = await startSandbox({
  host: values.host,
  port: wholeNumber('port', values.port),
  timezone: values.timezone,
  seed: wholeNumber('seed', values.seed),
  casesPerDay: wholeNumber('cases-per-day', values['cases-per-day']),
  days: wholeNumber('days', values.days),
  ...(endDate === undefined ? {} : { endDate }),
  latencyMs: wholeNumber('latency', values.latency),
  ...(rateLimit === undefined ? {} : { rateLimit: wholeNumber('rate-limit', rateLimit, 1) }),
  clientId: values['client-id'],
  clientSecret: values['client-secret'],
  staticTokens: [values.token],
  tokenTtlSeconds: wholeNumber('token-ttl', values['token-ttl'], 1),
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
const pagerDuty: PagerDutySandbox | undefined =
  pagerDutyPort === undefined
    ? undefined
    : await startPagerDutySandbox({
        host: values.host,
        port: pagerDutyPort,
      }).catch((error: unknown) =>
        fail(`PagerDuty sandbox: ${error instanceof Error ? error.message : String(error)}`),
      );

const newest = sandbox.cases[0]?.createdDate ?? '-';
const oldest = sandbox.cases.at(-1)?.createdDate ?? '-';
process.stdout.write(`AICC sandbox listening on ${sandbox.url}
  ${sandbox.cases.length} cases, created ${oldest} … ${newest} (${sandbox.timezone})
  case list:     POST ${sandbox.url}/service/AICC__Case/1.0.0/openapi/case/list
  token:         POST ${sandbox.url}/baas/auth/v1.0/oauth2/token
  client id:     ${values['client-id']}
  client secret: ${values['client-secret']}
  static token:  ${values.token}
  rate limit:    ${rateLimit === undefined ? 'none' : `${rateLimit} case-list requests per second`}

Point the report CLI at it:
  AICC_BASE_URL=${sandbox.url} AICC_TOKEN=${values.token} AICC_TIMEZONE=${sandbox.timezone} npm run report -- …
  or AICC_CLIENT_ID=${values['client-id']} AICC_CLIENT_SECRET=${values['client-secret']} instead of AICC_TOKEN
`);
if (pagerDuty)
  process.stdout.write(`
PagerDuty Events API v2 sandbox on ${pagerDuty.url}
  routing key:   ${pagerDuty.routingKeys.join(', ')}
  for the alert job: PAGERDUTY_EVENTS_URL=${pagerDuty.url} PAGERDUTY_ROUTING_KEY=${pagerDuty.routingKeys[0]}
`);
process.stdout.write('\nCtrl-C to stop.\n');

const stop = () => {
  Promise.all([sandbox.close(), pagerDuty?.close()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
