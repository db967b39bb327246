import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CaseDigestStack } from './case-digest-stack.js';
import { readSettings } from './context.js';

export interface BuildOptions {
  /** The handler module. @default functions/case-digest/handler.ts */
  readonly entry?: string;
}

/** Reads the context, defines the stack, and runs cdk-nag's packs over it at synth. */
export function buildApp(app: App, options: BuildOptions = {}): CaseDigestStack {
  const settings = readSettings(app);
  const stack = new CaseDigestStack(app, settings.stackName, {
    settings,
    ...(options.entry ? { entry: options.entry } : {}),
    description: 'AICC case digest: scheduled digest and overdue alerts by email (aicc-case-digest)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stack;
}
