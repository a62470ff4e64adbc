import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Where log lines go instead of stdout (tests keep them and show them only for a test that failed). */
export interface LogSink {
  write(line: string): void;
}

/**
 * Fastify's own pino logger, configured for us: ids and routes only. No headers (tokens), no query strings
 * (codes, phone look-ups), no bodies (phone numbers): a request line carries its id, method, path and status.
 * Fastify already logs every request under its id (`reqId`), so no extra HTTP-logging package is needed.
 */
export function httpLoggerOptions(level: string, stream?: LogSink): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: String(req.url).split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * Fastify gives every request a child logger (so each line carries the request's id) and always hands pino an
 * options object, empty or not, which sends pino down its slow path: its formatters rebuilt for every request,
 * seen in the flash-claim profile. Children of one option-less base child take pino's fast path (one object and
 * the id's JSON) and log exactly the same lines; a route with its own level or serializers still gets them.
 */
export function requestChildLoggers(): NonNullable<FastifyServerOptions['childLoggerFactory']> {
  const bases = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>();
  return (logger, bindings, options) => {
    if (Object.keys(options).length > 0) {
      return logger.child(bindings, options);
    }
    let base = bases.get(logger);
    if (!base) {
      base = logger.child({});
      bases.set(logger, base);
    }
    return base.child(bindings);
  };
}

/**
 * Nest's logger interface over that same pino logger, so `new Logger(Context).log({ memberId }, 'joined')` in a
 * service lands as one JSON line `{"context":"Context","memberId":1,"msg":"joined"}` beside the request lines.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest appends the logger's context as the last argument (after an `undefined` when there were no others);
   * an object first argument is merged into the line, a following string is the message, and Nest's
   * `error(message, stack)` keeps its stack.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const rest = params.filter((param) => param !== undefined);
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, typeof rest[0] === 'string' ? rest[0] : message.message);
    } else if (message !== null && typeof message === 'object') {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) }, typeof rest[0] === 'string' ? rest[0] : '');
    } else {
      if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest[0];
      this.pino[level](fields, String(message));
    }
  }
}
