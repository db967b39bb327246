/**
 * The Lambda entry. The configuration is parsed and the clients built here, at module scope — once
 * per cold start, during INIT. A bad configuration is logged at INIT naming the variable, and every
 * invocation then fails with that ConfigError (re-checking the environment once more first, so a local
 * runner that sets it after importing this module still works). Tests and the CLI use `createHandler`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler, type Handler } from './runtime.js';

export { createHandler, type HandlerOptions, type JobResult } from './runtime.js';

const logger = new Logger({ serviceName: 'aicc-case-digest' });

function init(): Handler {
  try {
    return createHandler({ logger });
  } catch (error) {
    logger.error('configuration invalid: every invocation will fail until it is fixed', {
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    let ready: Handler | undefined;
    return async (event, context) => {
      // Rejects with the ConfigError again, naming the variable, unless the environment was completed since.
      ready ??= createHandler({ logger });
      return ready(event, context);
    };
  }
}

export const handler: Handler = init();
