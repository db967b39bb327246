/**
 * A local stand-in for the PagerDuty Events API v2 (`POST /v2/enqueue`), for tests and local runs of
 * the alert job's PagerDuty channel. It validates events as PagerDuty's "Send an Alert Event" page
 * describes them, answers as its response-code table does (202 accepted, 400 invalid, 429 and 5xx to
 * retry), and keeps one incident per `dedup_key` so a test can see what an on-call engineer would.
 *
 * An unknown routing key answers 400 with `errors: ["Invalid routing key"]`: PagerDuty's pages do not
 * list this case, but that is what the live API answers (as reported by its users); the check runs
 * after the event's own validation. The live API also insists on 32-character keys; this one does
 * not, so readable keys like the default `sandbox-routing-key` work.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PAGERDUTY_EVENTS_PATH = '/v2/enqueue';
export const DEFAULT_ROUTING_KEY = 'sandbox-routing-key';
const ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;

export interface PagerDutySandboxOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (ephemeral) */
  port?: number;
  /** Added to every answer (the event is recorded on arrival, before it). @default 0 */
  latencyMs?: number;
  /** Integration keys it accepts. @default ['sandbox-routing-key'] */
  routingKeys?: string[];
}

export type EventAction = (typeof ACTIONS)[number];

/** An event PagerDuty accepted (HTTP 202). */
export interface RecordedEvent {
  /** The request body as sent. */
  body: Record<string, unknown>;
  routingKey: string;
  action: EventAction;
  /** The event's `dedup_key`, or the one generated for a trigger without one. */
  dedupKey: string;
  /** `Date.now()` when it arrived. */
  at: number;
}

/** Every request, accepted or not. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** HTTP status answered (0 while the answer is still pending). */
  status: number;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** The answer's body, parsed. */
  answer: unknown;
  /** True when an injected fault answered instead of PagerDuty's processing. */
  faulted: boolean;
  at: number;
}

export interface Incident {
  /** `acknowledged` only after an acknowledge event, until the next resolve. */
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Trigger events applied to it, the first included. */
  triggers: number;
  acknowledges: number;
  resolves: number;
  /** `payload.summary` of the latest trigger. */
  lastSummary: string;
  /**
   * The routing key of its first trigger: an acknowledge or resolve sent with another key is dropped, as
   * PagerDuty does. (A trigger with another key would be another alert there; here it counts on this one.)
   */
  routingKey: string;
}

export interface PagerDutyFault {
  /** 429, or a 5xx such as 500, 502, 503. */
  status: number;
  /** Sent as `Retry-After` when given. */
  retryAfterSeconds?: number;
  /** How many requests it answers. @default 1 */
  times?: number;
}

export interface PagerDutySandbox {
  /** The full events URL, e.g. `http://127.0.0.1:PORT/v2/enqueue` (for `PAGERDUTY_EVENTS_URL`). */
  url: string;
  port: number;
  /** The routing keys it accepts. */
  routingKeys: readonly string[];
  /** Every accepted event, in order of arrival. */
  readonly events: RecordedEvent[];
  /** Every request, in order of arrival, refused and faulted ones included. */
  readonly requests: RecordedRequest[];
  /** The incidents by `dedup_key` (a copy). */
  incidents(): Map<string, Incident>;
  /** The next `times` requests answer `status` instead of being processed; nothing is recorded as an event. */
  injectFault(fault: PagerDutyFault): void;
  clearFaults(): void;
  /** Forgets events, requests and incidents (faults stay armed). */
  clear(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'Content-Type': 'application/json', ...headers },
  body,
});
const invalid = (errors: string[]): Answer =>
  json(400, { status: 'invalid event', message: 'Event object is invalid', errors });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlank = (v: unknown): boolean => typeof v !== 'string' || v.trim() === '';

/** What is wrong with an event, in PagerDuty's terms; empty when it is valid. */
export function eventErrors(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (isBlank(event.routing_key)) errors.push("'routing_key' is missing or blank");
  const action = event.event_action;
  if (action === undefined) errors.push("'event_action' is missing");
  else if (!ACTIONS.includes(action as EventAction))
    errors.push(`'event_action' must be one of ${ACTIONS.join(', ')}`);
  const dedupKey = event.dedup_key;
  if (dedupKey !== undefined && dedupKey !== null && typeof dedupKey !== 'string')
    errors.push("'dedup_key' must be a string");
  else if (typeof dedupKey === 'string' && dedupKey.length > MAX_DEDUP_KEY)
    errors.push(`Length of 'dedup_key' exceeds ${MAX_DEDUP_KEY} characters`);
  if ((action === 'acknowledge' || action === 'resolve') && isBlank(dedupKey))
    errors.push(`'dedup_key' is required for ${action} events`);
  if (action === 'trigger') errors.push(...payloadErrors(event.payload));
  return errors;
}

function payloadErrors(payload: unknown): string[] {
  if (!isObject(payload)) return ["'payload' is missing or not an object"];
  const errors: string[] = [];
  if (isBlank(payload.summary)) errors.push("'payload.summary' is missing or blank");
  else if ((payload.summary as string).length > MAX_SUMMARY)
    errors.push(`Length of 'payload.summary' exceeds ${MAX_SUMMARY} characters`);
  if (isBlank(payload.source)) errors.push("'payload.source' is missing or blank");
  if (payload.severity === undefined) errors.push("'payload.severity' is missing");
  else if (!SEVERITIES.includes(payload.severity as (typeof SEVERITIES)[number]))
    errors.push(`'payload.severity' must be one of ${SEVERITIES.join(', ')}`);
  return errors;
}

