/**
 * One error hierarchy: every failure an operator sees says what failed and keeps its cause.
 * `CaseDigestError` is the neutral root; `AiccError` covers the AICC API and its token.
 */
export class CaseDigestError extends Error {
  // Each class names itself in a field: the minified bundle renames classes, and logs must not say "Pr".
  override name = 'CaseDigestError';
}

/** Something went wrong talking to AICC (its case list API or its token endpoint). */
export class AiccError extends CaseDigestError {
  override name = 'AiccError';
}

/** The case API or the token endpoint answered with an HTTP status that is not 2xx. */
export class AiccHttpError extends AiccError {
  override name = 'AiccHttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The answer was a redirect. It is never followed: the request carries the access token or the client
 * secret, which must not reach another origin.
 */
export class AiccRedirectError extends AiccError {
  override name = 'AiccRedirectError';
}

/** The API answered 200 with a `resCode` other than "0". */
export class AiccApiError extends AiccError {
  override name = 'AiccApiError';
  constructor(
    readonly resCode: string,
    readonly resMsg: string,
    context = '',
  ) {
    super(`AICC API error resCode=${resCode}: ${resMsg}${context ? ` (${context})` : ''}`);
  }
}

/** The response body was not JSON or not the documented shape. */
export class AiccResponseError extends AiccError {
  override name = 'AiccResponseError';
}

/** A network error, a reset connection or a request that ran past its timeout. */
export class AiccNetworkError extends AiccError {
  override name = 'AiccNetworkError';
}

/**
 * Retrying stopped because the invocation deadline was reached (or a wait would have outlasted
 * it); `cause` is the last failure, if there was one.
 */
export class AiccDeadlineError extends AiccError {
  override name = 'AiccDeadlineError';
}

/** The token could not be obtained (secret unreadable, malformed, or refused by the token endpoint). */
export class AiccAuthError extends AiccError {
  override name = 'AiccAuthError';
}

/** What a {@link CapacityError} measured, for whoever catches it. */
export interface CapacityFigures {
  pagesDone: number;
  pagesLeft: number;
  /** Pages per second measured so far. */
  pagesPerSecond: number;
  /** Pages per second projected at the highest concurrency the run may reach. */
  projectedPagesPerSecond: number;
  /** Seconds until the deadline (less its margin). */
  secondsLeft: number;
  /** Seconds the pages left would take at the projected rate. */
  secondsNeeded: number;
}

/** The run cannot finish before its deadline: it fails early, and mails nothing. */
export class CapacityError extends CaseDigestError {
  override name = 'CapacityError';
  constructor(
    message: string,
    readonly figures: CapacityFigures,
  ) {
    super(message);
  }
}

/** A Lambda environment variable is missing or malformed; the message names it. */
export class ConfigError extends CaseDigestError {
  override name = 'ConfigError';
}

/** The invocation event is invalid; the message names the field. */
export class EventError extends CaseDigestError {
  override name = 'EventError';
}

/** Sending the email failed. */
export class EmailError extends CaseDigestError {
  override name = 'EmailError';
}

/** PagerDuty refused an event or could not be reached; the message names the status and PagerDuty's reason. */
export class PagerDutyError extends CaseDigestError {
  override name = 'PagerDutyError';
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Publishing to the SNS topic failed. */
export class TopicError extends CaseDigestError {
  override name = 'TopicError';
}

/** One or more on-call channels failed; the others were still attempted. `failures` names each. */
export class ChannelError extends CaseDigestError {
  override name = 'ChannelError';
  constructor(readonly failures: readonly { channel: string; error: unknown }[]) {
    const what = failures.map(
      (f) => `${f.channel}: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
    );
    super(`${failures.length} of the alert's channels failed — ${what.join('; ')}`, {
      cause: failures.length === 1 ? failures[0]?.error : new AggregateError(failures.map((f) => f.error)),
    });
  }
}
