import { type Duration, TimeZone } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ScheduledRun } from '../reports.js';

/**
 * LambdaInvoke grants the scheduler role `lambda:InvokeFunction` on the function and on `:*` (every
 * version and alias). The schedules invoke the unqualified function, so the role gets exactly that.
 */
class InvokeUnqualified extends LambdaInvoke {
  constructor(
    private readonly fn: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(fn, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }),
    );
  }
}

export interface ReportSchedulesProps {
  readonly function: IFunction;
  readonly runs: readonly ScheduledRun[];
  /** Where a run goes once the schedule's retries are spent. */
  readonly deadLetterQueue: IQueue;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/**
 * Every schedule of the stack, in one schedule group so an operator can list or pause them together.
 * Each is named after its report (or `digest` / `overdue-alert` for the defaults), and the construct id
 * is that name too: a report that takes over a default's name updates the schedule in place.
 */
export class ReportSchedules extends Construct {
  readonly group: ScheduleGroup;
  readonly schedules: ReadonlyMap<string, Schedule>;

  constructor(scope: Construct, id: string, props: ReportSchedulesProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group');
    const schedules = new Map<string, Schedule>();
    for (const run of props.runs) {
      const schedule = new Schedule(this, run.name, {
        scheduleName: run.name,
        scheduleGroup: this.group,
        description: run.description,
        schedule: ScheduleExpression.expression(
          run.expression,
          run.timezone ? TimeZone.of(run.timezone) : undefined,
        ),
        // On time: a flexible window would start runs up to that much later (the digest late, alerts for a
        // window that closed long ago); scheduledTime, and so the day reported, would not change.
        timeWindow: TimeWindow.off(),
        target: new InvokeUnqualified(props.function, {
          input: ScheduleTargetInput.fromObject({
            ...run.input,
            scheduledTime: ContextAttribute.scheduledTime,
          }),
          retryAttempts: props.retryAttempts,
          maxEventAge: props.maxEventAge,
          deadLetterQueue: props.deadLetterQueue,
        }),
      });
      schedules.set(run.name, schedule);
    }
    this.schedules = schedules;
  }
}
