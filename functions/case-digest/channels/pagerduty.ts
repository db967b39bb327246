import pLimit from 'p-limit';
import * as z from 'zod/mini';
import { parseRetryAfter, resolveRetryPolicy, withRetry } from '../aicc/retry.js';
import { quoteBody, send } from '../aicc/transport.js';
import type { Clock } from '../clock.js';
import type { RoutingKeySource } from '../config.js';
import { formatDurationShort } from '../email/format.js';
import { maskPhonesInText } from '../email/mask.js';
import { cleanText, shortCaseNo, truncate } from '../email/text.js';
import type { OverdueCaseView } from '../email/views.js';
import { PagerDutyError } from '../errors.js';
import { formatLocal } from '../time/zoned.js';

/** PagerDuty's documented limit on `payload.summary`. */
const MAX_SUMMARY = 1024;
/** PagerDuty's rate limits are per routing key: a few events in flight are plenty. */
const MAX_IN_FLIGHT = 4;
const SECRET_MAX_AGE_S = 300;

type Severity = 'critical' | 'error' | 'warning' | 'info';

/** An Events API v2 event without its routing key (added only when sent, so it never reaches a result or log). */
export type PagerDutyEvent =
  | {
      event_action: 'trigger';
      dedup_key: string;
      payload: {
        summary: string;
        source: string;
        severity: Severity;
        timestamp: string;
        class: string;
        group: string;
        custom_details: Record<string, string>;
      };
      links?: { href: string; text: string }[];
    }
  | { event_action: 'resolve'; dedup_key: string };

/** One incident per case: every trigger and reminder of a case, and its resolve, share this key. */
export const dedupKeyOf = (caseId: string) => `aicc-case-${caseId}`;

const SEVERITY: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
};

export interface TriggerContext {
  asOf: Date;
  /** The AICC host: the event's `source`. */
  source: string;
  aiccTimezone: string;
}

/**
 * The trigger for an alerted (overdue) or warned (due soon) case: summary in plain text on one line,
 * severity by priority (every pre-breach warning is `warning`), details an on-call engineer reads first.
 */
export function triggerEvent(
  c: OverdueCaseView,
  kind: 'overdue' | 'due-soon',
  ctx: TriggerContext,
): PagerDutyEvent {
  const priority = cleanText(c.priority);
  const when =
    kind === 'overdue'
      ? `overdue by ${formatDurationShort(c.overdueMs)}`
      : `due in ${formatDurationShort(c.dueAt.getTime() - ctx.asOf.getTime())}`;
  // Plain text on one line, and no phone number in it: PagerDuty is a third party.
  const title = maskPhonesInText(cleanText(c.title)) || '(no title)';
  const head = `[${priority}] ${shortCaseNo(c)} `;
  const tail = ` — ${when}`;
  // Counted in UTF-16 units, never more than code points: within the limit however PagerDuty counts.
  const summary = `${head}${truncate(title, Math.max(1, MAX_SUMMARY - head.length - tail.length - 1))}${tail}`;
  return {
    event_action: 'trigger',
    dedup_key: dedupKeyOf(c.id),
    payload: {
      summary,
      source: ctx.source,
      severity: kind === 'due-soon' ? 'warning' : (SEVERITY[priority.toLowerCase()] ?? 'info'),
      timestamp: c.dueAt.toISOString(),
      class: priority,
      group: cleanText(c.ownerId) || 'Unspecified',
      custom_details: {
        caseNo: cleanText(c.caseNo),
        title,
        priority,
        state: cleanText(c.state),
        ownerId: cleanText(c.ownerId),
        dueDate: `${formatLocal(c.dueAt, ctx.aiccTimezone)} (${ctx.aiccTimezone})`,
        [kind === 'overdue' ? 'overdueBy' : 'dueIn']: when.replace(/^(overdue by|due in) /, ''),
      },
    },
    ...(c.url ? { links: [{ href: c.url, text: `Case ${cleanText(c.caseNo) || c.id}` }] } : {}),
  };
}

export const resolveEvent = (caseId: string): PagerDutyEvent => ({
  event_action: 'resolve',
  dedup_key: dedupKeyOf(caseId),
});

/** The routing key secret: a bare key, or `{"routingKey": "…"}`. */
const routingKeySecret = z.union([
  z.strictObject({ routingKey: z.string().check(z.trim(), z.minLength(1)) }),
]);
const answerSchema = z.object({
  status: z.optional(z.string()),
  message: z.optional(z.string()),
  errors: z.optional(z.array(z.unknown())),
});

export type ReadSecret = (secretId: string, options: { maxAge: number }) => Promise<string>;

