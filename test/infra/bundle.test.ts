/**
 * The artefact test: the Lambda bundle exactly as `cdk synth` builds it, run in a plain Node process
 * with nothing beside it (no tsx, no source tree, no node_modules), against the AICC sandbox and a
 * local SES. It proves the deployable carries its templates and dependencies (SPEC §10).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { LAMBDA_UNUSED_CREDENTIAL_PROVIDERS } from '../../infra/constructs/case-digest-function.js';
import { type LocalSes, startLocalSes } from '../../sandbox/local-ses.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { startMoto } from '../helpers/moto.js';
import { countBy, createdBetween, overdueIds } from '../helpers/oracle.js';
import { instantOfWallClock, wallClock } from '../helpers/zones.js';
import { type Cfn, exampleContext } from './helpers.js';

const run = promisify(execFile);

/** SPEC §11: the bundle as CDK builds it stays under this size. */
const SIZE_BUDGET_BYTES = 600 * 1024;

const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z'; // 06:00 in Dubai: the digest reports the 26th

let work: string;
let bundleDir: string;
let entry: string;
let template: Cfn;

/** The input a schedule of the synthesized stack sends, by its name (`<aws.scheduler.scheduled-time>` left in). */
function scheduleInputOf(name: string): string {
  const schedule = (Object.values(template.Resources) as Cfn[]).find(
    (r) => r.Type === 'AWS::Scheduler::Schedule' && String(r.Properties.Name) === name,
  );
  return String(schedule.Properties.Target.Input);
}

/** The packages `@aws-sdk/client-sns` needs, read from their package.json files: what the runtime's SDK holds. */
function sdkPackages(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep);
  };
  visit('@aws-sdk/client-sns');
  return [...seen];
}

/** Runs `script` (an ES module) with plain `node` in the isolated bundle directory. */
async function node(script: string, env: Record<string, string>): Promise<string> {
  return (await nodeOutput(script, env)).stdout;
}

