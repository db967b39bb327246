import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app.js';
import type { CaseDigestStack } from '../../infra/case-digest-stack.js';

/** The example context of cdk.json: the settings `npx cdk synth` uses on a fresh clone, and the feature flags. */
export const exampleContext: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** The example context with `overrides` applied and the `without` keys removed. */
export function contextWith(
  overrides: Record<string, unknown> = {},
  without: string[] = [],
): Record<string, unknown> {
  const context: Record<string, unknown> = { ...exampleContext, ...overrides };
  for (const key of without) delete context[key];
  return context;
}

export interface Synthesized {
  app: App;
  stack: CaseDigestStack;
  template: Template;
}

/**
 * Builds the app as `cdk synth` does (cdk-nag packs included) without bundling the function, so a
 * test takes milliseconds; synthesizing also runs the nag validation, which throws on a finding.
 */
export function synth(overrides: Record<string, unknown> = {}, without: string[] = []): Synthesized {
  const app = new App({ context: { ...contextWith(overrides, without), 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON
export type Cfn = any;

/** The single resource of a type in the template: its logical id and properties. */
export function only(template: Template, type: string, props: Cfn = {}): { id: string; props: Cfn } {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : undefined));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0] as [string, { Properties: Cfn }];
  return { id, props: resource.Properties };
}

/** Every statement of every IAM policy attached to the role with this logical id. */
export function statementsOf(template: Template, roleId: string): Cfn[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: Cfn) => p.Properties.Roles.some((r: Cfn) => r.Ref === roleId))
    .flatMap((p: Cfn) => p.Properties.PolicyDocument.Statement);
}