/** Applies an accepted event to the incidents, as PagerDuty's "Alert De-Duplication" describes. */
function applyToIncidents(incidents: Map<string, Incident>, event: RecordedEvent): void {
  const incident = incidents.get(event.dedupKey);
  if (event.action === 'trigger') {
    const summary = String((event.body.payload as Record<string, unknown>).summary);
    if (!incident) {
      incidents.set(event.dedupKey, {
        status: 'triggered',
        triggers: 1,
        acknowledges: 0,
        resolves: 0,
        lastSummary: summary,
        routingKey: event.routingKey,
      });
      return;
    }
    // A trigger after a resolve opens a new alert in PagerDuty; here the same entry reopens and counts on.
    incident.triggers++;
    incident.lastSummary = summary;
    if (incident.status === 'resolved') incident.status = 'triggered';
    return;
  }
  // Acknowledge and resolve for no open incident, or from another routing key, are dropped.
  if (!incident || incident.routingKey !== event.routingKey || incident.status === 'resolved') return;
  if (event.action === 'acknowledge') {
    incident.acknowledges++;
    incident.status = 'acknowledged';
  } else {
    incident.resolves++;
    incident.status = 'resolved';
  }
}

function faultAnswer(fault: PagerDutyFault): Answer {
  const retry: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
  if (fault.status === 429)
    return json(
      429,
      {
        status: 'throttle event',
        message: 'Requests for this service are arriving too quickly. Please retry later.',
      },
      retry,
    );
  return json(fault.status, { status: 'error', message: 'Internal server error' }, retry);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the PagerDuty Events API v2 simulator; resolves once it listens. */
export async function startPagerDutySandbox(
  options: PagerDutySandboxOptions = {},
): Promise<PagerDutySandbox> {
  const routingKeys = [...(options.routingKeys ?? [DEFAULT_ROUTING_KEY])];
  const latencyMs = options.latencyMs ?? 0;
  const events: RecordedEvent[] = [];
  const requests: RecordedRequest[] = [];
  const incidents = new Map<string, Incident>();
  let faults: { fault: PagerDutyFault; left: number }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function processEvent(text: string, at: number): Answer {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return invalid(['JSON parse error']);
    }
    if (!isObject(body)) return invalid(['Event must be a JSON object']);
    const errors = eventErrors(body);
    if (errors.length > 0) return invalid(errors);
    const routingKey = body.routing_key as string;
    if (!routingKeys.includes(routingKey)) return invalid(['Invalid routing key']);
    const action = body.event_action as EventAction;
    // PagerDuty generates a key for a trigger without one, so each such trigger is a new alert.
    const dedupKey = isBlank(body.dedup_key) ? randomUUID().replaceAll('-', '') : (body.dedup_key as string);
    const event: RecordedEvent = { body, routingKey, action, dedupKey, at };
    events.push(event);
    applyToIncidents(incidents, event);
    return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  function takeFault(): PagerDutyFault | null {
    const armed = faults.find((f) => f.left > 0);
    if (!armed) return null;
    armed.left--;
    return armed.fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] as string,
      status: 0,
      body: null,
      answer: null,
      faulted: false,
      at: Date.now(),
    };
    requests.push(entry);
    const text = await readBody(req);
    try {
      entry.body = JSON.parse(text);
    } catch {
      entry.body = text;
    }
    let answer: Answer;
    if (entry.method !== 'POST' || entry.path !== PAGERDUTY_EVENTS_PATH) {
      answer = json(404, { status: 'Not Found', message: `no route for ${entry.method} ${entry.path}` });
    } else {
      const fault = takeFault();
      entry.faulted = fault !== null;
      answer = fault ? faultAnswer(fault) : processEvent(text, entry.at);
    }
    const send = () => {
      entry.status = answer.status;
      entry.answer = answer.body;
      if (res.destroyed) return;
      const body = Buffer.from(JSON.stringify(answer.body));
      res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(body.length) }).end(body);
    };
    if (latencyMs <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, latencyMs);
    timers.add(timer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`sandbox error: ${String(error)}`);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${PAGERDUTY_EVENTS_PATH}`,
    port,
    routingKeys,
    events,
    requests,
    incidents: () => new Map([...incidents].map(([key, incident]) => [key, { ...incident }])),
    injectFault(fault) {
      const times = fault.times ?? 1;
      if (
        !(
          fault.status === 429 ||
          (Number.isInteger(fault.status) && fault.status >= 500 && fault.status <= 599)
        )
      )
        throw new RangeError(`PagerDuty fault status must be 429 or 5xx, got ${fault.status}`);
      if (!(times >= 1)) throw new RangeError(`fault times must be >= 1, got ${times}`);
      const retryAfter = fault.retryAfterSeconds;
      if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0))
        throw new RangeError(`retryAfterSeconds must be a whole number >= 0, got ${retryAfter}`);
      faults.push({ fault, left: times });
    },
    clearFaults: () => {
      faults = [];
    },
    clear: () => {
      events.length = 0;
      requests.length = 0;
      incidents.clear();
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
