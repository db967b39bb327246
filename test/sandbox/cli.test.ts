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
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /bogus/],
    [['--port', 'abc'], /--port must be a whole number/],
    [['--timezone', 'Mars/Base'], /unknown time zone/],
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
});
