/**
 * The artefact test: the Lambda bundle exactly as `cdk synth` builds it, run in a plain Node process
 * with nothing beside it (no tsx, no source tree, no node_modules), against the AICC sandbox and a
 * local SES. It proves the deployable carries its templates and dependencies (SPEC §10).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { LAMBDA_UNUSED_CREDENTIAL_PROVIDERS } from '../../infra/constructs/case-digest-function.js';
import { type LocalSes, startLocalSes } from '../../sandbox/local-ses.js';
import { type Sandbox, startSandbox } from '../../sandbox/server.js';
import { countBy, createdBetween } from '../helpers/oracle.js';
import { type Cfn, exampleContext } from './helpers.js';

const run = promisify(execFile);

/** SPEC §11: the bundle as CDK builds it stays under this size. */
const SIZE_BUDGET_BYTES = 600 * 1024;

const ZONE = 'Asia/Dubai';
const SCHEDULED = '2026-11-27T02:00:00Z'; // 06:00 in Dubai: the digest reports the 26th

let work: string;
let bundleDir: string;
let entry: string;

/** Runs `script` (an ES module) with plain `node` in the isolated bundle directory. */
async function node(script: string, env: Record<string, string>): Promise<string> {
  const file = join(bundleDir, `run-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const { stdout } = await run(process.execPath, [file], {
    cwd: bundleDir,
    // Nothing inherited from the test runner (NODE_OPTIONS, loaders, AWS settings): a Lambda-like environment.
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--enable-source-maps', ...env },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

beforeAll(() => {
  // Synthesize like `cdk synth` (bundling on, the example context), into a directory outside the repository.
  work = mkdtempSync(join(tmpdir(), 'case-digest-bundle-'));
  const app = new App({ context: exampleContext, outdir: join(work, 'cdk.out') });
  const stack = buildApp(app);
  const assembly = app.synth();

  // The asset the template's function points at, found through the stack's asset manifest.
  const template = assembly.getStackByName(stack.stackName).template;
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

  it('imports nothing but Node built-ins, except the credential providers Lambda never reaches', () => {
    const code = readFileSync(entry, 'utf8');
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const staticImports = [
      ...code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g),
    ].map((m) => m[1] as string);
    expect(staticImports.filter((s) => !builtins.has(s))).toEqual([]);
    const dynamicImports = new Set(
      [...code.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] as string),
    );
    for (const specifier of dynamicImports) {
      expect([...builtins, ...LAMBDA_UNUSED_CREDENTIAL_PROVIDERS]).toContain(specifier);
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

    it('mails the scheduled digest with the exact numbers, both parts and the CSV', async () => {
      const out = await node(
        `const { handler } = await import('./index.mjs');
         const result = await handler({ job: 'digest', scheduledTime: '${SCHEDULED}' });
         console.log('RESULT ' + JSON.stringify(result));`,
        {
          AICC_BASE_URL: sandbox.url,
          AICC_TOKEN: 'sandbox-token',
          AICC_TIMEZONE: ZONE,
          REPORT_TIMEZONE: ZONE,
          MAIL_FROM: 'Case Digest <digest@example.com>',
          DIGEST_RECIPIENTS: 'managers@example.com, leads@example.com',
          ALERT_RECIPIENTS: 'oncall@example.com',
          AWS_ENDPOINT_URL_SESV2: ses.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          POWERTOOLS_LOG_LEVEL: 'WARN',
        },
      );
      const line = out.split('\n').find((l) => l.startsWith('RESULT ')) as string;
      const result = JSON.parse(line.slice('RESULT '.length));

      const day = createdBetween(sandbox.cases, '2026-11-26 00:00:00', '2026-11-26 23:59:59');
      expect(day.length).toBeGreaterThan(50);
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
      expect(result.emails).toEqual([expect.objectContaining({ messageId: mail?.messageId })]);
      if (result.overdue.count > 0) {
        expect(mail?.attachments).toEqual([
          expect.objectContaining({
            filename: 'overdue-2026-11-27.csv',
            contentType: expect.stringMatching(/csv/),
          }),
        ]);
      }
    });
  });
});
