import type { ParsedSettings } from './context.js';
import { addressOf, isTimeZone, observesDst } from './context-fields.js';
import { DEFAULT_DIGEST_SCHEDULE, firesInDstGap, isCron } from './schedule-expression.js';

/** The three ways an alert reaches someone, for the error when it reaches nobody. */
const ALERT_CHANNELS = 'alertRecipients, pagerdutySecretName, or alertTopicArn / createAlertTopic';

/** Where an issue is: the key, or `reports[i]` and the field. */
type Issue = { path: (string | number)[]; message: string };

/** The rules that relate context keys to one another, checked once every key has its own shape. */
export function crossKeyIssues(s: ParsedSettings): Issue[] {
  const issues: Issue[] = [];
  const from = addressOf(s.mailFrom).toLowerCase();
  const identity = s.sesIdentity.toLowerCase();
  const domain = from.slice(from.lastIndexOf('@') + 1);
  const covered = identity.includes('@')
    ? from === identity
    : domain === identity || domain.endsWith(`.${identity}`);
  if (!covered) {
    issues.push({
      path: ['mailFrom'],
      message: `sender ${from} is not covered by sesIdentity "${s.sesIdentity}" (SES sends only as a verified identity)`,
    });
  }
  if (s.aiccMaxConcurrency !== undefined && s.aiccMaxConcurrency < s.aiccConcurrency) {
    issues.push({
      path: ['aiccMaxConcurrency'],
      message: `${s.aiccMaxConcurrency} is below aiccConcurrency (${s.aiccConcurrency}): aiccMaxConcurrency is the ceiling adaptive concurrency grows to from aiccConcurrency`,
    });
  }
  if (s.alertTopicArn && s.createAlertTopic) {
    issues.push({
      path: ['createAlertTopic'],
      message: 'set either alertTopicArn (an existing topic) or createAlertTopic, not both',
    });
  }
  for (const key of ['alertTopicSmsNumbers', 'alertTopicEmails'] as const) {
    if (s[key] && !s.createAlertTopic)
      issues.push({
        path: [key],
        message:
          'subscribes to the created alert topic: needs createAlertTopic: true (subscribe to an existing topic where it is managed)',
      });
  }
  const anyTopic = s.alertTopicArn || s.createAlertTopic || s.reports?.some((r) => r.topicArn);
  if (s.alertTopicFormat && !anyTopic) {
    issues.push({
      path: ['alertTopicFormat'],
      message:
        "there is no alert topic to format for: set alertTopicArn or createAlertTopic (or a report's topicArn)",
    });
  }
  const defaultChannel = Boolean(
    s.alertRecipients || s.pagerdutySecretName || s.alertTopicArn || s.createAlertTopic,
  );
  if (!s.reports) {
    if (!defaultChannel)
      issues.push({
        path: ['alertRecipients'],
        message: `the overdue alert reaches nobody: set ${ALERT_CHANNELS}`,
      });
    if (firesInDstGap(s.digestSchedule ?? DEFAULT_DIGEST_SCHEDULE, hasDst(s.reportTimezone)))
      issues.push({ path: ['digestSchedule'], message: dstMessage(s.reportTimezone) });
    return issues;
  }
  for (const key of ['digestSchedule', 'alertIntervalMinutes'] as const) {
    if (s[key] !== undefined)
      issues.push({
        path: [key],
        message: 'has no effect with reports (each report has its own schedule): remove it',
      });
  }
  const seen = new Map<string, number>();
  s.reports.forEach((r, i) => {
    const first = seen.get(r.name);
    if (first !== undefined)
      issues.push({
        path: ['reports', i, 'name'],
        message: `"${r.name}" is also reports[${first}]: names must be unique`,
      });
    else seen.set(r.name, i);
    const zoneOfCron = r.timezone ?? s.reportTimezone;
    if (r.job === 'digest' && isCron(r.schedule) && firesInDstGap(r.schedule, hasDst(zoneOfCron)))
      issues.push({ path: ['reports', i, 'schedule'], message: dstMessage(zoneOfCron) });
    if (
      r.job === 'overdue-alert' &&
      !defaultChannel &&
      !r.recipients &&
      !r.pagerdutySecretName &&
      !r.topicArn
    )
      issues.push({
        path: ['reports', i, 'recipients'],
        message: `the alert reaches nobody: give the report recipients, pagerdutySecretName or topicArn, or set the stack's ${ALERT_CHANNELS}`,
      });
  });
  return issues;
}

/** Whether the zone observes DST; false for a zone that is not one (its own key reports that). */
const hasDst = (zoneName: string) => isTimeZone(zoneName) && observesDst(zoneName);

const dstMessage = (zoneName: string) =>
  `fires between 01:00 and 03:00 in ${zoneName}, where DST changes skip or repeat local times; pick another hour`;
