import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { LIST_PATH } from '../../sandbox/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARGS = ['--import', 'tsx', 'sandbox/cli.ts'];
const run = promisify(execFile);

let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('sandbox CLI', () => {
  it('--help lists the flags', async () => {
    const { stdout } = await run(process.execPath, [...ARGS, '--help'], { cwd: ROOT });
    for (const flag of [
      '--port',
      '--cases-per-day',
      '--days',
      '--latency',
      '--timezone',
      '--seed',
      '--end-date',
      '--rate-limit',
      '--pagerduty-port',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /bogus/],
    [['--port', 'abc'], /--port must be a whole number/],
    [['--timezone', 'Mars/Base'], /unknown time zone/],
    [['--rate-limit', '0'], /--rate-limit must be a whole number >= 1/],
    [['--pagerduty-port', 'x'], /--pagerduty-port must be a whole number/],
  ])('refuses %j with exit code 2', async (flags, message) => {
    const failure = await run(process.execPath, [...ARGS, ...flags], { cwd: ROOT }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
  });

  it('serves until SIGINT, printing the URL, the credentials and how to point the report CLI at it', async () => {
    const proc = spawn(process.execPath, [...ARGS, '--port', '0', '--days', '2', '--cases-per-day', '10'], {
      cwd: ROOT,
    });
    child = proc;
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await expect.poll(() => out, { timeout: 10_000 }).toContain('Ctrl-C');
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
    expect(out).toContain(`AICC_BASE_URL=${url} AICC_TOKEN=sandbox-token`);
    expect(out).toMatch(/client id:\s+sandbox-client/);
    expect(out).toMatch(/client secret:\s+sandbox-secret/);

    const res = await fetch(`${url}${LIST_PATH}`, {
      method: 'POST',
      headers: { 'access-token': 'sandbox-token' },
      body: '{"start":0,"limit":1}',
    });
    expect(await res.json()).toMatchObject({ resCode: '0' });

    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('with --pagerduty-port and --rate-limit: prints the PagerDuty URL and key, and both work', async () => {
    const proc = spawn(
      process.execPath,
      [
        ...ARGS,
        '--port',
        '0',
        '--days',
        '1',
        '--cases-per-day',
        '5',
        '--rate-limit',
        '1',
        '--pagerduty-port',
        '0',
      ],
      { cwd: ROOT },
    );
    child = proc;
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await expect.poll(() => out, { timeout: 10_000 }).toContain('Ctrl-C');
    expect(out).toMatch(/rate limit:\s+1 case-list requests per second/);
    const aicc = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
    const events = /PagerDuty Events API v2 sandbox on (http:\/\/\S+\/v2\/enqueue)/.exec(out)?.[1] as string;
    expect(out).toContain(`PAGERDUTY_EVENTS_URL=${events} PAGERDUTY_ROUTING_KEY=sandbox-routing-key`);

    const accepted = await fetch(events, {
      method: 'POST',
      body: JSON.stringify({ routing_key: 'sandbox-routing-key', event_action: 'resolve', dedup_key: 'k' }),
    });
    expect([accepted.status, await accepted.json()]).toEqual([
      202,
      { status: 'success', message: 'Event processed', dedup_key: 'k' },
    ]);
    // Ten at once against one a second: for none to be refused they would have to arrive a second apart.
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await fetch(`${aicc}${LIST_PATH}`, {
          method: 'POST',
          headers: { 'access-token': 'sandbox-token' },
          body: '{"start":0,"limit":1}',
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);

    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
