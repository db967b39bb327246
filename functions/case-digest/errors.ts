/** One error hierarchy: every failure an operator sees says what failed and keeps its cause. */
export class AiccError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The case API or the token endpoint answered with an HTTP status that is not 2xx. */
export class AiccHttpError extends AiccError {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The API answered 200 with a `resCode` other than "0". */
export class AiccApiError extends AiccError {
  constructor(
    readonly resCode: string,
    readonly resMsg: string,
    context = '',
  ) {
    super(`AICC API error resCode=${resCode}: ${resMsg}${context ? ` (${context})` : ''}`);
  }
}

/** The response body was not JSON or not the documented shape. */
export class AiccResponseError extends AiccError {}

/** A network error, a reset connection or a request that ran past its timeout. */
export class AiccNetworkError extends AiccError {}

/**
 * Retrying stopped because the invocation deadline was reached (or a wait would have outlasted
 * it); `cause` is the last failure, if there was one.
 */
export class AiccDeadlineError extends AiccError {}

/** The token could not be obtained (secret unreadable, malformed, or refused by the token endpoint). */
export class AiccAuthError extends AiccError {}

/** A Lambda environment variable is missing or malformed; the message names it. */
export class ConfigError extends AiccError {}

/** The invocation event is invalid; the message names the field. */
export class EventError extends AiccError {}

/** Sending the email failed. */
export class EmailError extends AiccError {}