/** As `node`, with both streams (Lambda sends both to the log). */
async function nodeOutput(
  script: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  const file = join(bundleDir, `run-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const { stdout, stderr } = await run(process.execPath, [file], {
    cwd: bundleDir,
    // Nothing inherited from the test runner (NODE_OPTIONS, loaders, AWS settings): a Lambda-like environment.
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--enable-source-maps', ...env },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { stdout, stderr };
}

beforeAll(() => {
  // Synthesize like `cdk synth` (bundling on, the example context), into a directory outside the repository.
  work = mkdtempSync(join(tmpdir(), 'case-digest-bundle-'));
  const app = new App({ context: exampleContext, outdir: join(work, 'cdk.out') });
  const stack = buildApp(app);
  const assembly = app.synth();

  // The asset the template's function points at, found through the stack's asset manifest.
  template = assembly.getStackByName(stack.stackName).template;
  const fn = (Object.values(template.Resources) as Cfn[]).find((r) => r.Type === 'AWS::Lambda::Function');
  const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const manifest = JSON.parse(readFileSync(join(work, 'cdk.out', `${stack.stackName}.assets.json`), 'utf8'));
  const assetDir = join(work, 'cdk.out', manifest.files[hash].source.path);

  // A copy on its own: the only files a Lambda would have.
  bundleDir = join(work, 'task');
  cpSync(assetDir, bundleDir, { recursive: true });
  entry = join(bundleDir, 'index.mjs');
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the Lambda bundle as CDK builds it', () => {
  it('is one minified ESM file with its source map, within the SPEC §11 size budget', () => {
    expect(readdirSync(bundleDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const size = statSync(entry).size;
    console.info(`bundle: ${(size / 1024).toFixed(1)} KB (budget ${SIZE_BUDGET_BYTES / 1024} KB)`);
    expect(size).toBeLessThan(SIZE_BUDGET_BYTES);
    expect(readFileSync(entry, 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
  });

  it("imports nothing but Node built-ins, except the credential providers Lambda never reaches and the runtime's SNS client", () => {
    const code = readFileSync(entry, 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const staticImports = [
      ...code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g),
    ].map((m) => m[1] as string);
    expect(staticImports.filter((s) => !builtins.has(s))).toEqual([]);
    const dynamicImports = new Set(
      [...code.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string),
    );
    // The SNS client is loaded only by an alert that publishes, from the SDK the Lambda runtime provides.
    expect(dynamicImports).toContain('@aws-sdk/client-sns');
    for (const specifier of dynamicImports) {
      expect([...builtins, ...LAMBDA_UNUSED_CREDENTIAL_PROVIDERS, '@aws-sdk/client-sns']).toContain(
        specifier,
      );
    }
  });

  it('loads in plain Node and exports handler', async () => {
    const out = await node(
      `const t = performance.now();
       const m = await import('./index.mjs');
       console.log(JSON.stringify({ handler: typeof m.handler, ms: performance.now() - t }));`,
      { AWS_REGION: 'us-east-1' },
    );
    const { handler, ms } = JSON.parse(out.trim().split('\n').at(-1) as string);
    console.info(`bundle: loaded in ${ms.toFixed(1)} ms (one cold load; npm run bench reports the median)`);
    expect(handler).toBe('function');
  });

  it('parses its configuration at INIT: a bad one is logged naming the variable, and every invocation fails with it', async () => {
    const { stdout, stderr } = await nodeOutput(
      `const { handler } = await import('./index.mjs');
       console.log('IMPORTED');
       for (let i = 0; i < 2; i++) {
         const outcome = await handler({ job: 'digest', dryRun: true }).then(
           () => 'resolved',
           (e) => e.name + ': ' + e.message,
         );
         console.log('OUTCOME ' + outcome);
       }`,
      {
        AWS_REGION: 'us-east-1',
        AICC_BASE_URL: 'http://aicc.example.com',
        AICC_TOKEN: 't',
        MAIL_FROM: 'd@example.com',
      },
    );
    // The import succeeded, and logged the bad configuration while it ran, naming the variable.
    expect(stdout.split('\n')[0]).toBe('IMPORTED');
    const init = JSON.parse(stderr.trim().split('\n')[0] as string);
    expect(init).toMatchObject({ level: 'ERROR', message: expect.stringMatching(/configuration invalid/) });
    expect(init.error).toEqual({
      name: 'ConfigError',
      message: expect.stringMatching(/AICC_BASE_URL: must be an https URL/),
    });
    expect(stdout.split('\n').filter((l) => l.startsWith('OUTCOME '))).toEqual([
      expect.stringMatching(/^OUTCOME ConfigError: .*AICC_BASE_URL/),
      expect.stringMatching(/^OUTCOME ConfigError: .*AICC_BASE_URL/),
    ]);
  });

  describe('invoked against the AICC sandbox and local SES', () => {
    let sandbox: Sandbox;
    let ses: LocalSes;

    beforeAll(async () => {
      sandbox = await startSandbox({
        timezone: ZONE,
        casesPerDay: 120,
        days: 40,
        endDate: '2026-11-27',
        now: () => new Date(SCHEDULED),
        seed: 7,
      });
      ses = await startLocalSes();
    });
    afterAll(async () => {
      await Promise.all([sandbox?.close(), ses?.close()]);
    });

    /** A Lambda-like environment pointing at the sandbox and local SES, by SPEC §4 names. */
    const runEnv = () => ({
      AICC_BASE_URL: sandbox.url,
      AICC_TOKEN: 'sandbox-token',
      AICC_TIMEZONE: ZONE,
      REPORT_TIMEZONE: ZONE,
      MAIL_FROM: 'Case Digest <digest@example.com>',
      ALERT_RECIPIENTS: 'oncall@example.com',
      AWS_ENDPOINT_URL_SESV2: ses.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });

    beforeEach(() => ses.clear());

    it('mails the scheduled digest with the exact numbers, both parts and the CSV', async () => {
      const out = await node(
        `const { handler } = await import('./index.mjs');
         const result = await handler({ job: 'digest', scheduledTime: '${SCHEDULED}' });
         console.log('RESULT ' + JSON.stringify(result));`,
        { ...runEnv(), DIGEST_RECIPIENTS: 'managers@example.com, leads@example.com' },
      );
      const line = out.split('\n').find((l) => l.startsWith('RESULT ')) as string;
      const result = JSON.parse(line.slice('RESULT '.length));

      const day = createdBetween(sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59');
      const overdue = overdueIds(
        sandbox.cases,
        '2026-10-28 06:00:00',
        '2026-11-27 06:00:00',
        '2026-11-27 06:00:00',
      );
      expect(day.length).toBeGreaterThan(50);
      expect(overdue.length).toBeGreaterThan(0);
      expect(result).toMatchObject({
        job: 'digest',
        dryRun: false,
        window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: ZONE },
        total: day.length,
        byPriority: countBy(day, 'priority'),
        byOrigin: countBy(day, 'origin'),
        byState: countBy(day, 'state'),
      });

      const mails = await ses.emails();
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail?.destination.to.sort()).toEqual(['leads@example.com', 'managers@example.com']);
      expect(mail?.from).toContain('digest@example.com');
      expect(mail?.subject).toContain('2026-11-26');
      expect(mail?.subject).toContain(String(day.length));
      expect(mail?.body.html).toMatch(/<table/i);
      expect(mail?.body.text).toContain(String(day.length));
      expect(result.emails).toEqual([
        expect.objectContaining({ messageId: mail?.messageId, status: 'sent' }),
      ]);
      expect(result.overdue.caseIds).toEqual(overdue);
      expect(mail?.attachments).toEqual([
        expect.objectContaining({
          filename: 'overdue-2026-11-27.csv',
          contentType: expect.stringMatching(/csv/),
        }),
      ]);
    });

    it("runs a named report with the exact input its schedule sends (cdk.json's team digest in Berlin)", async () => {
      const input = scheduleInputOf('emea-voice').replace('<aws.scheduler.scheduled-time>', SCHEDULED);
      const out = await node(
        `const { handler } = await import('./index.mjs');
         const result = await handler(${input});
         console.log('RESULT ' + JSON.stringify(result));`,
        { ...runEnv(), DIGEST_RECIPIENTS: 'managers@example.com' },
      );
      const result = JSON.parse((out.split('\n').find((l) => l.startsWith('RESULT ')) as string).slice(7));
      // 06:00 in Dubai is 03:00 in Berlin: the report's previous day there is the 26th too.
      const start = wallClock(ZONE, instantOfWallClock('Europe/Berlin', '2026-11-26 00:00:00'));
      const end = wallClock(ZONE, instantOfWallClock('Europe/Berlin', '2026-11-27 00:00:00') - 1000);
      const team = createdBetween(sandbox.cases, start, end).filter(
        (c) => c.origin === 'Voice' && c.queueId === 'q-emea',
      );
      expect(team.length).toBeGreaterThan(0);
      expect(result).toMatchObject({
        report: 'emea-voice',
        window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: 'Europe/Berlin' },
        total: team.length,
      });
      const [mail] = await ses.emails();
      expect(mail?.destination.to).toEqual(['emea-leads@example.com']);
      expect(mail?.subject).toBe(
        `Case digest · EMEA voice 2026-11-26: ${team.length} new, ${result.overdue.count} overdue`,
      );
    });

    it('publishes an alert to SNS through the SDK the Lambda runtime provides (nothing else beside the bundle)', async () => {
      const moto = await startMoto();
      try {
        const topic = await moto.createTopicWithQueue('bundle-alerts');
        // The runtime's SDK: only the AWS SDK's own packages beside the bundle, as /var/runtime has them.
        const modules = join(bundleDir, 'node_modules');
        for (const name of sdkPackages()) {
          mkdirSync(dirname(join(modules, name)), { recursive: true });
          symlinkSync(join(process.cwd(), 'node_modules', name), join(modules, name), 'dir');
        }
        const out = await node(
          `const { handler } = await import('./index.mjs');
           const result = await handler({ job: 'overdue-alert', at: '${SCHEDULED}', intervalMinutes: 10080 });
           console.log('RESULT ' + JSON.stringify(result));`,
          {
            ...runEnv(),
            ALERT_TOPIC_ARN: topic.topicArn,
            AWS_ENDPOINT_URL_SNS: moto.url,
            ALERT_PRIORITIES: 'Critical,High',
          },
        );
        rmSync(modules, { recursive: true, force: true });
        const result = JSON.parse((out.split('\n').find((l) => l.startsWith('RESULT ')) as string).slice(7));
        expect(result.alerted.count).toBeGreaterThan(0);
        const [delivered] = await topic.receive(1, 15_000);
        expect(result.topic.messageId).toBe(delivered?.raw.MessageId);
        expect(delivered?.subject).toMatch(/^\[Overdue\] \d+ /);
      } finally {
        await moto.close();
      }
    });
  });
});
