/**
 * The named reports of the CDK context (`reports` in cdk.json), for running them by hand: validated
 * by the same schema synth uses, turned into the same schedule runs and events.
 */
import { readFileSync } from 'node:fs';
import { ContextError } from '../infra/context-fields.js';
import { reportsSchema, type ScheduledRun, scheduledRuns } from '../infra/reports.js';
import { DEFAULT_DIGEST_SCHEDULE } from '../infra/schedule-expression.js';

export interface NamedReports {
  /** Each schedule the stack would create: one per report, or the two defaults without `reports`. */
  runs: ScheduledRun[];
  /** Whether the context has `reports` (else `runs` are the default digest and alert). */
  named: boolean;
}

/** Reads `reports` (and the zone crons default to) from a cdk.json. Throws ContextError naming bad fields. */
export function loadNamedReports(cdkJsonPath = 'cdk.json'): NamedReports {
  const context =
    (JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const parsed =
    context.reports === undefined
      ? { success: true as const, data: undefined }
      : reportsSchema.safeParse(context.reports);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `reports.${i.path.map(String).join('.')}: ${i.message}`);
    throw new ContextError(`Invalid CDK context in ${cdkJsonPath}: ${issues.join('; ')}`);
  }
  const runs = scheduledRuns({
    reports: parsed.data,
    reportTimezone: typeof context.reportTimezone === 'string' ? context.reportTimezone : 'UTC',
    digestSchedule:
      typeof context.digestSchedule === 'string' ? context.digestSchedule : DEFAULT_DIGEST_SCHEDULE,
    alertIntervalMinutes: Number(context.alertIntervalMinutes ?? 60),
  });
  return { runs, named: parsed.data !== undefined };
}

/** A report's schedule run by name, or an error listing the names there are. */
export function findReport(reports: NamedReports, name: string): ScheduledRun {
  const run = reports.named ? reports.runs.find((r) => r.name === name) : undefined;
  if (!run) {
    const names = reports.named
      ? reports.runs.map((r) => r.name).join(', ')
      : '(none: cdk.json has no "reports")';
    throw new ContextError(`No report named "${name}" in the CDK context; the reports are: ${names}`);
  }
  return run;
}