export interface PagerDutyClientOptions {
  eventsUrl: string;
  timeoutMs: number;
  readSecret: ReadSecret;
  fetch?: typeof fetch;
  now: Clock;
  /** The invocation deadline: retries stop before it. */
  signal?: AbortSignal | undefined;
  deadlineAt?: number | undefined;
  /** Called before a retry wait. */
  onRetry?: (info: { attempt: number; delayMs: number; error: string }) => void;
  /** The run's request pool, so PagerDuty's requests count against the same limit as the rest. @default run at once */
  schedule?: <T>(task: () => Promise<T>) => Promise<T>;
}

/** What was accepted: counts of trigger and resolve events PagerDuty answered 202 to. */
export interface PagerDutyOutcome {
  triggered: number;
  resolved: number;
}

/**
 * The Events API v2 (SPEC §13): one POST per event, 202 is success; 429 and 5xx are retried with
 * backoff honouring `Retry-After` within the deadline; any other answer fails naming PagerDuty, the
 * status and PagerDuty's own message. The routing key never appears in a message, log or result.
 */
export class PagerDutyClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: PagerDutyClientOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** The routing key: read from Secrets Manager (cached like the AICC secret) or given directly. */
  async routingKey(source: RoutingKeySource): Promise<string> {
    if (source.kind === 'key') return source.routingKey;
    let raw: string;
    try {
      raw = (await this.options.readSecret(source.secretId, { maxAge: SECRET_MAX_AGE_S })).trim();
    } catch (error) {
      throw new PagerDutyError(
        `Could not read the PagerDuty routing key secret "${source.secretId}": ${error instanceof Error ? error.message : String(error)}`,
        undefined,
        undefined,
        { cause: error },
      );
    }
    if (!raw.startsWith('{')) {
      if (raw) return raw;
    } else {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const parsed = routingKeySecret.safeParse(json);
      if (parsed.success) return parsed.data.routingKey;
    }
    // Never quote the value: it is the key.
    throw new PagerDutyError(
      `The PagerDuty secret "${source.secretId}" must hold the routing key, bare or as {"routingKey": "…"}`,
    );
  }

  /** Sends every event (a few at a time); rejects once all settled if any was refused. */
  async send(source: RoutingKeySource, events: readonly PagerDutyEvent[]): Promise<PagerDutyOutcome> {
    const outcome: PagerDutyOutcome = { triggered: 0, resolved: 0 };
    if (events.length === 0) return outcome;
    const routingKey = await this.routingKey(source);
    const limit = pLimit(MAX_IN_FLIGHT);
    const failures: unknown[] = [];
    await Promise.all(
      events.map((event) =>
        limit(async () => {
          try {
            await (this.options.schedule ?? ((task) => task()))(() => this.post(routingKey, event));
            outcome[event.event_action === 'trigger' ? 'triggered' : 'resolved']++;
          } catch (error) {
            failures.push(error);
          }
        }),
      ),
    );
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
      throw new PagerDutyError(
        `PagerDuty refused ${failures.length} of ${events.length} events; first: ${first}`,
        undefined,
        undefined,
        {
          cause: new AggregateError(failures),
        },
      );
    }
    return outcome;
  }

  private post(routingKey: string, event: PagerDutyEvent): Promise<void> {
    const describe = `PagerDuty ${event.event_action} ${event.dedup_key}`;
    const { now } = this.options;
    return withRetry(
      async () => {
        const response = await send(
          this.options.eventsUrl,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ routing_key: routingKey, ...event }),
          },
          {
            fetch: this.fetchImpl,
            timeoutMs: this.options.timeoutMs,
            signal: this.options.signal,
            describe,
            errors: {
              network: (message, cause) => new PagerDutyError(message, undefined, undefined, { cause }),
              redirect: (message) => new PagerDutyError(message, 300),
            },
          },
        );
        if (response.status === 202) return;
        throw new PagerDutyError(
          `${describe}: PagerDuty answered HTTP ${response.status}${reasonOf(response.text, routingKey)}`,
          response.status,
          response.status === 429
            ? parseRetryAfter(response.headers.get('retry-after'), now().getTime())
            : undefined,
        );
      },
      {
        policy: resolveRetryPolicy(),
        deadline: this.options.signal,
        deadlineAt: this.options.deadlineAt,
        describe,
        now,
        isRetryable: (error) =>
          error instanceof PagerDutyError &&
          (error.status === undefined || error.status === 429 || error.status >= 500),
        deadlineError: (message, cause) => new PagerDutyError(message, undefined, undefined, { cause }),
        onRetry: ({ attemptNumber, delayMs, error }) =>
          this.options.onRetry?.({ attempt: attemptNumber, delayMs, error: error.message }),
      },
    );
  }
}

/** PagerDuty's own words: `message` and `errors` of its JSON answer, quoted without the routing key. */
function reasonOf(text: string, routingKey: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const quoted = quoteBody(text, [routingKey]);
    return quoted ? `: ${quoted}` : '';
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) return '';
  const parts = [parsed.data.message, ...(parsed.data.errors ?? []).map(String)].filter(Boolean) as string[];
  return parts.length ? `: ${quoteBody(parts.join('; '), [routingKey], 500)}` : '';
}
