import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** `npm run report -- …` as an operator runs it: a child process, exit code, stdout and stderr. */
function report(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'sandbox/report.ts', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const out = mkdtempSync(join(tmpdir(), 'report-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('report CLI', () => {
  it('runs a dry-run digest against the in-process sandbox, prints JSON, writes --out, reports progress', () => {
    const r = report([
      'digest',
      '--sandbox',
      '--dry-run',
      '--json',
      '--out',
      out,
      '--filter',
      'priority=High',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ job: 'digest', dryRun: true, filters: { priority: 'High' } });
    expect(result.total).toBeGreaterThan(0);
    expect(Object.keys(result.byPriority)).toEqual(['High']);
    expect(result.emails[0].messageId).toBeNull();
    expect(r.stderr).toMatch(/\d+\/\d+ pages/);
    expect(readdirSync(out).sort()).toEqual(['email-1.html', 'email-1.txt', 'result.json']);
    expect(readFileSync(join(out, 'email-1.html'), 'utf8')).toContain('<html');
  });

  it('runs an overdue-alert check with a human summary', () => {
    const r = report(['overdue-alert', '--sandbox', '--dry-run', '--interval', '1440']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^overdue-alert .* \d+ cases alerted/m);
  });

  it('exits 2 with a one-line reason on bad usage', () => {
    const r = report(['weekly']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"digest" or "overdue-alert"');
  });

  it('exits 1 naming the bad field of an invalid event, before any request', () => {
    const r = report(['digest', '--sandbox', '--from', '2026-02-30', '--to', '2026-03-01']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^report failed: EventError: .*from/m);
  });

  it('exits 1 naming the missing configuration', () => {
    const r = report(['digest', '--dry-run'], { MAIL_FROM: 'digest@example.com' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ConfigError: .*AICC_BASE_URL/);
  });

  it('lists the named reports of cdk.json with their schedules', () => {
    const r = report(['--list']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['daily', 'digest', 'cron(0'],
      ['emea-voice', 'digest', 'cron(0'],
      ['oncall-emea', 'overdue-alert', 'rate(15'],
    ]);
    expect(lines[1]).toContain('Europe/Berlin "EMEA voice"');
  });

  it("runs a named report by its name with the report's own event: its zone, filters and recipients", () => {
    const r = report(['--report', 'emea-voice', '--sandbox', '--dry-run', '--json'], {
      AICC_TIMEZONE: 'Asia/Dubai',
    });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      job: 'digest',
      report: 'emea-voice',
      dryRun: true,
      window: { timezone: 'Europe/Berlin' },
      filters: { origin: 'Voice', queueId: 'q-emea' },
      byOrigin: { Voice: result.total },
    });
    expect(result.emails[0]).toMatchObject({ to: ['emea-leads@example.com'], status: 'dry-run' });
    expect(result.emails[0].subject).toMatch(/^Case digest · EMEA voice \d{4}-\d{2}-\d{2}: /);
  });

  it('runs a named alert rule with its priorities and interval, and says which report ran', () => {
    const r = report(['--report', 'oncall-emea', '--sandbox', '--dry-run', '--at', '2026-11-27T10:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^report oncall-emea \(overdue-alert\) .* \d+ cases alerted, \d+ warned$/m);
  });

  it('exits 1 naming the reports there are when the name is unknown', () => {
    const r = report(['--report', 'weekly-emea']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No report named "weekly-emea".*daily, emea-voice, oncall-emea/);
  });
});
